/**
 * What one Hopsworks cluster keeps. Plain JSON only: the whole document is persisted after
 * every mutation and read back on restart.
 */
import type { ProjectRole } from "./seed";

export interface HopsworksUser {
  /** Numeric user id (`users/<uid>` in hrefs). */
  uid: number;
  email: string;
  username: string;
  firstname: string;
  lastname: string;
  /** Salted sha256 of the password: like the real service, the sandbox cannot show it again. */
  passwordSalt: string;
  passwordHash: string;
  /** sha256 of each API key. */
  apiKeys: { name: string; hash: string }[];
  /** Absent in state written before these existed: false. */
  twoFactor?: boolean;
  blocked?: boolean;
}

export interface ProjectMember {
  email: string;
  role: ProjectRole;
  /** Epoch ms the member was added. */
  addedAt: number;
}

export interface ProjectRecord {
  id: number;
  name: string;
  ownerEmail: string;
  created: number;
  /** The owner included, as a Data owner. */
  members: ProjectMember[];
}

export type SecretVisibility = "PRIVATE" | "PROJECT";

export interface SecretRecord {
  ownerEmail: string;
  name: string;
  /**
   * The value in clear: later calls must present it (a Databricks PAT), and it is shown back by
   * `GET /users/secrets/{name}`. The real service encrypts it at rest with its master password.
   */
  value: string;
  visibility: SecretVisibility;
  projectIdScope: number | null;
  addedOn: number;
}

/** One user's registration of a Databricks workspace (the PAT lives in the user's secret `db_<instance>`). */
export interface RegistrationRecord {
  email: string;
  /** Bare workspace host name. */
  instance: string;
  registeredAt: number;
}

/** Site settings from the seed; absent in state written before they existed (defaults apply). */
export interface SiteSettings {
  internalAddress?: string;
  metastoreAddress?: string;
  restLogLevel?: "PROD" | "TEST" | "DEV";
  passwordLogin?: boolean;
  jwtLifetimeMs?: number;
  jwtLeewaySeconds?: number;
  configureDurationMs?: number;
}

export interface InstanceData {
  host: string;
  version: string;
  settings?: SiteSettings;
  /** HS256 signing key of the login JWTs (base64); kept so tokens survive a restart. */
  jwtSecret: string;
  users: HopsworksUser[];
  projects: ProjectRecord[];
  secrets: SecretRecord[];
  registrations: RegistrationRecord[];
  /** The keystore password of each `<project>__<username>`, generated once and then reused. */
  certPasswords: Record<string, string>;
  /** Last id handed out per table, like the real service's database sequences. */
  lastIds: { user: number; project: number };
}
