import { spawn } from "child_process";
import * as fs from "fs";
import { CliError } from "./errors";
import { duration, table } from "./format";
import * as path from "path";
import { SERVICES, isDaemon, repoRoot, type Home, type SandboxRecord } from "./home";

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The last lines of the daemon's log, for a start that failed. */
function logTail(home: Home, lines = 15): string {
  try {
    return fs.readFileSync(home.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** The compiled CLI, whose `daemon` command is the daemon's body (whoever calls startDaemon). */
const cliScript = () => path.join(repoRoot(), "dist", "scripts", "sandbox-cli.js");

/**
 * Starts the daemon detached (the compiled CLI, command `daemon`), its output appended to
 * sandbox.log, and waits until it has written sandbox.json. A daemon already running is returned
 * as it is (`started: false`).
 */
export async function startDaemon(home: Home, configFile: string): Promise<{ record: SandboxRecord; started: boolean }> {
  const running = home.running();
  if (running) return { record: running, started: false };

  fs.mkdirSync(home.dir, { recursive: true });
  const out = fs.openSync(home.logFile, "a");
  const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", cliScript(), "daemon", "--home", home.dir, "--config", configFile], {
    cwd: repoRoot(),
    detached: true,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  let exited: number | null | undefined;
  child.on("exit", (code) => (exited = code));
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const record = home.running();
    if (record && record.pid === child.pid) return { record, started: true };
    if (exited !== undefined) throw new CliError(`the sandbox daemon exited (code ${exited}) before listening; ${home.logFile} ends:\n${logTail(home)}`);
    await sleep(100);
  }
  if (child.pid) process.kill(child.pid, "SIGTERM");
  throw new CliError(`the sandbox daemon did not start within ${START_TIMEOUT_MS / 1000} s; ${home.logFile} ends:\n${logTail(home)}`);
}

/** SIGTERM, wait for the process to end (SIGKILL after a while), then make sure sandbox.json is gone. */
export async function stopDaemon(home: Home): Promise<SandboxRecord | undefined> {
  const record = home.running();
  if (!record) return undefined;
  process.kill(record.pid, "SIGTERM");
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  // isDaemon, not just "pid exists": a zombie (empty cmdline) has stopped too.
  while (isDaemon(record.pid) && Date.now() < deadline) await sleep(100);
  if (isDaemon(record.pid)) {
    process.kill(record.pid, "SIGKILL");
    while (isDaemon(record.pid) && Date.now() < deadline + 5_000) await sleep(50);
  }
  home.removeRecord(record.pid);
  return record;
}

/** Endpoints per service, for people. */
export function endpointLines(record: SandboxRecord): string[] {
  const rows = SERVICES.flatMap((service) => Object.entries(record.services[service] ?? {}).map(([host, url]) => [service, host, url]));
  return table(rows);
}

export function statusLines(home: Home, record: SandboxRecord | undefined): string[] {
  if (!record) return [`not running (home ${home.dir})`];
  return [
    `running: pid ${record.pid}, up ${duration(Date.now() - Date.parse(record.startedAt))} (since ${record.startedAt})`,
    `home ${home.dir}, log ${record.logFile}`,
    ...endpointLines(record),
  ];
}
