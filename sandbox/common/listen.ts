import type { FastifyInstance } from "fastify";

/**
 * Starts one app per host on its own free loopback port, all or nothing: if one fails to
 * listen, those already listening are closed. Returns each app's local base URL in order.
 */
export async function listenAll(apps: FastifyInstance[], listenHost = "127.0.0.1"): Promise<string[]> {
  const urls: string[] = [];
  try {
    for (const app of apps) {
      const url = await app.listen({ host: listenHost, port: 0 });
      urls.push(url.replace("localhost", "127.0.0.1"));
    }
  } catch (err) {
    await Promise.all(apps.map((a) => a.close()));
    throw err;
  }
  return urls;
}
