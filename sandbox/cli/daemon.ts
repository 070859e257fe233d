import { startSandbox } from "../index";
import { Home, type SandboxRecord } from "./home";

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

/**
 * The daemon's body (`sandbox-cli daemon`, started detached by `start`, output in sandbox.log):
 * starts every service on the home's state, on the ports of the last run when free, writes
 * sandbox.json once listening, and on SIGTERM/SIGINT closes the services and removes it.
 */
export async function runDaemon(home: Home, configFile: string): Promise<void> {
  const other = home.running();
  if (other && other.pid !== process.pid) throw new Error(`another sandbox daemon (pid ${other.pid}) already uses ${home.dir}`);

  log(`starting: config ${configFile}, state ${home.stateDir}`);
  const sandbox = await startSandbox({ configFile, stateDir: home.stateDir, preferredPorts: home.preferredPorts() });
  home.savePorts(sandbox.endpoints);
  const record: SandboxRecord = {
    pid: process.pid,
    endpoints: sandbox.endpoints,
    services: { databricks: sandbox.databricks.endpoints, hopsworks: sandbox.hopsworks.endpoints, qualytics: sandbox.qualytics.endpoints },
    startedAt: new Date().toISOString(),
    stateDir: home.stateDir,
    configFile,
    logFile: home.logFile,
  };
  home.writeRecord(record);
  for (const [host, url] of Object.entries(sandbox.endpoints)) log(`listening: ${host} -> ${url}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    home.removeRecord(process.pid);
    sandbox.close().then(
      () => {
        log("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        log(`stop failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
