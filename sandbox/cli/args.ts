import { usageError } from "./errors";

/** Options that take no value; every other `--name` takes one. */
const FLAGS = new Set(["json", "help", "restart"]);

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

/** `--name value`, `--name=value`, boolean `--flag`, `-h`; anything else is positional. */
export function parseArgs(argv: string[]): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h") {
      parsed.flags.add("help");
      continue;
    }
    if (!arg.startsWith("--")) {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (FLAGS.has(name)) {
      if (eq >= 0) throw usageError(`--${name} takes no value`);
      parsed.flags.add(name);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") throw usageError(`--${name} needs a value`);
    parsed.options.set(name, value);
  }
  return parsed;
}

/** Refuses options the command does not know, naming the ones it does. */
export function allowOnly(args: ParsedArgs, command: string, allowed: string[]): void {
  for (const name of [...args.options.keys(), ...args.flags]) {
    if (!allowed.includes(name)) {
      throw usageError(`${command}: unknown option --${name} (allowed: ${allowed.map((a) => `--${a}`).join(", ")})`);
    }
  }
}
