import { z } from "zod";
import { hostsSeedSchema } from "../common/seed";

/** Project roles, as Hopsworks spells them. */
export const PROJECT_ROLES = ["Data owner", "Data scientist"] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

/** A Hopsworks user account, its password and the API keys it already has. */
export const hopsworksUserSeedSchema = z.object({
  email: z.string().min(1),
  /** Plain string chosen by whoever writes the seed; the sandbox keeps only its hash. */
  password: z.string().min(1),
  username: z.string().min(1),
  firstname: z.string().default(""),
  lastname: z.string().default(""),
  /**
   * API keys, plain strings chosen by whoever writes the seed (real keys look like
   * `<prefix>.<secret>`); the sandbox keeps only their hashes.
   */
  apiKeys: z.array(z.object({ name: z.string().default("seed"), value: z.string().min(8) })).default([]),
  /** A two-factor account: a login without `otp` is 400/120002 "Second factor required" (any otp is accepted: no TOTP is modelled). */
  twoFactor: z.boolean().default(false),
  /** A blocked account: every login is 401/160007. */
  blocked: z.boolean().default(false),
});

export const hopsworksProjectSeedSchema = z.object({
  name: z.string().min(1),
  /** Assigned from 119 upward when absent. */
  id: z.number().int().optional(),
  /** Email of the owner, who is the project's first Data owner. */
  owner: z.string(),
  members: z.array(z.object({ email: z.string(), role: z.enum(PROJECT_ROLES) })).default([]),
});

export const hopsworksInstanceSeedSchema = z.object({
  /** The real host name this cluster answers for, e.g. `hopsworks.example.com`. */
  host: z.string().min(1),
  /** The Hopsworks version (`GET /variables/versions`); its release family decides what configure does. */
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+/, "must be a version like 4.2.1")
    .default("4.2.1"),
  /** `<addr>` of the DBFS paths: the application server's internal address (derived from the host when absent). */
  internalAddress: z.string().optional(),
  /** The Hive metastore's internal address (A and B set it in spark_conf); `<addr>` when absent. */
  metastoreAddress: z.string().optional(),
  /** The site's REST log level: `devMsg` is only sent under TEST or DEV (Hopsworks' default is PROD). */
  restLogLevel: z.enum(["PROD", "TEST", "DEV"]).default("PROD"),
  /** Whether `POST /auth/login` accepts passwords (deployments with SSO only answer 401/160008). */
  passwordLogin: z.boolean().default(true),
  /** Site variables `jwt_lifetime_ms` and `jwt_exp_leeway_sec` (real time; the sandbox clock scales them). */
  jwtLifetimeMs: z.number().int().positive().default(1_800_000),
  jwtLeewaySeconds: z.number().int().min(0).default(900),
  /** Extra real time one configure takes on this site (slow uploads, a busy application server), scaled by the clock. */
  configureDurationMs: z.number().int().min(0).default(0),
  users: z.array(hopsworksUserSeedSchema).default([]),
  projects: z.array(hopsworksProjectSeedSchema).default([]),
});

export const hopsworksSeedSchema = hostsSeedSchema("instances", hopsworksInstanceSeedSchema);

export type HopsworksUserSeed = z.infer<typeof hopsworksUserSeedSchema>;
export type HopsworksProjectSeed = z.infer<typeof hopsworksProjectSeedSchema>;
export type HopsworksInstanceSeed = z.infer<typeof hopsworksInstanceSeedSchema>;
export type HopsworksSeed = z.input<typeof hopsworksSeedSchema>;
