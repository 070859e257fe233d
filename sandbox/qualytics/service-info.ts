import type { FastifyInstance } from "fastify";
import { CONTROL_PREFIX } from "../common/control";
import type { QualyticsInstance } from "./instance";

/** Routes that answer without a token (what qualytics-cli's `doctor` reads first). */
export const PUBLIC_ROUTES = ["/api/status", "/api/openapi.json"];

type ServedRoute = { method: string; url: string };
const served = new WeakMap<FastifyInstance, ServedRoute[]>();

/** Collects the API routes the app serves as they are registered (call before any route). */
export function collectRoutes(app: FastifyInstance): void {
  const routes: ServedRoute[] = [];
  served.set(app, routes);
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith(CONTROL_PREFIX) || !route.url.startsWith("/api/")) return;
    for (const method of [route.method].flat()) if (method !== "HEAD") routes.push({ method, url: route.url });
  });
}

/**
 * `GET /api/status` and `GET /api/openapi.json`, which real deployments serve. The OpenAPI
 * document lists exactly the routes this sandbox serves (paths and methods; no schemas), so a
 * client can see, for example, that the unsaved connection test is missing here.
 */
export function serviceRoutes(app: FastifyInstance, inst: QualyticsInstance): void {
  const routes = served.get(app) ?? [];
  app.get("/api/status", async () => ({ status: "ok", host: inst.host }));
  app.get("/api/openapi.json", async () => {
    const paths: Record<string, Record<string, { operationId: string }>> = {};
    for (const { method, url } of routes) {
      const path = url.replace(/^\/api/, "").replace(/:([A-Za-z_]+)/g, "{$1}");
      const m = method.toLowerCase();
      (paths[path] ??= {})[m] = { operationId: `${m}${path.replace(/[^A-Za-z0-9]+/g, "_")}` };
    }
    return { openapi: "3.1.0", info: { title: "Qualytics API (sandbox)", version: "sandbox" }, servers: [{ url: "/api" }], paths };
  });
}
