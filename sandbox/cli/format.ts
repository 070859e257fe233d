/** Rows as aligned columns (two spaces apart), each line indented; the last column is not padded. */
export function table(rows: string[][], indent = "  "): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
  );
}

/** `2h 05m`, `3m 12s`, `40s`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** Epoch milliseconds as `2025-11-21 17:03Z`; -1 (Databricks' "no expiry") as `never`. */
export const timestamp = (ms: number) => (ms < 0 ? "never" : new Date(ms).toISOString().slice(0, 16).replace("T", " ") + "Z");
