import * as fs from "fs";
import { redact } from "./redact";
import { logTarget } from "./settings";

/**
 * The provider's own log. Off unless `PULUMI_DATABRICKS_INTEGRATIONS_LOG` names a file (or
 * `stderr`); the engine shows plugin stderr as unstructured diagnostics, so stderr is opt-in.
 * Every line passes through redaction.
 */
export function log(message: string, fields?: Record<string, unknown>): void {
  const target = logTarget();
  if (!target) return;
  const line = redact(`${new Date().toISOString()} ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`) + "\n";
  if (target === "stderr") process.stderr.write(line);
  else fs.appendFileSync(target, line);
}

/**
 * A message the person running the deployment should see (what a resource restored, why a
 * cluster restarts). Dynamic providers have no per-resource log channel; the engine shows a
 * plugin's stderr as diagnostics, so notices go there, redacted, and into the log.
 */
export function notice(message: string): void {
  const text = redact(message);
  process.stderr.write(`${text}\n`);
  log(`notice: ${text}`);
}
