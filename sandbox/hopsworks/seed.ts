import { z } from "zod";

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
  /** The Hopsworks version; configured clusters get `hsfs~=<major>.<minor>.0`. */
  version: z.string().default("4.2.1"),
  users: z.array(hopsworksUserSeedSchema).default([]),
  projects: z.array(hopsworksProjectSeedSchema).default([]),
});

export const hopsworksSeedSchema = z.object({
  instances: z.array(hopsworksInstanceSeedSchema).default([]),
});

export type HopsworksUserSeed = z.infer<typeof hopsworksUserSeedSchema>;
export type HopsworksProjectSeed = z.infer<typeof hopsworksProjectSeedSchema>;
export type HopsworksInstanceSeed = z.infer<typeof hopsworksInstanceSeedSchema>;
export type HopsworksSeed = z.input<typeof hopsworksSeedSchema>;
