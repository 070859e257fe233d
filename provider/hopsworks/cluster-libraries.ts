import type { LibraryStatus } from "../databricks/client";
import { canonical } from "./cluster-spec";

/**
 * The library half of a configuration: what Hopsworks installed (its PyPI client, `hops` in
 * 2.0–2.2, one jar per client jar from 2.3), found by comparing the cluster's library list
 * before and after, so that drift and delete know exactly what is ours.
 */
export type Library = Record<string, unknown>;

/** A library as people read it: `pypi hsfs~=3.7.0`, `jar dbfs:///hopsworks/…/x.jar`. */
export function libraryName(library: Library): string {
  const [kind, value] = Object.entries(library)[0] ?? ["library", "?"];
  if (typeof value === "string") return `${kind} ${value}`;
  const v = value as { package?: string; coordinates?: string } | undefined;
  return `${kind} ${v?.package ?? v?.coordinates ?? canonical(value)}`;
}

export const pypiPackage = (library: Library): string | undefined => {
  const pkg = (library.pypi as { package?: unknown } | undefined)?.package;
  return typeof pkg === "string" ? pkg : undefined;
};

const key = (library: Library) => canonical(library);
/** Listed and staying (an uninstall takes effect at the next restart, and then it is gone). */
const staying = (s: LibraryStatus) => s.status !== "UNINSTALL_ON_RESTART";

export const hasLibrary = (statuses: LibraryStatus[], library: Library) => statuses.some((s) => staying(s) && key(s.library) === key(library));

/** Libraries listed (and staying) after that were not before: what a configure installed. */
export function addedLibraries(before: LibraryStatus[], after: LibraryStatus[]): Library[] {
  const had = new Set(before.filter(staying).map((s) => key(s.library)));
  return after.filter((s) => staying(s) && !had.has(key(s.library))).map((s) => s.library);
}

/** The libraries of `wanted` that Databricks marked FAILED, with its messages. */
export function failedLibraries(statuses: LibraryStatus[], wanted: Library[]): { library: Library; message: string }[] {
  const keys = new Set(wanted.map(key));
  return statuses
    .filter((s) => s.status === "FAILED" && keys.has(key(s.library)))
    .map((s) => ({ library: s.library, message: (s.messages ?? []).join(" ") || "no message from Databricks" }));
}

/** One line per recorded library that is no longer on the cluster (or is on its way out). */
export function libraryDrift(statuses: LibraryStatus[], libraries: Library[]): string[] {
  const drift: string[] = [];
  for (const library of libraries) {
    const found = statuses.find((s) => key(s.library) === key(library));
    if (!found || !staying(found)) drift.push(`library ${libraryName(library)} was uninstalled`);
    else if (found.status === "FAILED") drift.push(`library ${libraryName(library)} FAILED to install`);
  }
  return drift;
}

/** Whether every library of `wanted` is INSTALLED; FAILED ones are reported by {@link failedLibraries}. */
export const allInstalled = (statuses: LibraryStatus[], wanted: Library[]) =>
  wanted.every((w) => statuses.some((s) => key(s.library) === key(w) && s.status === "INSTALLED"));

export const sameLibrary = (a: Library, b: Library) => key(a) === key(b);
