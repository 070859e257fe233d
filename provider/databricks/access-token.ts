import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "crypto";
import { z } from "zod";
import { checkWithSchema } from "../core/check";
import { definedProvider, implementationPath, lazyProvider } from "../core/dynamic";
import { ServiceError } from "../core/errors";
import { DatabricksClient } from "./client";
import { databricksCredentials } from "./credentials";
import { workspaceHostSchema } from "./host";
import { defaultDatabricksHost } from "./program-defaults";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The inputs of a {@link DatabricksAccessToken}, validated at check time. */
export const accessTokenInputsSchema = z
  .object({
    /** Workspace host or URL; defaults to `databricks:host` config or `DATABRICKS_HOST`. */
    host: workspaceHostSchema,
    /** Token that authenticates this resource's calls, overriding `databricks:token`. Secret. */
    authToken: z
      .string()
      .min(1, "must not be empty")
      .refine((v) => v.trim() === v, "has leading or trailing whitespace (often a pasted newline); remove it")
      .optional(),
    /** Shown next to the token in the workspace's token list. Changing it replaces the token. */
    comment: z.string().max(200, "must be at most 200 characters").optional(),
    /** Days until the token expires; omitted, it never expires. Changing it replaces the token. */
    lifetimeDays: z
      .number({ error: "must be a number of days" })
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day; omit it for a token that never expires")
      .max(3650, "must be at most 3650 days")
      .optional(),
    /** Replace the token once it is this many days (or fewer) from expiry. Needs `lifetimeDays`. */
    rotateBeforeDays: z.number().int("must be a whole number of days").min(1, "must be at least 1 day").optional(),
  })
  .superRefine((v, ctx) => {
    if (v.rotateBeforeDays === undefined) return;
    if (v.lifetimeDays === undefined) {
      ctx.addIssue({ code: "custom", path: ["rotateBeforeDays"], message: "needs lifetimeDays: a token that never expires has nothing to rotate before" });
    } else if (v.rotateBeforeDays >= v.lifetimeDays) {
      ctx.addIssue({ code: "custom", path: ["rotateBeforeDays"], message: `must be less than lifetimeDays (${v.lifetimeDays}), or every deployment would replace the token` });
    }
  });

export type AccessTokenInputs = z.infer<typeof accessTokenInputsSchema>;

/** What the resource keeps in state: its inputs (diff and update only see these) and results. */
export interface AccessTokenOutputs extends AccessTokenInputs {
  host: string;
  tokenId: string;
  /** The token itself; a secret output. */
  value: string;
  creationTime: string;
  /** ISO time of expiry; absent for a token that never expires. */
  expiryTime?: string;
  /** Marker in the workspace-side comment that finds this token's duplicates after a lost response. */
  createMarker: string;
}

/** Databricks keeps only one comment; ours carries a marker so a lost create can be cleaned up. */
const markedComment = (comment: string | undefined, marker: string) => (comment ? `${comment} [${marker}]` : `[${marker}]`);

const clientFor = (state: { host?: string; authToken?: string }) =>
  new DatabricksClient(databricksCredentials({ host: state.host, token: state.authToken }));

const iso = (ms: number) => new Date(ms).toISOString();

/** A failure after which the token may or may not exist on the workspace. */
const isAmbiguous = (err: unknown) =>
  err instanceof ServiceError && (err.status === undefined || err.status === 500 || err.status === 502 || err.status === 504);

function dueForRotation(state: Partial<AccessTokenOutputs>, rotateBeforeDays: number | undefined, now = Date.now()): boolean {
  if (!state.expiryTime) return false;
  const expiry = Date.parse(state.expiryTime);
  return now >= expiry - (rotateBeforeDays ?? 0) * DAY_MS;
}

export const provider = definedProvider({
  async check(_olds, news) {
    return checkWithSchema(accessTokenInputsSchema, news, ["authToken"]);
  },

  async diff(_id, olds: AccessTokenOutputs, news: AccessTokenInputs) {
    const replaces: string[] = [];
    if (olds.host !== news.host) replaces.push("host");
    if ((olds.comment ?? "") !== (news.comment ?? "")) replaces.push("comment");
    if (olds.lifetimeDays !== news.lifetimeDays) replaces.push("lifetimeDays");
    // Expired, or inside the rotation window: a new token replaces it (created before the old
    // one is revoked, so whatever uses it is never without a valid token).
    if (!replaces.length && dueForRotation(olds, news.rotateBeforeDays)) replaces.push("expiryTime");
    const changes = replaces.length > 0 || olds.rotateBeforeDays !== news.rotateBeforeDays || olds.authToken !== news.authToken;
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: AccessTokenInputs) {
    const client = clientFor(inputs);
    const createMarker = `pulumi:${randomBytes(4).toString("hex")}`;
    const comment = markedComment(inputs.comment, createMarker);
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await client.createToken({
          comment,
          lifetimeSeconds: inputs.lifetimeDays ? inputs.lifetimeDays * 24 * 60 * 60 : undefined,
        });
        const info = created.token_info;
        const outs: AccessTokenOutputs = {
          ...inputs,
          tokenId: info.token_id,
          value: created.token_value,
          creationTime: iso(info.creation_time),
          expiryTime: info.expiry_time > 0 ? iso(info.expiry_time) : undefined,
          createMarker,
        };
        return { id: info.token_id, outs };
      } catch (err) {
        // The create may have happened with its answer lost. Its value can never be read
        // again, so revoke whatever carries our marker and create afresh: no orphan tokens.
        if (!isAmbiguous(err) || attempt >= 3) throw err;
        const tokens = await client.listTokens();
        for (const t of tokens.filter((t) => t.comment?.includes(`[${createMarker}]`))) await client.deleteToken(t.token_id);
      }
    }
  },

  async read(id: string, props: AccessTokenOutputs) {
    const live = (await clientFor(props).listTokens()).find((t) => t.token_id === id);
    // Revoked out of band: the token is gone for good, so the resource leaves the state and
    // the next `up` creates a new one.
    if (!live) return { id: undefined, props: {} };
    return {
      id,
      props: {
        ...props,
        creationTime: iso(live.creation_time),
        expiryTime: live.expiry_time > 0 ? iso(live.expiry_time) : undefined,
      },
    };
  },

  async update(_id, olds: AccessTokenOutputs, news: AccessTokenInputs) {
    // Only settings that live in Pulumi change in place; everything else replaces (see diff).
    return { outs: { ...olds, rotateBeforeDays: news.rotateBeforeDays, authToken: news.authToken } };
  },

  async delete(id: string, props: AccessTokenOutputs) {
    await clientFor(props).deleteToken(id);
  },
});

/** Arguments of a {@link DatabricksAccessToken}. */
export interface DatabricksAccessTokenArgs {
  /** Workspace host (`dbc-….cloud.databricks.com`, `adb-….azuredatabricks.net`, `….gcp.databricks.com`) or its URL. Defaults to the `databricks:host` config or `DATABRICKS_HOST`. Changing it replaces the token. */
  host?: pulumi.Input<string>;
  /** Token that authenticates this resource's calls, instead of `databricks:token` / `DATABRICKS_TOKEN`. Stored encrypted as a secret. */
  authToken?: pulumi.Input<string>;
  /** Comment shown beside the token in the workspace. Changing it replaces the token. */
  comment?: pulumi.Input<string>;
  /** Lifetime in days (≥ 1). Omitted, the token never expires. Changing it replaces the token. */
  lifetimeDays?: pulumi.Input<number>;
  /** When the token is this many days (or fewer) from expiry, the next `up` replaces it: the new token is created before the old one is revoked. Requires `lifetimeDays`. */
  rotateBeforeDays?: pulumi.Input<number>;
}

/**
 * A Databricks personal access token, as "User Settings → Developer → Access tokens →
 * Generate new token" makes it. The token value is a secret output. Deleting the resource
 * revokes the token; a refresh notices a token revoked out of band and drops it, so the next
 * `up` creates a new one.
 */
export class DatabricksAccessToken extends pulumi.dynamic.Resource {
  /** The workspace host the token belongs to. */
  declare readonly host: pulumi.Output<string>;
  /** The token's id in the workspace (not secret). */
  declare readonly tokenId: pulumi.Output<string>;
  /** The token value (secret). */
  declare readonly value: pulumi.Output<string>;
  /** When the token was created (ISO 8601). */
  declare readonly creationTime: pulumi.Output<string>;
  /** When the token expires (ISO 8601); undefined for a token that never expires. */
  declare readonly expiryTime: pulumi.Output<string | undefined>;

  constructor(name: string, args: DatabricksAccessTokenArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      tokenProvider,
      name,
      {
        host: args.host ?? defaultDatabricksHost(),
        authToken: args.authToken === undefined ? undefined : pulumi.secret(args.authToken),
        comment: args.comment,
        lifetimeDays: args.lifetimeDays,
        rotateBeforeDays: args.rotateBeforeDays,
        tokenId: undefined,
        value: undefined,
        creationTime: undefined,
        expiryTime: undefined,
      },
      { ...opts, additionalSecretOutputs: ["value", "authToken", ...(opts?.additionalSecretOutputs ?? [])] },
      "databricks-integrations",
      "DatabricksAccessToken",
    );
  }
}

const tokenProvider = lazyProvider(implementationPath("databricks/access-token"));
