import { sameValue } from "../core/fields";
import { redact } from "../core/redact";
import { INPUT_KEYS } from "./input-keys";

/**
 * Turns what `pulumi preview --json` (usually with `--refresh`) prints into a short markdown
 * report: one line per drifted resource and property. Pure: the command line lives in
 * `drift-report-cli.ts`.
 *
 * Where the facts come from (checked against the engine's real output):
 * - with `--refresh`, the `update`/`replace` steps carry the *refreshed* live state in
 *   `oldState` (each resource's read returns the live values as its inputs, in
 *   `oldState.inputs`, and as outputs) and the program's desired inputs in `newState.inputs`;
 * - dynamic providers send no detailed diff, so the property is found by comparing those two
 *   inputs, as the engine's own diff (`preview --diff`) does, or read from a resource's own `drift` output (HopsworksConfiguredCluster says exactly which
 *   Spark key, tag, init script or library changed);
 * - a resource that refresh dropped (deleted out of band) shows as a `refresh` step followed by
 *   a `create` of the same URN;
 * - secrets arrive as `"[secret]"` (the CLI masks them without `--show-secrets`); the report
 *   masks anything secret-looking again, in case a user passed `--show-secrets`.
 */

/** The parts of a `pulumi preview --json` step the report reads. */
export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: StepState | null;
  newState?: StepState | null;
  diffReasons?: string[] | null;
  detailedDiff?: Record<string, { kind?: string; inputDiff?: boolean }> | null;
}
interface StepState {
  type?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  additionalSecretOutputs?: string[];
}
export interface PreviewJson {
  steps?: PreviewStep[];
  changeSummary?: Record<string, number>;
  diagnostics?: { severity?: string; message?: string; urn?: string }[];
}

export type DriftKind = "changed" | "deleted" | "replaced" | "new in program" | "removed from program";

/** One drifted property of one resource (or the whole resource for deletes and creates). */
export interface DriftLine {
  /** The resource's name (last URN segment). */
  resource: string;
  /** Its type, without the dynamic-provider prefix (e.g. `HopsworksConfiguredCluster`). */
  type: string;
  kind: DriftKind;
  /** The property that drifted, or `(resource)` when the whole resource did. */
  property: string;
  /** What the live value is and what the program says, masked. */
  detail: string;
}

export interface DriftReport {
  lines: DriftLine[];
  /** The markdown report. */
  markdown: string;
  /** True when anything drifted (or the program differs from the stack). */
  drifted: boolean;
}

/** The engine's placeholder for values known only after `up`. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The ciphertext signature of a secret value in state (`pulumi stack export`). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_NAME = /token|password|secret|apikey|api_key|credential|pat$|personalaccesstoken/i;
/**
 * Never drift: engine plumbing, outputs that change on their own, and inputs that steer the
 * provider itself (a configured cluster's claim and takeOver, a token's owner marker).
 */
const IGNORED_PROPERTIES = new Set(["__provider", "drift", "clusterState", "restored", "adopted", "keyStatus", "claim", "takeOver", "ownerMarker"]);
const MAX_VALUE = 60;
/** Outputs that say whether a write-only input still holds (HopsworksDatabricksInstance.keyStatus). */
const HEALTH_OUTPUTS: Record<string, { healthy: unknown; property: string }> = {
  keyStatus: { healthy: "current", property: "apiKey" },
};

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const typeOf = (urn: string, state?: StepState | null) => {
  const full = state?.type ?? urn.split("::")[2] ?? "";
  return full.slice(full.lastIndexOf(":") + 1);
};

function isSecret(property: string, value: unknown, state?: StepState | null): boolean {
  if (SECRET_NAME.test(property)) return true;
  if (state?.additionalSecretOutputs?.includes(property)) return true;
  if (value === "[secret]") return true;
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG] !== undefined;
}

/** A short, masked rendering of a value for one line of markdown. */
function show(property: string, value: unknown, state?: StepState | null): string {
  if (value === undefined || value === null) return "none";
  if (isSecret(property, value, state)) return "[secret]";
  if (value === UNKNOWN) return "(known after up)";
  const text = redact(typeof value === "string" ? value : JSON.stringify(value));
  return `\`${text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text}\``.replace(/\n/g, " ");
}

/**
 * A `drift` entry of HopsworksConfiguredCluster (see `driftOf` in hopsworks/cluster-spec.ts)
 * split into the cluster property it names and what happened to it.
 */
function ownDriftLine(text: string): { property: string; detail: string } {
  const keyed = /^(spark_conf|custom_tags) (\S+) (.*)$/.exec(text);
  if (keyed) return { property: `${keyed[1]}.${keyed[2]}`, detail: keyed[3] };
  const script = /^init script (.*)$/.exec(text);
  if (script) return { property: "init_scripts", detail: script[1] };
  const library = /^library (.*)$/.exec(text);
  if (library) return { property: "libraries", detail: library[1] };
  if (/^Hopsworks /.test(text)) return { property: "hopsworks", detail: text };
  return { property: "(cluster)", detail: text };
}

/** The properties whose live value differs from the program's, with both values. */
function changedProperties(step: PreviewStep): { property: string; detail: string }[] {
  const live = step.oldState?.outputs ?? {};
  // What the refresh returned as the resource's inputs (each resource's read hands back the live
  // values as inputs): the very values the engine's own diff compares with the program. Outputs
  // stand in only for a step that carries no inputs at all.
  const liveInputs = step.oldState?.inputs;
  const liveInput = (property: string) => (liveInputs ? liveInputs[property] : live[property]);
  const declared = step.newState?.inputs ?? {};
  const found: { property: string; detail: string }[] = [];

  // A resource that reports its own drift knows best (HopsworksConfiguredCluster).
  const ownDrift = live.drift;
  if (Array.isArray(ownDrift)) for (const entry of ownDrift) found.push(ownDriftLine(redact(String(entry))));
  // Health outputs: what refresh saw about an input the service never returns (a stored key).
  for (const [output, { healthy, property }] of Object.entries(HEALTH_OUTPUTS)) {
    if (live[output] !== undefined && live[output] !== healthy) found.push({ property, detail: `${output} is ${show(output, live[output])}` });
  }
  const inputKeys = new Set([...Object.keys(declared), ...(INPUT_KEYS[typeOf(step.urn, step.newState ?? step.oldState)] ?? [])]);
  for (const property of inputKeys) {
    const want = declared[property];
    if (IGNORED_PROPERTIES.has(property) || want === UNKNOWN) continue;
    const have = liveInput(property);
    if (want === "[secret]" && have === "[secret]") continue; // masked on both sides: unknowable here
    if (!sameValue(have, want)) {
      found.push({ property, detail: `live ${show(property, have, step.oldState)}, program ${show(property, want, step.newState)}` });
    }
  }
  // Providers that send a detailed diff (e.g. @pulumi/databricks) name the properties themselves.
  for (const property of Object.keys(step.detailedDiff ?? {})) {
    if (!found.some((f) => f.property === property || property.startsWith(`${f.property}.`) || property.startsWith(`${f.property}[`))) {
      found.push({ property, detail: "differs from the program" });
    }
  }
  for (const property of step.diffReasons ?? []) {
    if (!found.some((f) => f.property === property)) found.push({ property, detail: "differs from the program" });
  }
  return found.length ? found : [{ property: "(resource)", detail: "the provider reports a change without naming the property" }];
}

/** Every drift line in one preview, in step order. */
export function driftLines(preview: PreviewJson): DriftLine[] {
  const steps = preview.steps ?? [];
  const refreshed = new Set(steps.filter((s) => s.op === "refresh").map((s) => s.urn));
  const lines: DriftLine[] = [];
  const add = (step: PreviewStep, kind: DriftKind, property: string, detail: string) =>
    lines.push({ resource: nameOf(step.urn), type: typeOf(step.urn, step.newState ?? step.oldState), kind, property, detail });

  for (const step of steps) {
    if (step.urn.includes("::pulumi:pulumi:Stack::") || step.urn.includes("::pulumi:providers:")) continue;
    switch (step.op) {
      case "update":
        for (const c of changedProperties(step)) add(step, "changed", c.property, c.detail);
        break;
      case "replace":
      case "create-replacement":
        if (step.op === "replace" || !steps.some((s) => s.op === "replace" && s.urn === step.urn)) {
          for (const c of changedProperties(step)) add(step, "replaced", c.property, `${c.detail}; the next up replaces the resource`);
        }
        break;
      case "create":
        if (refreshed.has(step.urn)) add(step, "deleted", "(resource)", "deleted out of band; the next up creates it again");
        else add(step, "new in program", "(resource)", "in the program but not in the stack");
        break;
      case "delete":
        add(step, "removed from program", "(resource)", "in the stack but no longer in the program; the next up deletes it");
        break;
      default:
        break; // same, refresh, read, delete-replaced: nothing to report on their own
    }
  }
  return lines;
}

const escapeCell = (text: string) => text.replace(/\|/g, "\\|");

/** The markdown report: a heading, a one-line summary, and one bullet per drifted property. */
export function driftReport(preview: PreviewJson, title = "Drift report"): DriftReport {
  const lines = driftLines(preview);
  const resources = new Set(lines.map((l) => `${l.type}/${l.resource}`));
  const errors = (preview.diagnostics ?? []).filter((d) => d.severity === "error");
  const out = [`### ${title}`, ""];
  if (!lines.length) {
    out.push("No drift: every resource matches the live services and the program.");
  } else {
    out.push(
      `**${lines.length} drifted ${lines.length === 1 ? "property" : "properties"} in ${resources.size} ${resources.size === 1 ? "resource" : "resources"}.** \`pulumi up --refresh\` repairs them.`,
      "",
    );
    for (const l of lines) {
      out.push(`- \`${l.resource}\` (${l.type}) · ${l.kind} · \`${escapeCell(l.property)}\`: ${escapeCell(l.detail)}`);
    }
  }
  for (const e of errors) out.push("", `> error: ${redact(e.message ?? "").trim()}`);
  return { lines, markdown: `${out.join("\n")}\n`, drifted: lines.length > 0 };
}
