import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { hashToken, newTokenValue, type WorkspaceArea, type WorkspaceRuntime } from "./workspace";
import { DatabricksApiError, invalidParameter, notFound, permissionDenied } from "./errors";

export interface TokenRecord {
  tokenId: string;
  /** sha256 of the value: like the real service, the sandbox cannot show a token again. */
  valueHash: string;
  userName: string;
  comment: string;
  creationTime: number;
  /** -1 when the token never expires (seeded tokens only, and state written by older sandboxes). */
  expiryTime: number;
}

/** A token created without a lifetime lives 2 years (the current API reference; older docs said forever). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 2 * 365 * 24 * 3600;
/** Live tokens per user before `token/create` answers QUOTA_EXCEEDED (the documented quota). */
export const TOKEN_QUOTA = 600;
const DAY_SECONDS = 24 * 3600;

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

/** What token-management shows an admin: the token and whose it is. */
const managedTokenInfo = (ws: WorkspaceRuntime, t: TokenRecord) => ({
  ...tokenInfo(t),
  owner_id: ws.userId(t.userName),
  created_by_id: ws.userId(t.userName),
  created_by_username: t.userName,
});

const isLive = (t: TokenRecord, now: number) => t.expiryTime < 0 || t.expiryTime > now;

/** Finds the live token record for a presented token value (used by the auth hook). */
export function findToken(ws: WorkspaceRuntime, value: string): TokenRecord | undefined {
  const hash = hashToken(value);
  const now = ws.clock.now();
  return ws.slice<TokensState>("tokens").tokens.find((t) => t.valueHash === hash && isLive(t, now));
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
          expiryTime: t.lifetimeDays !== undefined ? now + Math.round(t.lifetimeDays * DAY_SECONDS * 1000) : -1,
        })),
      ),
    };
  },
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    const state = () => ws.slice<TokensState>("tokens");

    app.post("/api/2.0/token/create", async (req) => {
      const body = createBody.safeParse(req.body ?? {});
      if (!body.success) throw invalidParameter(body.error.issues[0]?.message ?? "invalid request");
      const { lifetime_seconds: requested, comment } = body.data;
      const me = ws.caller(req).userName;
      const now = ws.clock.now();
      // Omitted (or <= 0, which older docs called "no expiry"): 2 years, or the workspace cap when
      // that is shorter. A request above the cap is refused; the exact wording is unconfirmed.
      const maxDays = Number(ws.setting("maxTokenLifetimeDays") ?? "0");
      const capSeconds = maxDays > 0 ? maxDays * DAY_SECONDS : undefined;
      if (requested !== undefined && requested > 0 && capSeconds !== undefined && requested > capSeconds) {
        throw invalidParameter(
          `Token lifetime (${Math.ceil(requested / DAY_SECONDS)} days) exceeds the maximum lifetime of ${maxDays} days allowed for new tokens in this workspace (maxTokenLifetimeDays).`,
        );
      }
      const lifetime = requested !== undefined && requested > 0 ? requested : Math.min(DEFAULT_TOKEN_LIFETIME_SECONDS, capSeconds ?? Infinity);
      if (state().tokens.filter((t) => t.userName === me && isLive(t, now)).length >= TOKEN_QUOTA) {
        throw new DatabricksApiError(400, "QUOTA_EXCEEDED", `Cannot create more than ${TOKEN_QUOTA} tokens.`);
      }
      const value = newTokenValue();
      ws.secrets.add(value);
      const record: TokenRecord = {
        tokenId: newTokenId(value),
        valueHash: hashToken(value),
        userName: me,
        comment: comment ?? "",
        creationTime: now,
        expiryTime: now + lifetime * 1000,
      };
      state().tokens.push(record);
      ws.save();
      return { token_value: value, token_info: tokenInfo(record) };
    });

    app.get("/api/2.0/token/list", async (req) => {
      const me = ws.caller(req).userName;
      return {
        token_infos: state()
          .tokens.filter((t) => t.userName === me)
          .map(tokenInfo),
      };
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

    // Token management: every user's tokens, for workspace admins only.
    const requireAdmin = (req: FastifyRequest) => {
      const caller = ws.caller(req);
      if (!caller.admin) throw permissionDenied(`User ${caller.userName} is not a workspace admin: only admins can manage other users' tokens.`);
    };
    const managed = (tokenId: string) => {
      const t = state().tokens.find((x) => x.tokenId === tokenId && isLive(x, ws.clock.now()));
      if (!t) throw notFound(`Token with ID ${tokenId} does not exist.`);
      return t;
    };
    app.get("/api/2.0/token-management/tokens", async (req) => {
      requireAdmin(req);
      const q = req.query as { created_by_username?: string; created_by_id?: string };
      const now = ws.clock.now();
      const listed = state().tokens.filter(
        (t) =>
          isLive(t, now) &&
          (q.created_by_username === undefined || t.userName === q.created_by_username) &&
          (q.created_by_id === undefined || ws.userId(t.userName) === q.created_by_id),
      );
      // Proto3 JSON leaves an empty list out.
      return listed.length ? { token_infos: listed.map((t) => managedTokenInfo(ws, t)) } : {};
    });
    app.get<{ Params: { token_id: string } }>("/api/2.0/token-management/tokens/:token_id", async (req) => {
      requireAdmin(req);
      return { token_info: managedTokenInfo(ws, managed(req.params.token_id)) };
    });
    app.delete<{ Params: { token_id: string } }>("/api/2.0/token-management/tokens/:token_id", async (req) => {
      requireAdmin(req);
      const t = managed(req.params.token_id);
      const tokens = state().tokens;
      tokens.splice(tokens.indexOf(t), 1);
      ws.save();
      return {};
    });
  },
};
