import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * What a route handler returns when plain 200 JSON is not the answer: a status, a body (none for
 * 204 and friends), headers and, for a body that is not JSON, its content type. Handlers return
 * either a value (sent as 200 JSON) or an `Answer`; they never write to the reply themselves, so
 * every service's routes read the same way and the error handler speaks in the same terms.
 */
export class Answer {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
    readonly contentType?: string,
  ) {}
}

/** `answer(204)`, `answer(201, view)`, `answer(200, body, {Authorization: ...})`. */
export const answer = (status: number, body?: unknown, headers: Record<string, string> = {}, contentType?: string): Answer =>
  new Answer(status, body, headers, contentType);

/** Writes an answer: status, headers, then the content type (when given) and the body. */
export function send(reply: FastifyReply, value: Answer): FastifyReply {
  reply.code(value.status).headers(value.headers);
  if (value.contentType !== undefined) reply.type(value.contentType);
  return reply.send(value.body);
}

/**
 * Lets every route of `app` (registered after this call, in any plugin) return an `Answer`:
 * each handler is wrapped so an `Answer` it returns is written out; any other value is sent as is.
 */
export function acceptAnswers(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    const handler = route.handler;
    route.handler = async function (this: FastifyInstance, req, reply) {
      const result = await (handler as (this: FastifyInstance, ...args: unknown[]) => unknown).call(this, req, reply);
      return result instanceof Answer ? send(reply, result) : result;
    } as typeof handler;
  });
}
