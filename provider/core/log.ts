import * as fs from "fs";
import { redact } from "./redact";

/**
 * The provider's own log. Off unless `PULUMI_DATABRICKS_INTEGRATIONS_LOG` names a file (or
 * `stderr`); the engine shows plugin stderr as unstructured diagnostics, so stderr is opt-in.
 * Every line passes through redaction.
 */
export function log(message: string, fields?: Record<string, unknown>): void {
  const target = process.env.PULUMI_DATABRICKS_INTEGRATIONS_LOG;
  if (!target) return;
  const line = redact(`${new Date().toISOString()} ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`) + "\n";
  if (target === "stderr") process.stderr.write(line);
  else fs.appendFileSync(target, line);
}
