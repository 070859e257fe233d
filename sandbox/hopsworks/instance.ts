import { createHash, randomBytes } from "crypto";
import { ServiceInstance, type InstanceContext } from "../common/instance";
import type { DatabricksWorkspaces } from "./databricks-client";
import { unauthorized } from "./errors";
import { JwtRejected, signJwt, verifyJwt } from "./jwt";
import { internalAddressOf } from "./release-family";
import type { HopsworksUser, InstanceData, SiteSettings, ProjectRecord, RegistrationRecord, SecretRecord } from "./model";
import type { ProjectRole } from "./seed";

export const hashApiKey = (value: string): string => createHash("sha256").update(value).digest("hex");
export const hashPassword = (salt: string, password: string): string => createHash("sha256").update(`${salt}:${password}`).digest("hex");

/**
 * Login tokens live `jwt_lifetime_ms` (30 minutes) plus `jwt_exp_leeway_sec` (15 minutes), both
 * site variables (Settings.java), scaled by the sandbox clock like every other duration: a
 * deployment longer than that meets 401/200003 and must log in again.
 */
export const TOKEN_LIFETIME_MS = 1_800_000;
export const TOKEN_LEEWAY_SECONDS = 900;

/** What route handlers get: the cluster's state, its clock, the caller, and save. */
export class HopsworksInstance extends ServiceInstance<InstanceData, HopsworksUser> {
  /** `databricks`: the workspaces configure calls reach (the running Databricks sandbox). */
  constructor(
    data: InstanceData,
    context: InstanceContext,
    readonly databricks: DatabricksWorkspaces,
  ) {
    super(data, context);
  }

  get version(): string {
    return this.data.version;
  }

  get settings(): SiteSettings {
    return this.data.settings ?? {};
  }

  /** `<addr>`: the application server's internal address, never the public host. */
  get internalAddress(): string {
    return this.settings.internalAddress ?? internalAddressOf(this.host);
  }

  get metastoreAddress(): string {
    return this.settings.metastoreAddress ?? this.internalAddress;
  }

  /** `devMsg` only reaches clients when the site's REST log level is TEST or DEV. */
  get sendsDevMsg(): boolean {
    return (this.settings.restLogLevel ?? "PROD") !== "PROD";
  }

  /** `https://<host>/hopsworks-api/api`: the base of every href, as a client outside would see it. */
  get apiBase(): string {
    return `https://${this.data.host}/hopsworks-api/api`;
  }

  userByEmail(email: string): HopsworksUser | undefined {
    return this.data.users.find((u) => u.email === email);
  }

  userByUsername(username: string): HopsworksUser | undefined {
    return this.data.users.find((u) => u.username === username);
  }

  userByApiKey(value: string): HopsworksUser | undefined {
    const hash = hashApiKey(value);
    return this.data.users.find((u) => u.apiKeys.some((k) => k.hash === hash));
  }

  passwordMatches(user: HopsworksUser, password: string): boolean {
    return hashPassword(user.passwordSalt, password) === user.passwordHash;
  }

  findProject(name: string): ProjectRecord | undefined {
    return this.data.projects.find((p) => p.name === name);
  }

  projectById(id: number): ProjectRecord | undefined {
    return this.data.projects.find((p) => p.id === id);
  }

  roleOf(project: ProjectRecord, email: string): ProjectRole | undefined {
    return project.members.find((m) => m.email === email)?.role;
  }

  /** The Databricks hosts a user has registered (in registration order). */
  registrations(email: string): string[] {
    return this.data.registrations.filter((r) => r.email === email).map((r) => r.instance);
  }

  registration(email: string, instance: string): RegistrationRecord | undefined {
    return this.data.registrations.find((r) => r.email === email && r.instance === instance);
  }

  secret(email: string, name: string): SecretRecord | undefined {
    return this.data.secrets.find((s) => s.ownerEmail === email && s.name === name);
  }

  /**
   * Creates or replaces a user's PRIVATE secret, out of band (tests, the sandbox CLI): e.g. a
   * rotated or revoked Databricks PAT behind `db_<instance>`.
   */
  setSecret(email: string, name: string, value: string): void {
    if (!this.userByEmail(email)) throw new Error(`no Hopsworks user ${email} on ${this.host}`);
    const existing = this.secret(email, name);
    if (existing) {
      existing.value = value;
    } else {
      this.data.secrets.push({ ownerEmail: email, name, value, visibility: "PRIVATE", projectIdScope: null, addedOn: this.clock.now() });
    }
    this.save();
  }

  /** Removes a user's secret out of band; any registration that relied on it stays. True if it existed. */
  deleteSecret(email: string, name: string): boolean {
    const before = this.data.secrets.length;
    this.data.secrets = this.data.secrets.filter((s) => !(s.ownerEmail === email && s.name === name));
    const removed = this.data.secrets.length !== before;
    if (removed) this.save();
    return removed;
  }

  /**
   * A login JWT for a user, as `POST /auth/login` issues it. Tests may back-date it
   * (`issuedAtMs`) or shorten it to see an expired token refused.
   */
  issueToken(email: string, options: { issuedAtMs?: number; lifetimeMs?: number } = {}): string {
    const user = this.userByEmail(email);
    if (!user) throw new Error(`no Hopsworks user ${email} on ${this.host}`);
    // Fractional seconds (NumericDate allows them): a scaled lifetime can be shorter than a second.
    const iat = (options.issuedAtMs ?? this.clock.now()) / 1000;
    const exp = iat + (options.lifetimeMs ?? this.clock.duration(this.settings.jwtLifetimeMs ?? TOKEN_LIFETIME_MS)) / 1000;
    const token = signJwt({ sub: user.username, iss: this.host, iat, exp, aud: ["api"], roles: ["HOPS_USER"] }, this.jwtKey());
    this.secrets.add(token);
    return token;
  }

  /** The user a login JWT stands for, or AuthFilter's 401. */
  userByToken(token: string): HopsworksUser {
    let sub: string;
    try {
      sub = verifyJwt(
        token,
        this.jwtKey(),
        this.host,
        this.clock.now(),
        this.clock.duration((this.settings.jwtLeewaySeconds ?? TOKEN_LEEWAY_SECONDS) * 1000) / 1000,
      ).sub;
    } catch (err) {
      if (err instanceof JwtRejected) throw unauthorized(err.message);
      throw err;
    }
    const user = this.userByUsername(sub);
    // A genuine token of a user who no longer exists: the sandbox never deletes users, so this is a bug guard.
    if (!user) throw unauthorized("Invalidated token.");
    return user;
  }

  /** The keystore password of a project user: random, made once, then the same on every configure. */
  certPassword(projectName: string, username: string): string {
    const key = `${projectName}__${username}`;
    let password = this.data.certPasswords[key];
    if (!password) {
      password = randomBytes(24).toString("base64url");
      this.data.certPasswords[key] = password;
      this.save();
    }
    return password;
  }

  protected noCaller(): Error {
    return unauthorized("Token not provided.");
  }

  private jwtKey(): Buffer {
    return Buffer.from(this.data.jwtSecret, "base64");
  }
}
