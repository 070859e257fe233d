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
    const parts = [b.errorMsg, b.usrMsg].filter((p): p is string => typeof p === "string" && p !== "");
    const code = b.errorCode !== undefined ? String(b.errorCode) : undefined;
    return { code, detail: parts.length ? parts.join(": ") : undefined, hint: hopsworksHint(code, parts.join(" ")) };
  }
  return {};
};

/** What to do about the errors a person can fix in their configuration. */
function hopsworksHint(code: string | undefined, text: string): string | undefined {
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

/** Every Hopsworks REST call the package makes, one method each. */
export class HopsworksClient {
  readonly host: string;
  readonly port: number;
  private readonly anonymous: HttpClient;
  private readonly session: HttpClient;
  private readonly withKey?: HttpClient;
  private readonly sessionKey: string;

  constructor(private readonly credentials: HopsworksCredentials) {
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
    this.session = new HttpClient({ ...common, authHeaders: () => ({ Authorization: `Bearer ${sessions.get(this.sessionKey) ?? ""}` }) });
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
    if (!jwt) throw new ServiceError({ service: "Hopsworks", operation: "auth/login", detail: "the login answer carried no session token (Authorization header)" });
    registerSecret(jwt);
    sessions.set(this.sessionKey, jwt);
  }

  /** A call with the login session, logging in first and once more if the session expired. */
  private async asUser<T>(req: RequestOptions): Promise<T> {
    if (!sessions.has(this.sessionKey)) await this.login();
    try {
      return (await this.session.request<T>(req)).data;
    } catch (err) {
      if (!(err instanceof ServiceError) || err.status !== 401 || err.code === HopsworksCode.AUTH_METHOD_NOT_SUPPORTED) throw err;
      sessions.delete(this.sessionKey);
      await this.login();
      return (await this.session.request<T>(req)).data;
    }
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
      await this.asUser({ method: "DELETE", path: this.integration(projectId, `/${encodeURIComponent(workspaceHost)}`), operation: "integrations/databricks unregister" });
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
    return this.asUser<HopsworksCluster>({
      method: "POST",
      path: this.integration(projectId, `/${encodeURIComponent(workspaceHost)}/clusters/${encodeURIComponent(clusterId)}`),
      query: { username },
      operation: "integrations/databricks configure cluster",
    });
  }
}
