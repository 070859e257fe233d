/**
 * The sandbox command line for people (`bash scripts/sandbox.sh <command>`): run the sandbox as a
 * background daemon, see what each service holds, and make named out-of-band changes through the
 * services' public APIs, as a person in their consoles would. `help` lists the commands.
 */
import * as path from "path";
import { allowOnly, parseArgs, type ParsedArgs } from "../sandbox/cli/args";
import { CHANGES, findChange, type ChangeContext } from "../sandbox/cli/changes";
import { runDaemon } from "../sandbox/cli/daemon";
import { CliError, usageError } from "../sandbox/cli/errors";
import { defaultConfigFile, Home, type SandboxRecord } from "../sandbox/cli/home";
import { endpointLines, startDaemon, statusLines, stopDaemon } from "../sandbox/cli/lifecycle";
import { gatherListing, listingLines, parseServiceFilter } from "../sandbox/cli/list";
import { Session } from "../sandbox/cli/services";
import { table } from "../sandbox/cli/format";

const say = (line = "") => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);
const json = (value: unknown) => say(JSON.stringify(value, null, 2));

const COMMON = ["home", "config", "help"];

const HELP = `usage: sandbox.sh <command> [options]

  start                     start the sandbox in the background (state in <home>/services)
  stop                      stop it (the state stays: a later start continues)
  status                    running or not, pid, uptime, endpoints
  list [service]            what each service holds (databricks, hopsworks or qualytics)
  changes                   the named out-of-band changes
  change <name> [options]   make one, through the service's API (see: change <name> --help)

options
  --home <dir>        where sandbox.json, sandbox.log and services/ live
                      (default: $PDI_SANDBOX_HOME, else <repo>/.sandbox-state)
  --config <file>     the seed the daemon starts from (default: sandbox/seed.json)
  --workspace <host>  the Databricks workspace (default: the first in the seed)
  --json              machine-readable output (status, list, changes, change, start)

list and change start the sandbox first if it is not running.
exit codes: 0 ok, 1 a call failed, 2 usage error`;

function configFileOf(args: ParsedArgs): string {
  return path.resolve(args.options.get("config") ?? defaultConfigFile());
}

/** list and change need the daemon: a person's change must be persisted and seen by later deploys. */
async function ensureRunning(home: Home, args: ParsedArgs): Promise<SandboxRecord> {
  const running = home.running();
  if (running) return running;
  note(`the sandbox is not running: starting it (home ${home.dir})`);
  return (await startDaemon(home, configFileOf(args))).record;
}

function changeHelp(name: string): string[] {
  const change = findChange(name);
  if (!change) throw usageError(`change: unknown change ${name} (see: changes)`);
  const rows = [
    ...change.options.map((o) => [o.flag ? `--${o.name}` : `--${o.name} <${o.arg ?? "value"}>`, o.help]),
    ["--workspace <host>", "Databricks workspace (default: the first in the seed)"],
  ];
  return [`change ${change.name}  (${change.service}): ${change.summary}`, ...table(rows)];
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const [command, ...rest] = args.positionals;
  if (command === undefined || command === "help" || (args.flags.has("help") && command !== "change")) {
    say(HELP);
    return command === undefined && !args.flags.has("help") ? 2 : 0;
  }
  const home = Home.resolve(args.options.get("home"));

  switch (command) {
    case "daemon": {
      allowOnly(args, command, COMMON);
      await runDaemon(home, configFileOf(args));
      return -1; // keeps running until SIGTERM
    }
    case "start": {
      allowOnly(args, command, [...COMMON, "json"]);
      const { record, started } = await startDaemon(home, configFileOf(args));
      if (args.flags.has("json")) json({ started, ...record });
      else {
        say(started ? `started (pid ${record.pid}), home ${home.dir}` : `already running (pid ${record.pid}), home ${home.dir}`);
        const wanted = configFileOf(args);
        if (!started && args.options.has("config") && wanted !== record.configFile) {
          note(`note: it runs ${record.configFile}, not ${wanted}; stop it first to change the seed`);
        }
        endpointLines(record).forEach((l) => say(l));
      }
      return 0;
    }
    case "stop": {
      allowOnly(args, command, COMMON);
      const record = await stopDaemon(home);
      say(record ? `stopped (pid ${record.pid}); state kept in ${record.stateDir}` : `not running (home ${home.dir})`);
      return 0;
    }
    case "status": {
      allowOnly(args, command, [...COMMON, "json"]);
      const record = home.running();
      if (args.flags.has("json")) {
        json(
          record
            ? { running: true, uptimeSeconds: Math.round((Date.now() - Date.parse(record.startedAt)) / 1000), ...record }
            : { running: false, home: home.dir },
        );
      } else statusLines(home, record).forEach((l) => say(l));
      return 0;
    }
    case "list": {
      allowOnly(args, command, [...COMMON, "json", "workspace"]);
      if (rest.length > 1) throw usageError(`list: one service at most (got ${rest.join(" ")})`);
      const services = parseServiceFilter(rest[0]);
      const session = new Session(await ensureRunning(home, args));
      const listing = await gatherListing(session, services, args.options.get("workspace"));
      if (args.flags.has("json")) json(listing);
      else listingLines(listing).forEach((l) => say(l));
      return 0;
    }
    case "changes": {
      allowOnly(args, command, [...COMMON, "json"]);
      if (args.flags.has("json")) json(CHANGES.map((c) => ({ name: c.name, service: c.service, summary: c.summary, options: c.options })));
      else table(CHANGES.map((c) => [c.name, c.service, c.summary])).forEach((l) => say(l));
      return 0;
    }
    case "change": {
      const name = rest[0];
      if (name === undefined) throw usageError("change: which one? (see: changes)");
      if (rest.length > 1) throw usageError(`change: one change at a time (got ${rest.join(" ")})`);
      if (args.flags.has("help")) {
        changeHelp(name).forEach((l) => say(l));
        return 0;
      }
      const change = findChange(name);
      if (!change) throw usageError(`change: unknown change ${name} (see: changes)`);
      allowOnly(args, `change ${name}`, [...COMMON, "json", "workspace", ...change.options.map((o) => o.name)]);
      const session = new Session(await ensureRunning(home, args));
      const ctx: ChangeContext = {
        session,
        option: (o) => args.options.get(o),
        flag: (f) => args.flags.has(f),
        workspaceHost: args.options.get("workspace"),
        progress: note,
      };
      const result = await change.run(ctx);
      if (args.flags.has("json")) json({ change: change.name, service: change.service, ...result });
      else {
        say(`${change.name}: ${result.target}`);
        result.done.forEach((l) => say(`  ${l}`));
      }
      return 0;
    }
    default:
      throw usageError(`unknown command ${command} (see: help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      note(`error: ${err.message}`);
      process.exitCode = err.exitCode;
    } else {
      note(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 1;
    }
  },
);
