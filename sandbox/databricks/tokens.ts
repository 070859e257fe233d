import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { hashToken, newTokenValue, type WorkspaceArea, type WorkspaceRuntime } from "./workspace";
import { invalidParameter, notFound } from "./errors";

export interface TokenRecord {
  tokenId: string;
  /** sha256 of the value: like the real service, the sandbox cannot show a token again. */
  valueHash: string;
  userName: string;
  comment: string;
  creationTime: number;
  /** -1 when the token never expires. */
  expiryTime: number;
}

export interface TokensState {
  tokens: TokenRecord[];
}

const createBody = z.object({
  lifetime_seconds: z.number().int().optional(),
  comment: z.string().optional(),
});
const deleteBody = z.object({ token_id: z.string().min(1) });

const tokenInfo = (t: TokenRecord) => ({
  token_id: t.tokenId,
  creation_time: t.creationTime,
  expiry_time: t.expiryTime,
  comment: t.comment,
});

/** Finds the live token record for a presented token value (used by the auth hook). */
export function findToken(ws: WorkspaceRuntime, value: string): TokenRecord | undefined {
  const hash = hashToken(value);
  const now = ws.clock.now();
  return ws
    .slice<TokensState>("tokens")
    .tokens.find((t) => t.valueHash === hash && (t.expiryTime < 0 || t.expiryTime > now));
}

/** Token ids look like the real ones: 64 hex digits. */
const newTokenId = (value: string) => hashToken(`id:${value}`);

export const tokensArea: WorkspaceArea<TokensState> = {
  name: "tokens",
  init(seed, ws) {
    const now = ws.clock.now();
    return {
      tokens: seed.users.flatMap((u) =>
        u.tokens.map((t) => ({
          tokenId: newTokenId(t.value),
          valueHash: hashToken(t.value),
          userName: u.userName,
          comment: t.comment,
          creationTime: now,
          expiryTime: -1,
        })),
      ),
    };
  },
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    const state = () => ws.slice<TokensState>("tokens");

    app.post("/api/2.0/token/create", async (req) => {
      const body = createBody.safeParse(req.body ?? {});
      if (!body.success) throw invalidParameter(body.error.issues[0]?.message ?? "invalid request");
      const { lifetime_seconds: lifetime, comment } = body.data;
      // The real service refuses non-positive lifetimes other than "none" (omitted or -1 / 0 is
      // unconfirmed; the sandbox treats <= 0 as "no expiry", as the Python SDK documents).
      const now = ws.clock.now();
      const value = newTokenValue();
      ws.secrets.add(value);
      const record: TokenRecord = {
        tokenId: newTokenId(value),
        valueHash: hashToken(value),
        userName: ws.caller(req).userName,
        comment: comment ?? "",
        creationTime: now,
        expiryTime: lifetime !== undefined && lifetime > 0 ? now + lifetime * 1000 : -1,
      };
      state().tokens.push(record);
      ws.save();
      return { token_value: value, token_info: tokenInfo(record) };
    });

    app.get("/api/2.0/token/list", async (req) => {
      const me = ws.caller(req).userName;
      return { token_infos: state().tokens.filter((t) => t.userName === me).map(tokenInfo) };
    });

    app.post("/api/2.0/token/delete", async (req) => {
      const body = deleteBody.safeParse(req.body ?? {});
      if (!body.success) throw invalidParameter("token_id is required");
      const me = ws.caller(req).userName;
      const tokens = state().tokens;
      const index = tokens.findIndex((t) => t.tokenId === body.data.token_id && t.userName === me);
      if (index < 0) throw notFound(`Token with ID ${body.data.token_id} does not exist.`);
      tokens.splice(index, 1);
      ws.save();
      return {};
    });
  },
};
