import * as pulumi from "@pulumi/pulumi";
import { createHash, randomBytes } from "crypto";
import { z } from "zod";
import { checkWithSchema, numberAsStringAdvice, secretTokenSchema } from "../core/check";
import { definedProvider, implementationPath, lazyProvider, liveInputs } from "../core/dynamic";
import { ConfigurationError } from "../core/errors";
import { fieldTable } from "../core/fields";
import { defaultTimeoutMs } from "../core/http";
import { RESEND_AFTER_LOST_ANSWER, mayHaveActed, retryStep } from "../core/recovery";
import { sleep } from "../core/timing";
import { DatabricksClient, type TokenInfo } from "./client";
import { databricksCredentials } from "./credentials";
import { workspaceHostSchema } from "./host";
import { defaultDatabricksHost } from "../core/program-defaults";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The inputs of a {@link DatabricksAccessToken}, validated at check time. */
export const accessTokenInputsSchema = z
  .object({
    /** Workspace host or URL; defaults to `databricks:host` config or `DATABRICKS_HOST`. */
    host: workspaceHostSchema,
    /** Token that authenticates this resource's calls, overriding `databricks:token`. Secret. */
    authToken: secretTokenSchema("a Databricks personal access token (or omit it to use `databricks:token` / DATABRICKS_TOKEN)").optional(),
    /** Shown next to the token in the workspace's token list. Changing it replaces the token. */
    comment: z.string().max(200, "must be at most 200 characters").optional(),
    /**
     * Days until the token expires; omitted, the workspace's default applies (2 years today, or
     * the workspace's maximum lifetime when that is shorter). Changing it replaces the token.
     */
    lifetimeDays: z
      .number({ error: (i) => `must be a number of days${numberAsStringAdvice(i.input)}` })
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day; omit it for the workspace's default lifetime (2 years)")
      .max(3650, "must be at most 3650 days")
      .optional(),
    /** Replace the token once it is this many days (or fewer) from expiry. Needs `lifetimeDays`. */
    rotateBeforeDays: z
      .number({ error: (i) => `must be a number of days${numberAsStringAdvice(i.input)}` })
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .optional(),
    /** Set by the constructor, not by users: names this resource in its tokens' comments. */
    ownerMarker: z
      .string()
      .regex(/^[0-9a-f]{8}$/, "is set by DatabricksAccessToken itself; do not pass it")
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.rotateBeforeDays === undefined) return;
    if (v.lifetimeDays === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["rotateBeforeDays"],
        message: "needs lifetimeDays: set the lifetime the rotation is planned against (without it the workspace's default, 2 years, applies)",
      });
    } else if (v.rotateBeforeDays >= v.lifetimeDays) {
      ctx.addIssue({
        code: "custom",
        path: ["rotateBeforeDays"],
        message: `must be less than lifetimeDays (${v.lifetimeDays}), or every deployment would replace the token`,
      });
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
  /** ISO time of expiry, as Databricks reports it; absent only for tokens made when workspaces allowed no expiry. */
  expiryTime?: string;
  /** Marker in the workspace-side comment of this token: `pulumi:<owner>:<attempt>`. */
  createMarker: string;
}

/** Each field once: a token cannot be edited, so only settings kept in Pulumi update in place. */
export const accessTokenFields = fieldTable(accessTokenInputsSchema, {
  host: "replace",
  comment: "replace",
  lifetimeDays: "replace",
  authToken: "secret update",
  rotateBeforeDays: "update",
  ownerMarker: "update",
}).withOutputs<AccessTokenOutputs>({ tokenId: "plain", value: "secret", creationTime: "plain", expiryTime: "plain", createMarker: "plain" });

/** No comment and an empty one are the same comment. */
const sameComment = (a: unknown, b: unknown) => (a ?? "") === (b ?? "");

/**
 * Databricks keeps only one comment per token and no idempotency key, so the comment carries a
 * marker: `[pulumi:<owner>:<attempt>]`. The owner part is fixed per resource (project, stack and
 * name, see `ownerMarkerOf`); the attempt part is new for each create call.
 */
const markedComment = (comment: string | undefined, marker: string) => (comment ? `${comment} [${marker}]` : `[${marker}]`);
const markerOf = (comment: string | undefined) => /\[(pulumi:[^\]]+)\]$/.exec(comment ?? "")?.[1];

/**
 * Tokens this provider process is replacing, by owner: `diff` notes the old token when it asks
 * for a replacement, and the `create` that follows (same deployment, same process) spares it
 * while it revokes any other token of the same owner. Those others are the leftovers of a create
 * whose answer never arrived (a crash, a lost response, an `up` that gave up): their values can
 * never be read again, so nothing can use them.
 */
const beingReplaced = new Map<string, Set<string>>();

const clientFor = (state: { host: string; authToken?: string }) => new DatabricksClient(databricksCredentials({ host: state.host, token: state.authToken }));

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Revokes the tokens of lost create attempts, waiting for the ones not seen yet until the last
 * lost attempt is two client timeouts old: a service still working on a request after that has
 * given up on it too. Whatever lands later is revoked by this resource's next create (read has
 * no side effects: `preview --refresh` must not change anything).
 */
async function sweepLost(client: DatabricksClient, markers: string[], lostAt: number): Promise<void> {
  const deadline = lostAt + 2 * defaultTimeoutMs();
  const seen = new Set<string>();
  for (;;) {
    for (const t of await client.listTokens()) {
      const marker = markerOf(t.comment);
      if (marker && markers.includes(marker)) {
        await client.deleteToken(t.token_id);
        seen.add(marker);
      }
    }
    if (seen.size === markers.length || Date.now() >= deadline) return;
    await sleep(Math.min(500, Math.max(deadline - Date.now(), 0)));
  }
}

async function revokeWhere(client: DatabricksClient, which: (t: TokenInfo) => boolean): Promise<void> {
  for (const t of (await client.listTokens()).filter(which)) await client.deleteToken(t.token_id);
}

function dueForRotation(state: Partial<AccessTokenOutputs>, rotateBeforeDays: number | undefined, now = Date.now()): boolean {
  if (!state.expiryTime) return false;
  const expiry = Date.parse(state.expiryTime);
  return now >= expiry - (rotateBeforeDays ?? 0) * DAY_MS;
}

export const provider = definedProvider({
  async check(_olds, news) {
    return checkWithSchema(accessTokenInputsSchema, news, accessTokenFields.secretInputs);
  },

  async diff(id, olds: AccessTokenOutputs, news: AccessTokenInputs) {
    const { replaces, changes: inputsChanged } = accessTokenFields.diff(olds, news, { comment: sameComment });
    // Beyond the inputs: expired, or inside the rotation window, a new token replaces it (created
    // before the old one is revoked, so whatever uses it is never without a valid token).
    if (!replaces.length && dueForRotation(olds, news.rotateBeforeDays)) replaces.push("expiryTime");
    const changes = inputsChanged || replaces.length > 0;
    if (replaces.length > 0 && news.ownerMarker) beingReplaced.set(news.ownerMarker, new Set([...(beingReplaced.get(news.ownerMarker) ?? []), id]));
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: AccessTokenInputs) {
    const client = clientFor(inputs);
    // The workspace's cap on lifetimes, checked before anything is made or revoked.
    if (inputs.lifetimeDays !== undefined) {
      const cap = await client.maxTokenLifetimeDays();
      if (cap !== undefined && inputs.lifetimeDays > cap) {
        throw new ConfigurationError(
          `lifetimeDays: ${inputs.lifetimeDays} days is more than workspace ${client.host} allows for new tokens (its maximum token lifetime, maxTokenLifetimeDays, is ${cap} days): ` +
            `ask for ${cap} days or fewer (with rotateBeforeDays to replace it in time), or omit lifetimeDays to get the maximum; only a workspace admin can raise the cap`,
        );
      }
    }
    const owner = inputs.ownerMarker;
    const spared = owner ? (beingReplaced.get(owner) ?? new Set<string>()) : new Set<string>();
    const abandoned: string[] = [];
    // Leftovers of an earlier create of this same resource (see beingReplaced).
    if (owner) await revokeWhere(client, (t) => !spared.has(t.token_id) && (markerOf(t.comment)?.startsWith(`pulumi:${owner}:`) ?? false));
    let lostAt = 0;
    // A create may have happened with its answer lost. Its value can never be read again, so
    // whatever carries that attempt's marker is revoked (now, after the next attempt, and by the
    // next create of this resource) and a new one is made.
    return retryStep(
      async () => {
        const createMarker = `pulumi:${owner ? `${owner}:` : ""}${randomBytes(4).toString("hex")}`;
        const sentAt = Date.now();
        try {
          const created = await client.createToken({
            comment: markedComment(inputs.comment, createMarker),
            lifetimeSeconds: inputs.lifetimeDays ? inputs.lifetimeDays * 24 * 60 * 60 : undefined,
          });
          const info = created.token_info;
          // Attempts whose answer was lost may land after this one: revoke them as they do.
          if (abandoned.length) await sweepLost(client, abandoned, lostAt);
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
          if (mayHaveActed(err)) {
            abandoned.push(createMarker);
            lostAt = sentAt;
          }
          throw err;
        }
      },
      {
        ...RESEND_AFTER_LOST_ANSWER,
        retryOn: mayHaveActed,
        beforeRetry: () => revokeWhere(client, (t) => abandoned.includes(markerOf(t.comment) ?? "")),
        onGiveUp: () => sweepLost(client, abandoned, lostAt),
      },
    );
  },

  async read(id: string, props: AccessTokenOutputs) {
    const live = (await clientFor(props).listTokens()).find((t) => t.token_id === id);
    // Revoked out of band: the token is gone for good, so the resource leaves the state and
    // the next `up` creates a new one.
    if (!live) return { id: undefined, props: {} };
    const refreshed = { ...props, creationTime: iso(live.creation_time), expiryTime: live.expiry_time > 0 ? iso(live.expiry_time) : undefined };
    // A token cannot be edited: its inputs are what it was made with.
    return { id, props: refreshed, inputs: liveInputs(accessTokenFields.inputKeys, refreshed) };
  },

  async update(_id, olds: AccessTokenOutputs, news: AccessTokenInputs) {
    // Only settings that live in Pulumi change in place; everything else replaces (see diff).
    return { outs: { ...olds, rotateBeforeDays: news.rotateBeforeDays, authToken: news.authToken, ownerMarker: news.ownerMarker } };
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
  /** Lifetime in days (≥ 1). Omitted, the workspace's default applies: 2 years, or the workspace's maximum token lifetime when that is shorter (`expiryTime` reports it). More than that maximum fails before anything is made. Changing it replaces the token. */
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
  /** When the token expires (ISO 8601), as Databricks reports it; undefined only for tokens made when workspaces allowed tokens without expiry (older stacks). */
  declare readonly expiryTime: pulumi.Output<string | undefined>;

  constructor(name: string, args: DatabricksAccessTokenArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      tokenProvider,
      name,
      accessTokenFields.resourceInputs(args, { host: args.host ?? defaultDatabricksHost(), ownerMarker: ownerMarkerOf(name) }),
      accessTokenFields.withSecretOutputs(opts),
      "databricks-integrations",
      "DatabricksAccessToken",
    );
  }
}

/**
 * The same for every deployment of this resource (project, stack, name) and different for every
 * other resource, so a later create can tell this resource's lost tokens from everyone else's.
 */
function ownerMarkerOf(name: string): string {
  return createHash("sha256").update(`${pulumi.getProject()}/${pulumi.getStack()}/${name}`).digest("hex").slice(0, 8);
}

const tokenProvider = lazyProvider(implementationPath("databricks/access-token"));
