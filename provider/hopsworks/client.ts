import { HttpClient, type ErrorBodyReader, type RequestOptions } from "../core/http";
import { ServiceError } from "../core/errors";
import { registerSecret } from "../core/redact";
import { endpointFor } from "../core/settings";
import { requireLogin, type HopsworksCredentials } from "./credentials";

/** Every REST path of Hopsworks sits under this prefix. */
export const API_BASE = "/hopsworks-api/api";

/** Hopsworks words errors as `{errorCode, errorMsg, usrMsg?, devMsg?}`; the user message says what Databricks said. */
export const readHopsworksError: ErrorBodyReader = (body) => {
  if (body && typeof body === "object") {
    const b = body as { errorCode?: unknown; errorMsg?: unknown; usrMsg?: unknown };
    const parts = [b.errorMsg, databricksWords(b.usrMsg)].filter((p): p is string => typeof p === "string" && p !== "");
    const code = b.errorCode !== undefined ? String(b.errorCode) : undefined;
    return { code, detail: parts.length ? parts.join(": ") : undefined, hint: hopsworksHint(code, parts.join(" ")) };
  }
  return {};
};

/**
 * 270125 carries Databricks' raw response body as `usrMsg` (`{"error_code":…,"message":…}`); older
 * or other forms carry the message alone. Either way, what Databricks said, readably.
 */
function databricksWords(usrMsg: unknown): string | undefined {
  if (typeof usrMsg !== "string") return undefined;
  const text = usrMsg.trim();
  if (!text.startsWith("{")) return text;
  try {
    const raw = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (typeof raw.message === "string") return typeof raw.error_code === "string" ? `${raw.error_code}: ${raw.message}` : raw.message;
  } catch {
    /* not JSON after all */
  }
  return text;
}

/** What to do about the errors a person can fix in their configuration. */
function hopsworksHint(code: string | undefined, text: string): string | undefined {
  if (code === "160008" && /password login not allowed/i.test(text)) {
    return "this Hopsworks does not allow password logins (single sign-on only), and its Databricks integration accepts only a login session: ask its administrator for a user that may log in with a password (a service account), and set hopsworks:email / hopsworks:password to it";
  }
  if (code === "120002" && /second factor/i.test(text)) {
    return "the Hopsworks user has two-factor authentication, which an unattended deployment cannot answer: use a service account without two-factor authentication for hopsworks:email / hopsworks:password";
  }
  if (code === "160007" || code === "160005") {
    return "the Hopsworks account is locked or deactivated (for example after too many failed logins): ask a Hopsworks administrator to unlock it, then check hopsworks:password before running again";
  }
  if (code === "160049") {
    return "Hopsworks already holds a secret db_<workspace host> for this user without a registration (left by an earlier registration): delete that secret under Account settings → Secrets in Hopsworks, then run `pulumi up` again";
  }
  if (code === "160008") {
    return "check hopsworks:email and hopsworks:password (`pulumi config set --secret hopsworks:password <password>`, or HOPSWORKS_EMAIL / HOPSWORKS_PASSWORD)";
  }
  if (code === "320002") {
    return "the API key in hopsworks:apiKey (or HOPSWORKS_API_KEY) is unknown or was deleted: create one under Account settings → API keys and set it there";
  }
  // Databricks' refusal of the token Hopsworks holds for the workspace, passed through as 270125.
  if (code === "270125" && /invalid access token|token (has )?expired|expired token|UNAUTHENTICATED/i.test(text)) {
    return "the Databricks token registered in Hopsworks for this workspace was refused (expired or revoked): give the HopsworksDatabricksInstance a new apiKey (for example a new DatabricksAccessToken's value) and run `pulumi up`, which registers it again";
  }
  return undefined;
}

/** Hopsworks error codes this package acts on (from Hopsworks' RESTCodes). */
export const HopsworksCode = {
  AUTH_METHOD_NOT_SUPPORTED: "200003",
  PROJECT_NOT_FOUND: "150004",
  ROLE_FORBIDDEN: "150068",
  /** Not a member of the project ("No valid role found for this user", Hopsworks' ProjectAuthFilter). */
  NO_ROLE: "160000",
  USER_NOT_FOUND: "160001",
  NOT_MEMBER: "160053",
  SECRET_MISSING: "160048",
  INSTANCE_EXISTS: "270122",
  /** A user secret of that name exists (on register: `db_<instance>` left without a registration). */
  SECRET_EXISTS: "160049",
  INSTANCE_NOT_REGISTERED: "270123",
  CLUSTER_START_FAILED: "270124",
  DATABRICKS_ERROR: "270125",
} as const;

export const hasCode = (err: unknown, code: string): boolean => err instanceof ServiceError && err.service === "Hopsworks" && err.code === code;

export interface ProjectInfo {
  projectId: number;
  projectName: string;
}

export interface HopsworksUser {
  username: string;
  email: string;
  firstname?: string;
  lastname?: string;
}

export interface ProjectMember {
  user: HopsworksUser;
  teamRole: string;
}

/** A Databricks cluster as Hopsworks reports it. */
export interface HopsworksCluster {
  id: string;
  name?: string;
  state?: string;
  sparkConfiguration?: Record<string, string>;
  project?: string;
  user?: HopsworksUser;
}

/** The name under which Hopsworks keeps a user's Databricks PAT (a PRIVATE user secret). */
export const instanceSecretName = (workspaceHost: string) => `db_${workspaceHost}`;

/** Login sessions by cluster and user: one login per provider process, renewed on 401. */
const sessions = new Map<string, string>();
/** A login under way, per session key: concurrent calls that meet an expired session share one. */
const logins = new Map<string, Promise<void>>();

/** Hopsworks' refusal of an API key where only a JWT is accepted: the same 401/200003 as an expired JWT, told apart by its message. */
const isAuthMethodRefusal = (err: ServiceError) => /Authorization method not supported/i.test(err.detail);

/** Every Hopsworks REST call the package makes, one method each. */
export class HopsworksClient {
  readonly host: string;
  readonly port: number;
  private readonly anonymous: HttpClient;
  private readonly session: HttpClient;
  private readonly withKey?: HttpClient;
  private readonly sessionKey: string;

  private readonly configureSession: HttpClient;

  /** `configureTimeoutMs`: how long one configure call may take (it runs for minutes on a real Hopsworks). */
  constructor(
    private readonly credentials: HopsworksCredentials,
    options: { configureTimeoutMs?: number } = {},
  ) {
    this.host = credentials.host;
    this.port = credentials.port;
    registerSecret(credentials.password);
    registerSecret(credentials.apiKey);
    const override = endpointFor(credentials.host);
    // Without an endpoint override the cluster is https://host[:port].
    const baseUrl = (override === `https://${credentials.host}` && credentials.port !== 443 ? `${override}:${credentials.port}` : override) + API_BASE;
    this.sessionKey = `${credentials.host}:${credentials.port}:${credentials.email ?? ""}`;
    const common = { service: "Hopsworks" as const, baseUrl, readError: readHopsworksError };
    this.anonymous = new HttpClient(common);
    const bearer = () => ({ Authorization: `Bearer ${sessions.get(this.sessionKey) ?? ""}` });
    this.session = new HttpClient({ ...common, authHeaders: bearer });
    this.configureSession = new HttpClient({ ...common, authHeaders: bearer, timeoutMs: options.configureTimeoutMs ?? 10 * 60_000 });
    if (credentials.apiKey) this.withKey = new HttpClient({ ...common, authHeaders: () => ({ Authorization: `ApiKey ${credentials.apiKey}` }) });
  }

  // ---- authentication ----

  /** Logs in with email and password; Hopsworks answers with the JWT in the Authorization header. */
  private async login(): Promise<void> {
    const { email, password } = requireLogin(this.credentials);
    const { headers } = await this.anonymous.request({
      method: "POST",
      path: "/auth/login",
      body: new URLSearchParams({ email, password }).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      // Logging in twice only makes two sessions.
      idempotent: true,
      operation: "auth/login",
    });
    const jwt = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "")?.[1];
    if (!jwt)
      throw new ServiceError({ service: "Hopsworks", operation: "auth/login", detail: "the login answer carried no session token (Authorization header)" });
    registerSecret(jwt);
    sessions.set(this.sessionKey, jwt);
  }

  /** Logs in once for every caller waiting on this session key. */
  private async freshLogin(): Promise<void> {
    let pending = logins.get(this.sessionKey);
    if (!pending) {
      pending = this.login().finally(() => logins.delete(this.sessionKey));
      logins.set(this.sessionKey, pending);
    }
    await pending;
  }

  /**
   * A call with the login session: logging in first, and once more when Hopsworks refuses the
   * session (401/200003: a JWT lives 30 minutes plus 15 of leeway), then the call again. A
   * session another call has renewed meanwhile is used as it is.
   */
  private async asUser<T>(req: RequestOptions, http: HttpClient = this.session): Promise<T> {
    if (!sessions.has(this.sessionKey)) await this.freshLogin();
    const used = sessions.get(this.sessionKey);
    try {
      return (await http.request<T>(req)).data;
    } catch (err) {
      if (!(err instanceof ServiceError) || err.status !== 401 || isAuthMethodRefusal(err)) throw err;
      if (sessions.get(this.sessionKey) === used) {
        sessions.delete(this.sessionKey);
        await this.freshLogin();
      }
      return (await http.request<T>(req)).data;
    }
  }

  /** The release Hopsworks runs (`GET /variables/versions`, no login needed), e.g. `3.7.1`. */
  async hopsworksVersion(): Promise<string> {
    const { data } = await this.anonymous.request<unknown>({ method: "GET", path: "/variables/versions", operation: "variables/versions" });
    // A bare list of {software, version}, or the same wrapped in `items`/`versions` (tolerant reader).
    const list = Array.isArray(data)
      ? data
      : ((data as { items?: unknown[]; versions?: unknown[] } | null)?.items ?? (data as { versions?: unknown[] } | null)?.versions ?? []);
    const entry = (list as { software?: unknown; version?: unknown }[]).find(
      (v) => typeof v?.software === "string" && v.software.toLowerCase() === "hopsworks",
    );
    if (typeof entry?.version !== "string") {
      throw new ServiceError({ service: "Hopsworks", operation: "variables/versions", detail: "the answer names no hopsworks version" });
    }
    return entry.version;
  }

  /** Project and secret calls accept an API key too; with a login configured they use it instead. */
  private async asUserOrKey<T>(req: RequestOptions): Promise<T> {
    if (this.credentials.email && this.credentials.password) return this.asUser<T>(req);
    // Without a key either, requireLogin throws the error that says what to configure.
    if (!this.withKey) requireLogin(this.credentials);
    return (await this.withKey!.request<T>(req)).data;
  }

  // ---- users and projects ----

  async profile(): Promise<HopsworksUser> {
    return this.asUser<HopsworksUser>({ method: "GET", path: "/users/profile", operation: "users/profile" });
  }

  async projectInfo(projectName: string): Promise<ProjectInfo> {
    return this.asUserOrKey<ProjectInfo>({
      method: "GET",
      path: `/project/getProjectInfo/${encodeURIComponent(projectName)}`,
      operation: "project/getProjectInfo",
    });
  }

  async projectMembers(projectId: number): Promise<ProjectMember[]> {
    const data = await this.asUserOrKey<ProjectMember[] | { items?: ProjectMember[] }>({
      method: "GET",
      path: `/project/${projectId}/projectMembers`,
      operation: "project/projectMembers",
    });
    return Array.isArray(data) ? data : (data.items ?? []);
  }

  /** The value of one of the caller's secrets, or undefined when there is none by that name. */
  async secretValue(name: string): Promise<string | undefined> {
    try {
      const data = await this.asUserOrKey<{ items?: { name: string; secret?: string }[] }>({
        method: "GET",
        path: `/users/secrets/${encodeURIComponent(name)}`,
        operation: "users/secrets get",
      });
      const value = data.items?.find((s) => s.name === name)?.secret;
      registerSecret(value);
      return value;
    } catch (err) {
      if (err instanceof ServiceError && err.status === 404) return undefined;
      throw err;
    }
  }

  // ---- Databricks integration (login session only) ----

  private integration(projectId: number, rest = ""): string {
    return `/project/${projectId}/integrations/databricks${rest}`;
  }

  /** Workspace hosts the caller has registered (registration is per user; the project only routes the call). */
  async registeredInstances(projectId: number): Promise<string[]> {
    const data = await this.asUser<{ items?: { url?: string; href?: string }[] }>({
      method: "GET",
      path: this.integration(projectId),
      operation: "integrations/databricks list",
    });
    return (data.items ?? []).map((i) => (i.url ?? i.href?.split("/").pop() ?? "").toLowerCase()).filter(Boolean);
  }

  async registerInstance(projectId: number, workspaceHost: string, apiKey: string): Promise<void> {
    registerSecret(apiKey);
    await this.asUser({
      method: "POST",
      path: this.integration(projectId, `/${encodeURIComponent(workspaceHost)}`),
      body: { apiKey },
      operation: "integrations/databricks register",
    });
  }

  /** Unregisters; an instance that is already gone counts as unregistered (returns false). */
  async unregisterInstance(projectId: number, workspaceHost: string): Promise<boolean> {
    try {
      await this.asUser({
        method: "DELETE",
        path: this.integration(projectId, `/${encodeURIComponent(workspaceHost)}`),
        operation: "integrations/databricks unregister",
      });
      return true;
    } catch (err) {
      if (hasCode(err, HopsworksCode.INSTANCE_NOT_REGISTERED) || hasCode(err, HopsworksCode.SECRET_MISSING)) return false;
      if (err instanceof ServiceError && err.status === 404) return false;
      throw err;
    }
  }

  async cluster(projectId: number, workspaceHost: string, clusterId: string): Promise<HopsworksCluster> {
    return this.asUser<HopsworksCluster>({
      method: "GET",
      path: this.integration(projectId, `/${encodeURIComponent(workspaceHost)}/clusters/${encodeURIComponent(clusterId)}`),
      // Hopsworks answers every Databricks failure (a bad stored key included) with a 500:
      // repeating it rarely helps, so only 429/503 are retried.
      idempotent: false,
      operation: "integrations/databricks cluster get",
    });
  }

  /**
   * Asks Hopsworks to configure a cluster for a project user (the guide's "Configure"). Not
   * retried on a 500 by the HTTP layer: Hopsworks wraps every Databricks error in one, and the
   * caller decides which of those are worth another attempt.
   */
  async configureCluster(projectId: number, workspaceHost: string, clusterId: string, username: string): Promise<HopsworksCluster> {
    // Its own timeout (configure waits for the cluster and uploads the client); never repeated by
    // the HTTP layer after it may have been received (idempotent: false).
    return this.asUser<HopsworksCluster>(
      {
        method: "POST",
        path: this.integration(projectId, `/${encodeURIComponent(workspaceHost)}/clusters/${encodeURIComponent(clusterId)}`),
        query: { username },
        idempotent: false,
        operation: "integrations/databricks configure cluster",
      },
      this.configureSession,
    );
  }
}
