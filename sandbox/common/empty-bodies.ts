import type { FastifyInstance } from "fastify";

/**
 * Real services ignore the Content-Type of a request that has no body (clients such as axios
 * send `application/x-www-form-urlencoded` on a body-less POST); fastify would answer 415.
 * Empty bodies of any type parse as "no body"; a non-empty body of an unknown type is still 415.
 */
export function acceptEmptyBodies(app: FastifyInstance): void {
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => {
    if (body === "" || body === undefined) return done(null, undefined);
    done(Object.assign(new Error("Unsupported Media Type"), { statusCode: 415 }), undefined);
  });
}
