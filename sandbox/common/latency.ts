import { z } from "zod";

/**
 * Added service latency (`POST /__sandbox/latency`): every API request is held `baseMs` plus a
 * uniform random `[0, jitterMs]` before it is handled, so a local run has the shape of a real
 * one (Databricks REST answers in 100–300 ms, a Hopsworks configure takes seconds). Off by
 * default. `perRoute` overrides both for matching requests: keys are `METHOD pattern`, where the
 * pattern is a path with `*` (any characters) or `:name` (one path segment) wildcards, and METHOD
 * may be `*`; the first matching key wins.
 *
 * Latency is wall-clock milliseconds as given: callers that want it scaled (like the time scale
 * does for cluster starts) scale the values they send.
 */
const delaySchema = z.object({ baseMs: z.number().min(0).default(0), jitterMs: z.number().min(0).default(0) });

export const latencySchema = z.object({
  baseMs: z.number().min(0).default(0),
  jitterMs: z.number().min(0).default(0),
  perRoute: z.record(z.string().regex(/^\S+ \S+$/, "keys are 'METHOD /path' (wildcards * and :name)"), delaySchema).default({}),
});
export type LatencySettings = z.infer<typeof latencySchema>;

interface CompiledRoute {
  method: string;
  path: RegExp;
  baseMs: number;
  jitterMs: number;
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

function compilePattern(pattern: string): RegExp {
  const source = pattern
    .split(/(\*|:[A-Za-z_][A-Za-z0-9_]*)/)
    .map((part) => (part === "*" ? ".*" : part.startsWith(":") && part.length > 1 ? "[^/]+" : escape(part)))
    .join("");
  return new RegExp(`^${source}$`);
}

export class Latency {
  private current: LatencySettings = { baseMs: 0, jitterMs: 0, perRoute: {} };
  private routes: CompiledRoute[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  settings(): LatencySettings {
    return { ...this.current, perRoute: { ...this.current.perRoute } };
  }

  configure(settings: LatencySettings): void {
    this.current = { ...settings, perRoute: { ...settings.perRoute } };
    this.routes = Object.entries(settings.perRoute).map(([key, delay]) => {
      const [method, pattern] = key.split(" ") as [string, string];
      return { method: method.toUpperCase(), path: compilePattern(pattern), baseMs: delay.baseMs, jitterMs: delay.jitterMs };
    });
  }

  clear(): void {
    this.configure({ baseMs: 0, jitterMs: 0, perRoute: {} });
  }

  /** Milliseconds to hold `METHOD path` (no query string). */
  delayFor(method: string, path: string): number {
    const m = method.toUpperCase();
    const route = this.routes.find((r) => (r.method === "*" || r.method === m) && r.path.test(path));
    const { baseMs, jitterMs } = route ?? this.current;
    return baseMs + (jitterMs > 0 ? this.random() * jitterMs : 0);
  }
}
