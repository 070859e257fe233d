#!/usr/bin/env node
/**
 * `pulumi-drift-report [preview.json]`: reads what `pulumi preview --json` printed (a file, or
 * stdin), prints a markdown drift report, and exits 0 when nothing drifted, 2 when something
 * did, 1 when the input is not a preview. Also appends the report to `$GITHUB_STEP_SUMMARY`
 * when GitHub Actions sets it, so the job page shows it.
 */
import * as fs from "fs";
import { driftReport, type PreviewJson } from "./drift-report";

export const EXIT_NO_DRIFT = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_DRIFT = 2;

const USAGE = "usage: pulumi-drift-report [--title <text>] [preview.json]   (reads stdin without a file)";

function parseArgs(argv: string[]): { file?: string; title?: string } | string {
  const args: { file?: string; title?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--title") {
      if (!argv[i + 1]) return "--title needs a value";
      args.title = argv[++i];
    } else if (arg === "--help" || arg === "-h") return USAGE;
    else if (arg.startsWith("-")) return `unknown option ${arg}`;
    else if (args.file) return "give one preview file at most";
    else args.file = arg;
  }
  return args;
}

/** `pulumi preview --json` may print log lines before the JSON document when a plugin writes to stdout. */
function parsePreview(text: string): PreviewJson {
  const start = text.indexOf("{");
  if (start < 0) throw new Error("no JSON object in the input");
  const parsed = JSON.parse(text.slice(start)) as PreviewJson;
  if (!parsed || typeof parsed !== "object" || (!Array.isArray(parsed.steps) && !parsed.changeSummary && !parsed.diagnostics)) {
    throw new Error("the JSON is not `pulumi preview --json` output (no steps, changeSummary or diagnostics)");
  }
  return parsed;
}

export function main(argv: string[]): number {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    process.stderr.write(`${args}\n${args === USAGE ? "" : `${USAGE}\n`}`);
    return args === USAGE ? EXIT_NO_DRIFT : EXIT_BAD_INPUT;
  }
  let preview: PreviewJson;
  try {
    preview = parsePreview(fs.readFileSync(args.file ?? 0, "utf8"));
  } catch (err) {
    process.stderr.write(`pulumi-drift-report: cannot read ${args.file ?? "stdin"}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_BAD_INPUT;
  }
  const report = driftReport(preview, args.title);
  process.stdout.write(report.markdown);
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, report.markdown);
  return report.drifted ? EXIT_DRIFT : EXIT_NO_DRIFT;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
