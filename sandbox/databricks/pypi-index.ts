/**
 * What PyPI really has, for the packages whose absence matters to the integrations: final
 * releases of `hsfs`, `hopsworks` and `hops`, as `pip index versions <name>` listed them
 * (2026-12). `hsfs` stops at 3.7.9 (3.8 and 3.9 only as release candidates, which `~=` does not
 * pick); from 4.0 the client is `hopsworks`. Any other package is assumed to exist.
 */
const RELEASES: Record<string, string> = {
  hsfs:
    "3.7.9 3.7.8 3.7.7 3.7.6 3.7.5 3.7.3 3.7.2 3.7.1 3.4.8 3.4.7 3.4.6 3.4.5 3.4.4 2.5.17 2.5.16 2.5.15 2.5.14 2.5.13 2.5.12 2.5.11 2.5.10 2.5.9 2.5.8 2.5.7 2.5.6 2.5.5 2.5.4 2.5.3 2.5.2 2.5.1 2.5.0 " +
    "2.4.13 2.4.12 2.4.11 2.4.10 2.4.9 2.4.8 2.4.7 2.4.6 2.4.5 2.4.4 2.4.3 2.4.2 2.4.1 2.4.0 2.3.8 2.3.7 2.3.6 2.3.5 2.3.4 2.3.3 2.3.2 2.3.1 2.3.0 " +
    "2.2.22 2.2.21 2.2.20 2.2.19 2.2.18 2.2.17 2.2.16 2.2.15 2.2.14 2.2.13 2.2.12 2.2.11 2.2.10 2.2.9 2.2.8 2.2.7 2.2.6 2.2.5 2.2.4 2.2.3 2.2.2 2.2.1 2.2.0 " +
    "2.1.8 2.1.7 2.1.6 2.1.5 2.1.4 2.1.3 2.1.2 2.1.1 2.1.0 2.0.12 2.0.11 2.0.10 2.0.9 2.0.8 2.0.7 2.0.6 2.0.5 2.0.4 2.0.3 2.0.2 2.0.1 2.0.0 1.4.0 0.0.0.2",
  hopsworks:
    "5.2.1 5.1.2 5.1.1 5.1.0 5.0.11 5.0.10 5.0.9 5.0.8 5.0.7 5.0.6 5.0.5 5.0.4 5.0.3 5.0.0 4.8.8 4.8.7 4.8.6 4.8.5 4.8.4 4.8.3 4.8.2 4.8.1 4.8.0 " +
    "4.7.7 4.7.6 4.7.5 4.7.4 4.7.3 4.7.2 4.7.1 4.7.0 4.6.8 4.6.7 4.6.6 4.6.5 4.6.4 4.6.3 4.6.2 4.6.0 4.4.5 4.4.4 4.4.3 4.4.2 4.4.1 4.4.0 " +
    "4.3.7 4.3.6 4.3.5 4.3.4 4.3.3 4.3.2 4.3.1 4.3.0 4.2.10 4.2.9 4.2.8 4.2.7 4.2.6 4.2.5 4.2.4 4.2.3 4.2.2 4.2.1 4.2.0 " +
    "4.1.8 4.1.7 4.1.6 4.1.5 4.1.4 4.1.3 4.1.2 4.1.1 4.1.0 4.0.1 3.7.0 3.4.4 3.4.3 3.4.2 3.2.0 3.1.1 3.0.5 3.0.4 3.0.3 3.0.2 3.0.1",
  hops:
    "3.8.0.0 3.7.0.0 3.5.0.0 3.4.3.0 3.4.2.0 3.4.1.0 3.4.0.0 3.3.0.0 3.2.0.0 3.1.0.0 3.0.0.0 2.5.0.2 2.5.0.1 2.5.0.0 2.4.0.0 2.3.0.2 2.3.0.1 2.3.0.0 " +
    "2.2.0.5 2.2.0.4 2.2.0.3 2.2.0.2 2.2.0.1 2.2.0.0 2.1.0.1 2.1.0.0 2.0.0.2 2.0.0.1 2.0.0.0 1.4.0.3 1.4.0.2 1.4.0.1 1.4.0.0",
};

const parts = (v: string) => v.split(".").map((p) => Number(p) || 0);
function compare(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** One PEP 440 clause (the operators requirements here use). */
function satisfies(version: string, op: string, wanted: string): boolean {
  const c = compare(version, wanted);
  switch (op) {
    case "==":
      if (wanted.endsWith(".*")) return `${version}.`.startsWith(wanted.slice(0, -1));
      return c === 0;
    case "===":
      return version === wanted;
    case "!=":
      return c !== 0;
    case ">=":
      return c >= 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case "<":
      return c < 0;
    case "~=": {
      // ~=X.Y.Z is >=X.Y.Z, ==X.Y.*
      const prefix = wanted.split(".").slice(0, -1).join(".");
      return c >= 0 && `${version}.`.startsWith(`${prefix}.`);
    }
    default:
      return false;
  }
}

export interface Resolution {
  /** The version pip would pick, when there is one. */
  version?: string;
  /** pip's complaint when nothing satisfies the requirement. */
  error?: string;
}

/** Resolves a requirement such as `hsfs~=3.7.0` or `hopsworks[python]~=4.2.0` against the table. */
export function resolvePypi(requirement: string): Resolution {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/.exec(requirement);
  if (!match) return { error: `ERROR: Invalid requirement: '${requirement}'` };
  const name = match[1]!.toLowerCase().replace(/_/g, "-");
  const releases = RELEASES[name];
  if (!releases) return {};
  const all = releases.split(" ");
  const clauses = (match[3] ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => /^(===|~=|==|!=|>=|<=|>|<)\s*(\S+)$/.exec(c));
  if (clauses.some((c) => c === null)) return { error: `ERROR: Invalid requirement: '${requirement}'` };
  const picked = all
    .filter((v) => clauses.every((c) => satisfies(v, c![1]!, c![2]!)))
    .sort(compare)
    .at(-1);
  if (picked) return { version: picked };
  const from = [...all].sort(compare).join(", ");
  return {
    error:
      `ERROR: Could not find a version that satisfies the requirement ${requirement.trim()} (from versions: ${from})\n` +
      `ERROR: No matching distribution found for ${requirement.trim()}`,
  };
}
