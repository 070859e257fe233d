import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import type { StackOpRequest, StackOpResult } from "../../scripts/lib/stack-op-process";
import { stackOp } from "./engine";

/**
 * The secret audit of the end-to-end tests: every token, API key, password and JWT a test used
 * or a sandbox service knows is searched for in everything the deployment left behind or
 * printed (engine output, exported stacks, the state backend, the provider's log, CLI output).
 * None may appear, in clear nor base64- nor URL-encoded.
 *
 * One audit per test file: add the secrets and sandbox URLs, track every stack operation's
 * result and the paths, and call `verify()` in a final test.
 */

/** Secrets shorter than this would match ordinary words: counted as skipped, not searched. */
const MIN_SECRET_LENGTH = 8;
/** A serialized provider larger than this carries more than a module-path loader. */
const MAX_PROVIDER_BYTES = 8 * 1024;
/** What a serialized provider may name: the module that holds a resource's lifecycle. */
const PROVIDER_MODULE = /^pulumi-databricks-integrations\/dist\/provider\/[a-z0-9/_-]+$/;
/** Shapes of real credentials (a Databricks PAT, a JWT): none may appear, whoever issued it. */
const CREDENTIAL_SHAPES: [string, RegExp][] = [
  ["a Databricks token shape", /dapi[0-9a-f]{32}/g],
  ["a JWT shape", /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
];

interface Haystack {
  label: string;
  /** The bytes as a latin1 string: one char per byte, so any needle's UTF-8 bytes are found. */
  text: () => string;
}

interface Needle {
  secret: string;
  form: string;
  /** Latin1 string of the needle's UTF-8 bytes. */
  bytes: string;
}

export interface SecretAuditSummary {
  /** Distinct secrets searched for (at least MIN_SECRET_LENGTH characters). */
  secrets: number;
  /** Haystacks searched: texts, stack results, files. */
  haystacks: number;
  bytes: number;
  /** Serialized providers (`__provider`) checked, and their total size. */
  providers: number;
  providerBytes: number;
  /** Secrets shorter than MIN_SECRET_LENGTH, not searched. */
  skipped: number;
  /** Tracked paths that did not exist at verify time. */
  missing: string[];
}

const asBytes = (text: string) => Buffer.from(text, "utf8").toString("latin1");

/** A masked preview of a secret: enough to tell which one, never the value. */
export const maskSecret = (secret: string) =>
  `${secret.slice(0, 3)}… (${secret.length} chars, sha256 ${createHash("sha256").update(secret).digest("hex").slice(0, 10)})`;

/**
 * The base64 text that encodes `secret` wherever it sits in a longer base64 stream: for each of
 * the three byte alignments, only the characters that depend on the secret's bytes alone.
 */
function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const fragments: string[] = [];
  for (let lead = 0; lead < 3; lead++) {
    const encoded = Buffer.concat([Buffer.alloc(lead), bytes]).toString("base64");
    const start = Math.ceil((lead * 8) / 6);
    const end = Math.floor(((lead + bytes.length) * 8) / 6);
    fragments.push(encoded.slice(start, end));
  }
  return fragments;
}

function needlesOf(secret: string): Needle[] {
  const forms = new Map<string, string>([[secret, "in clear"]]);
  const add = (value: string, form: string) => {
    if (value.length >= MIN_SECRET_LENGTH && !forms.has(value)) forms.set(value, form);
  };
  add(JSON.stringify(secret).slice(1, -1), "JSON-escaped");
  add(encodeURIComponent(secret), "URL-encoded");
  add(new URLSearchParams({ s: secret }).toString().slice(2), "form-encoded");
  for (const fragment of base64Fragments(secret)) {
    add(fragment, "base64-encoded");
    add(fragment.replace(/\+/g, "-").replace(/\//g, "_"), "base64url-encoded");
  }
  return [...forms].map(([value, form]) => ({ secret, form, bytes: asBytes(value) }));
}

/** The secrets a sandbox service knows (`GET /__sandbox/secrets` on its base URL). */
export async function sandboxSecrets(url: string): Promise<string[]> {
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, "")}/__sandbox/secrets`);
  } catch (err) {
    throw new Error(
      `secret audit: cannot read the secrets of the sandbox at ${url} (is it still running?): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (res.status !== 200) throw new Error(`secret audit: GET ${url}/__sandbox/secrets answered ${res.status}`);
  const body = (await res.json()) as { secrets?: unknown };
  if (!Array.isArray(body.secrets) || !body.secrets.every((s) => typeof s === "string")) {
    throw new Error(`secret audit: GET ${url}/__sandbox/secrets did not answer {secrets: string[]}`);
  }
  return body.secrets as string[];
}

/** Stack outputs as the Automation API returns them, secret ones replaced: those are the caller's to see. */
function outputsWithoutSecrets(outputs: unknown): unknown {
  if (!outputs || typeof outputs !== "object") return outputs;
  return Object.fromEntries(
    Object.entries(outputs as Record<string, unknown>).map(([name, output]) => {
      const o = output as { value?: unknown; secret?: unknown } | undefined;
      return [name, o && typeof o === "object" && "secret" in o ? { value: o.secret ? "[secret output]" : o.value, secret: o.secret } : o];
    }),
  );
}

/** Every `__provider` string in a JSON document (deployment, checkpoint). */
function providersIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) providersIn(item, found);
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === "__provider" && typeof child === "string") found.push(child);
      else providersIn(child, found);
    }
  }
  return found;
}

/** Why a serialized provider is more than a module-path loader, if it is. */
function providerProblem(text: string): string | undefined {
  const size = Buffer.byteLength(text, "utf8");
  if (size > MAX_PROVIDER_BYTES) return `${size} bytes (more than ${MAX_PROVIDER_BYTES}: it captured more than a module path)`;
  const literals = [...text.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|`((?:[^`\\]|\\.)*)`/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
  if (literals.length === 0) return "names no module to load";
  const foreign = literals.filter((l) => !PROVIDER_MODULE.test(l));
  // Masked: such a string may be the very secret that must not be printed.
  if (foreign.length) return `holds ${foreign.length} string(s) that are not the lifecycle module path (e.g. ${maskSecret(foreign[0]!)})`;
  return undefined;
}

export class SecretAudit {
  private readonly secrets = new Set<string>();
  private readonly sandboxes = new Set<string>();
  private readonly haystacks: Haystack[] = [];
  private readonly deployments: { label: string; value: unknown }[] = [];
  private readonly paths: { label: string; fsPath: string }[] = [];
  private results = 0;

  /** Secrets known up front (seed tokens, API keys, passwords). */
  addSecrets(...values: (string | undefined)[]): void {
    for (const value of values) if (typeof value === "string" && value !== "") this.secrets.add(value);
  }

  /** A sandbox service base URL whose GET /__sandbox/secrets is read at verify time. */
  addSandbox(url: string): void {
    this.sandboxes.add(url.replace(/\/+$/, ""));
  }

  /** Runs a stack operation (see `stackOp` in ./engine) and tracks its result. */
  async stackOp(request: StackOpRequest): Promise<StackOpResult> {
    const result = await stackOp(request);
    this.track(result);
    return result;
  }

  /** Engine output and result of a stack operation (StackOpResult from scripts/lib/stack-op-process.ts: output, error, outputs, deployment). */
  track(result: { output?: string; error?: string; outputs?: unknown; deployment?: unknown }): void {
    const n = ++this.results;
    const add = (part: string, text: string | undefined) => {
      if (text) this.haystacks.push({ label: `stack operation #${n} ${part}`, text: () => asBytes(text) });
    };
    add("engine output", result.output);
    add("error", result.error);
    if (result.outputs !== undefined) add("outputs (secret outputs excluded)", JSON.stringify(outputsWithoutSecrets(result.outputs)));
    if (result.deployment !== undefined) {
      add("exported stack", JSON.stringify(result.deployment));
      this.deployments.push({ label: `stack operation #${n} exported stack`, value: result.deployment });
    }
  }

  /** Free text captured elsewhere (e.g. CLI stdout). */
  trackText(label: string, text: string): void {
    this.haystacks.push({ label, text: () => asBytes(text) });
  }

  /** A file (provider log) or a folder (stack state dir: backend checkpoints, history, backups) searched recursively. */
  trackPath(label: string, fsPath: string): void {
    this.paths.push({ label, fsPath });
  }

  /**
   * Searches every tracked haystack for every secret (also base64- and URL-encoded forms), and for
   * the shapes of real credentials; throws an Error listing where each one was found (by label
   * and a masked preview, never the secret itself), or returns a summary when clean. Also asserts
   * every `__provider` string in tracked deployments and state files is only a module-path loader.
   */
  async verify(): Promise<{ secrets: number; haystacks: number; bytes: number; providerBytes: number } & SecretAuditSummary> {
    const all = new Set(this.secrets);
    for (const url of this.sandboxes) for (const secret of await sandboxSecrets(url)) all.add(secret);
    const searched = [...all].filter((s) => s.length >= MIN_SECRET_LENGTH);
    const skipped = all.size - searched.length;
    const needles = searched.flatMap(needlesOf);

    // Files are read now, at verify time: the state as the last operation left it.
    const missing: string[] = [];
    const files: Haystack[] = [];
    // A file under two tracked paths (a provider log inside the state dir) is searched once, under the first label.
    const searchedFiles = new Set<string>();
    const providerSources: { label: string; value: unknown }[] = [...this.deployments];
    for (const { label, fsPath } of this.paths) {
      if (!fs.existsSync(fsPath)) {
        missing.push(`${label} (${fsPath})`);
        continue;
      }
      for (const file of filesUnder(fsPath)) {
        const real = fs.realpathSync(file);
        if (searchedFiles.has(real)) continue;
        searchedFiles.add(real);
        const fileLabel = file === fsPath ? label : `${label}: ${path.relative(fsPath, file)}`;
        let bytes = fs.readFileSync(file);
        if (file.endsWith(".gz")) {
          try {
            bytes = zlib.gunzipSync(bytes);
          } catch {
            /* not gzip after all: search the raw bytes */
          }
        }
        const text = bytes.toString("latin1");
        files.push({ label: fileLabel, text: () => text });
        if (/\.json(\.gz)?$/.test(file) && text.includes("__provider")) {
          try {
            providerSources.push({ label: fileLabel, value: JSON.parse(bytes.toString("utf8")) });
          } catch {
            /* not a JSON document: searched as text only */
          }
        }
      }
    }

    const findings: string[] = [];
    let bytes = 0;
    const haystacks = [...this.haystacks, ...files];
    const maskAll = (text: string) => needles.reduce((t, n) => t.split(n.bytes).join("[secret]"), text);
    for (const haystack of haystacks) {
      const text = haystack.text();
      bytes += text.length;
      const seen = new Set<string>();
      for (const needle of needles) {
        const at = text.indexOf(needle.bytes);
        if (at < 0 || seen.has(needle.secret)) continue;
        seen.add(needle.secret);
        const count = text.split(needle.bytes).length - 1;
        const before = maskAll(text.slice(Math.max(0, at - 40), at)).replace(/\s+/g, " ");
        findings.push(`- ${maskSecret(needle.secret)} ${needle.form}, ${count}× in ${haystack.label} (first at byte ${at}, after "…${before}")`);
      }
      for (const [shape, pattern] of CREDENTIAL_SHAPES) {
        const matches = [...text.matchAll(pattern)].map((m) => m[0]).filter((m) => !seen.has(m));
        if (matches.length) findings.push(`- ${shape} (${maskSecret(matches[0]!)}), ${matches.length}× in ${haystack.label}`);
      }
    }

    let providers = 0;
    let providerBytes = 0;
    const badProviders: string[] = [];
    for (const { label, value } of providerSources) {
      for (const provider of providersIn(value)) {
        providers += 1;
        providerBytes += Buffer.byteLength(provider, "utf8");
        const problem = providerProblem(provider);
        if (problem) badProviders.push(`- a serialized provider in ${label}: ${problem}`);
      }
    }

    if (findings.length || badProviders.length) {
      const parts = [];
      if (findings.length)
        parts.push(`secret audit: ${findings.length} finding(s) of ${searched.length} secrets in ${haystacks.length} haystacks:\n${findings.join("\n")}`);
      if (badProviders.length)
        parts.push(`secret audit: serialized providers that are not only a module-path loader:\n${[...new Set(badProviders)].join("\n")}`);
      throw new Error(parts.join("\n"));
    }
    const summary = { secrets: searched.length, haystacks: haystacks.length, bytes, providers, providerBytes, skipped, missing };
    process.stdout.write(
      `secret audit: ${summary.secrets} secrets (skipped ${skipped} shorter than ${MIN_SECRET_LENGTH} chars) not found in ${summary.haystacks} haystacks (${summary.bytes} bytes); ` +
        `${providers} serialized providers (${providerBytes} bytes) are module-path loaders${missing.length ? `; missing paths: ${missing.join(", ")}` : ""}\n`,
    );
    return summary;
  }
}

/** Every regular file at or under `fsPath`; symbolic links are not followed (work dirs link node_modules). */
function filesUnder(fsPath: string): string[] {
  const stat = fs.lstatSync(fsPath);
  if (stat.isFile()) return [fsPath];
  if (!stat.isDirectory()) return [];
  return fs
    .readdirSync(fsPath, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(fsPath, e.name)) : e.isFile() ? [path.join(fsPath, e.name)] : []));
}
