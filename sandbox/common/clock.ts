/**
 * Scaled time for the sandboxes. Real services take minutes to start a cluster or finish a
 * sync; the sandbox keeps the same state machines but multiplies every duration by `scale`.
 * State machines are evaluated lazily against `now()`, so no timers are needed and a restart of
 * the sandbox continues where it stopped.
 */
export class ScaledClock {
  constructor(public scale: number) {
    if (!(scale > 0)) throw new Error(`time scale must be > 0, got ${scale}`);
  }

  now(): number {
    return Date.now();
  }

  /** A real-world duration in milliseconds, scaled for the sandbox. */
  duration(realMs: number): number {
    return Math.max(1, Math.round(realMs * this.scale));
  }
}
