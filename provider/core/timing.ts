/** Waiting. (Numeric tunables are settings: see `settings.ts`.) */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
