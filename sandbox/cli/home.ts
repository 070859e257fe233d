import * as fs from "fs";
import * as path from "path";
import { JsonFile } from "../common/persistence";

/** The repo root: the nearest folder above this file that holds `sandbox/seed.json` (works from `dist/` too). */
export function repoRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "sandbox", "seed.json")) && fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the repo root above ${from}`);
  }
}

export const defaultConfigFile = () => path.join(repoRoot(), "sandbox", "seed.json");

export type ServiceName = "databricks" | "hopsworks" | "qualytics";
export const SERVICES: readonly ServiceName[] = ["databricks", "hopsworks", "qualytics"];

/** `<home>/sandbox.json`: written by the daemon once it listens, removed when it stops. */
export interface SandboxRecord {
  pid: number;
  /** Real host -> local URL, every service: the value of the endpoint-override setting. */
  endpoints: Record<string, string>;
  /** The same, per service. */
  services: Record<ServiceName, Record<string, string>>;
  /** ISO time the daemon started listening. */
  startedAt: string;
  stateDir: string;
  configFile: string;
  logFile: string;
}

/** `<home>`: the daemon's record, its log, and the services' state in `services/`. */
export class Home {
  readonly recordFile: string;
  readonly logFile: string;
  readonly stateDir: string;
  /** Ports of the last run, so endpoints stay the same across restarts. */
  readonly portsFile: string;
  private readonly record: JsonFile<SandboxRecord>;

  constructor(readonly dir: string) {
    this.recordFile = path.join(dir, "sandbox.json");
    this.logFile = path.join(dir, "sandbox.log");
    this.stateDir = path.join(dir, "services");
    this.portsFile = path.join(this.stateDir, "ports.json");
    this.record = new JsonFile<SandboxRecord>(this.recordFile);
  }

  /** `--home`, else `$PDI_SANDBOX_HOME`, else `<repo>/.sandbox-state` (the main job's folder). */
  static resolve(flag: string | undefined): Home {
    const dir = flag ?? process.env.PDI_SANDBOX_HOME ?? path.join(repoRoot(), ".sandbox-state");
    return new Home(path.resolve(dir));
  }

  /** The record of a live daemon; a record whose process is gone is stale and removed. */
  running(): SandboxRecord | undefined {
    let record: SandboxRecord | undefined;
    try {
      record = this.record.load();
    } catch {
      record = undefined; // torn or foreign file: treat as not running
    }
    if (record && isDaemon(record.pid)) return record;
    if (fs.existsSync(this.recordFile)) fs.rmSync(this.recordFile, { force: true });
    return undefined;
  }

  /** Pretty-printed (people read it too), written atomically like every state file. */
  writeRecord(record: SandboxRecord): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.recordFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
    fs.renameSync(tmp, this.recordFile);
  }

  /** Removes the record if it is still this process's (a newer daemon's record stays). */
  removeRecord(pid: number): void {
    try {
      if (this.record.load()?.pid === pid) fs.rmSync(this.recordFile, { force: true });
    } catch {
      fs.rmSync(this.recordFile, { force: true });
    }
  }

  preferredPorts(): Record<string, number> {
    try {
      return JSON.parse(fs.readFileSync(this.portsFile, "utf8")) as Record<string, number>;
    } catch {
      return {};
    }
  }

  savePorts(endpoints: Record<string, string>): void {
    const ports = Object.fromEntries(Object.entries(endpoints).map(([host, url]) => [host, Number(new URL(url).port)]));
    new JsonFile<Record<string, number>>(this.portsFile).save(ports);
  }
}

/**
 * A live sandbox daemon: the process exists and, where /proc tells, is `sandbox-cli.js daemon`
 * (a stale sandbox.json whose pid now belongs to something else, e.g. after a reboot, is not).
 */
export function isDaemon(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv.some((a) => a.endsWith("sandbox-cli.js")) && argv.includes("daemon");
  } catch {
    return true; // no /proc (or not ours to read): trust the pid
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive but someone else's.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
