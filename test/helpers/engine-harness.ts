import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { StackOpRequest, StackOpResult } from "../../scripts/lib/stack-op-process";
import { compiledProgram, stackOp, startStackOp } from "./engine";
import { SecretAudit } from "./secret-audit";

/**
 * One stack of an end-to-end test on the real engine, against sandbox services the test started:
 * a fresh state folder (engine home, work folder, file backend, provider log), the stack config
 * that points the program at the sandbox, and the secret audit every engine test ends with, fed
 * with each operation's result. The platform harness (./platform-harness) is this on the main
 * platform and the full seed; tests with a seed of their own build one directly.
 */
export interface EngineHarnessOptions {
  /** Prefix of the temp folder (stack state, provider log). */
  name: string;
  /** The program's source path (e.g. `examples/main/index.ts`); its compiled module under dist/ runs. */
  program: string;
  projectName: string;
  stackName: string;
  /** Real host -> local URL of every sandbox service the program calls (the endpoint-override setting). */
  endpoints: Record<string, string>;
  /** Stack config besides the endpoint override; persists between operations. */
  config?: Record<string, string>;
  secretConfig?: Record<string, string>;
  /** Extra environment for the engine and the provider process (the provider log is set already). */
  env?: Record<string, string>;
  /** The state backend (a team backend such as `postgres://…` or `s3://…`); default a file backend in the temp folder. */
  backendUrl?: string;
  /** Policy packs every `preview`/`up` runs with. */
  policyPacks?: string[];
  /** Secrets the test knows (seed tokens, passwords, API keys): the audit searches for each. */
  secrets?: (string | undefined)[];
  /** Sandbox service base URLs: the audit also searches for every secret each one issued. */
  sandboxUrls?: string[];
  /** Stops what the test started for this stack (its sandboxes); run by `close`. */
  stop?: () => Promise<unknown>;
}

export class EngineHarness {
  readonly stateDir: string;
  readonly logFile: string;
  /** The request every operation starts from (program, stack, config, environment). */
  readonly base: Omit<StackOpRequest, "op">;
  /** Every engine result so far (engine output, outputs, exports): what the secret audit searches. */
  readonly results: StackOpResult[] = [];
  readonly audit = new SecretAudit();
  private readonly stop: () => Promise<unknown>;

  constructor(options: EngineHarnessOptions) {
    this.stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `pdi-${options.name}-`));
    this.logFile = path.join(this.stateDir, "provider.log");
    this.base = {
      programModule: compiledProgram(options.program),
      projectName: options.projectName,
      stackName: options.stackName,
      stateDir: this.stateDir,
      backendUrl: options.backendUrl,
      config: { ...options.config, "databricks-integrations:endpoints": JSON.stringify(options.endpoints) },
      secretConfig: options.secretConfig,
      env: { PULUMI_DATABRICKS_INTEGRATIONS_LOG: this.logFile, ...options.env },
      policyPacks: options.policyPacks,
    };
    this.stop = options.stop ?? (async () => undefined);
    this.audit.addSecrets(...(options.secrets ?? []));
    for (const url of options.sandboxUrls ?? []) this.audit.addSandbox(url);
    // Operations that only check inputs may leave no provider log: reported as missing, not failed.
    this.audit.trackPath("provider log", this.logFile);
    this.audit.trackPath("stack state dir", this.stateDir);
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** One engine operation of exactly this request (see `request` for one built on `base`); never throws. */
  async stackOp(request: StackOpRequest): Promise<StackOpResult> {
    const result = await stackOp(request);
    this.results.push(result);
    this.audit.track(result);
    return result;
  }

  /** The base request with `extra` on top (its config and secret config added to the base's). */
  request(op: StackOpRequest["op"], extra: Partial<StackOpRequest> = {}): StackOpRequest {
    return {
      ...this.base,
      ...extra,
      op,
      config: { ...this.base.config, ...extra.config },
      secretConfig: { ...this.base.secretConfig, ...extra.secretConfig },
    };
  }

  /** One engine operation on the base request; never throws (the result says whether it failed). */
  op(op: StackOpRequest["op"], extra: Partial<StackOpRequest> = {}): Promise<StackOpResult> {
    return this.stackOp(this.request(op, extra));
  }

  /** One engine operation that must succeed: throws with the engine's output when it fails. */
  async run(op: StackOpRequest["op"], extra: Partial<StackOpRequest> = {}): Promise<StackOpResult> {
    const result = await this.op(op, extra);
    if (!result.ok) throw new Error(`${op} failed: ${result.error}\n${result.output}`);
    return result;
  }

  /** Starts an operation in the background, to be killed mid-flight (see `startStackOp`). */
  startOp(op: StackOpRequest["op"], extra: Partial<StackOpRequest> = {}) {
    return startStackOp(this.request(op, extra));
  }

  /** The base config with overrides (stack config persists: later operations see them unless reset). */
  withConfig(config: Record<string, string>): Partial<StackOpRequest> {
    return { config: { ...this.base.config, ...config } };
  }

  /**
   * Another deploy machine on the same stack and backend (a second CI runner): its own engine home
   * and work folder, holding the stack's checked-in config file (with its secrets' salt) copied
   * from this one. Its operations go through `op`/`startOp` with `{ stateDir }` of the result.
   */
  otherRunner(name: string): Partial<StackOpRequest> {
    const stateDir = path.join(this.stateDir, `runner-${name}`);
    const from = path.join(this.stateDir, "work", this.base.projectName);
    const to = path.join(stateDir, "work", this.base.projectName);
    fs.mkdirSync(to, { recursive: true });
    for (const file of fs.readdirSync(from).filter((f) => /^Pulumi\..*\.yaml$/.test(f))) fs.copyFileSync(path.join(from, file), path.join(to, file));
    return { stateDir };
  }

  /**
   * The secret audit of everything this harness ran: the test's secrets and every secret the
   * sandboxes issued, searched for in each engine result (output, outputs, exports), the state
   * folder, the provider log and the `extra` texts.
   */
  verifySecrets(extra: { label: string; text: string }[] = []) {
    for (const { label, text } of extra) this.audit.trackText(label, text);
    return this.audit.verify();
  }
}
