/** Small helpers for waiting and for numeric tunables read from the environment. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A number from an environment variable, or undefined when unset, empty or not a number. */
export function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  return raw !== undefined && raw !== "" && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
}
