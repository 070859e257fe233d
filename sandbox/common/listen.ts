import type { FastifyInstance } from "fastify";

/**
 * Starts one app per host on its own loopback port, all or nothing: if one fails to listen,
 * those already listening are closed. Returns each app's local base URL in order.
 * `preferredPorts[i]`, when given, is tried first for `apps[i]` (so a restarted sandbox keeps its
 * endpoints); if it is taken, the app gets a free port instead.
 */
export async function listenAll(apps: FastifyInstance[], listenHost = "127.0.0.1", preferredPorts: (number | undefined)[] = []): Promise<string[]> {
  const urls: string[] = [];
  try {
    for (const [i, app] of apps.entries()) {
      const url = await listenPreferring(app, listenHost, preferredPorts[i]);
      urls.push(url.replace("localhost", "127.0.0.1"));
    }
  } catch (err) {
    await Promise.all(apps.map((a) => a.close()));
    throw err;
  }
  return urls;
}

async function listenPreferring(app: FastifyInstance, host: string, port: number | undefined): Promise<string> {
  if (port) {
    try {
      return await app.listen({ host, port });
    } catch (err) {
      if ((err as { code?: string }).code !== "EADDRINUSE") throw err;
    }
  }
  return app.listen({ host, port: 0 });
}
