import { z } from "zod";
import { hostsSeedSchema } from "../common/seed";
import { datastoreCreateBody } from "./bodies";
import { DIALECTS } from "./dialect";
import { ROLES } from "./model";
import { DEFAULT_SIGNING_KEY, mintQualyticsToken } from "./tokens";

/** A Qualytics user and the API tokens it already has. */
export const qualyticsUserSeedSchema = z.object({
  email: z.string().min(1),
  /** Defaults to Admin so a seed needs no role to use every route. */
  role: z.enum(ROLES).default("Admin"),
  /**
   * JWTs signed with the deployment's `tokenSigningKey` (see `mintQualyticsToken`), like the
   * tokens real Qualytics issues; the sandbox stores only their hashes. An `exp` in the past is
   * allowed (it answers 401), so a seed can carry an expired token for tests. A seed file gives a
   * token by its claims (`{"claims": {"sub", "exp"}}`), signed when the seed is read
   * (this schema's transform; `readSeed` in scripts/lib/platform-config.ts parses with it); a literal
   * `value` is accepted too.
   */
  tokens: z
    .array(
      z.union([
        z.object({ value: z.string().min(8) }),
        z.object({ claims: z.object({ sub: z.string().min(1), exp: z.number(), iat: z.number().optional() }).catchall(z.unknown()) }),
      ]),
    )
    .default([]),
});

/**
 * A datastore that exists from the start: the create body (inline `connection` or the
 * `connection_id` of an earlier seeded connection), without a sync. Seeded datastores are not
 * connection-tested at startup; `connected` says what the last test found.
 */
export const qualyticsDatastoreSeedSchema = z.intersection(
  datastoreCreateBody,
  z.object({
    connected: z.boolean().default(true),
    /** Name of a seeded enrichment datastore to link (listed earlier in `datastores`). */
    enrich_datastore: z.string().optional(),
  }),
);

export const qualyticsInstanceSeedSchema = z
  .object({
    /** The real host name this deployment answers for, e.g. `acme.qualytics.io`. */
    host: z.string().min(1),
    users: z.array(qualyticsUserSeedSchema).default([]),
    /** Team names; the first is the default team of datastores created without `teams`. */
    teams: z.array(z.string().min(1)).default(["Public"]),
    datastores: z.array(qualyticsDatastoreSeedSchema).default([]),
    /** HS256 key the deployment signs and checks its tokens with. */
    tokenSigningKey: z.string().min(8).default(DEFAULT_SIGNING_KEY),
    /**
     * Which of the shapes the public sources show this deployment answers in (see `dialect.ts`):
     * `guide` (the user guide's examples), `cli` (what qualytics-cli's comments describe) or
     * `legacy` (an older control plane with the older field names).
     */
    dialect: z.enum(DIALECTS).default("cli"),
    /** Whether `POST /datastores/connection` (the unsaved-payload test) exists: some deployments lack it. */
    unsavedConnectionTest: z.boolean().default(true),
    /**
     * Whether a create tests the connection and refuses to save on failure (the sandbox's default,
     * see datastores.ts). false: it saves untested with `connected: false`, as a plane that leaves
     * the test to the saved datastore's route would; unconfirmed which real planes do.
     */
    createTestsConnection: z.boolean().default(true),
  })
  // Tokens given by their claims are signed now, with this deployment's key.
  .transform((inst) => ({
    ...inst,
    users: inst.users.map((u) => ({
      ...u,
      tokens: u.tokens.map((t) => ({ value: "value" in t ? t.value : mintQualyticsToken(inst.tokenSigningKey, t.claims) })),
    })),
  }));

export const qualyticsSeedSchema = z.object({
  /**
   * Requests per second each deployment answers before it says 429 with `Retry-After`; null or
   * 0 turns the limiter off (the default). Settable at runtime: `POST /__sandbox/rate-limit`.
   */
  rateLimit: z.object({ requestsPerSecond: z.number().min(0).nullable() }).default({ requestsPerSecond: null }),
  ...hostsSeedSchema("instances", qualyticsInstanceSeedSchema).shape,
});

export type QualyticsUserSeed = z.infer<typeof qualyticsUserSeedSchema>;
export type QualyticsDatastoreSeed = z.infer<typeof qualyticsDatastoreSeedSchema>;
export type QualyticsInstanceSeed = z.infer<typeof qualyticsInstanceSeedSchema>;
export type QualyticsSeed = z.input<typeof qualyticsSeedSchema>;
