/**
 * Peak memory of the dynamic-provider processes, watched from outside: every `intervalMs` the
 * poller scans /proc for node processes running `@pulumi/pulumi/cmd/dynamic-provider` (what
 * `pulumi-resource-pulumi-nodejs` execs) and keeps each one's VmHWM (the kernel's own peak RSS
 * for the process) and VmRSS. Each engine operation starts its own provider process, so the
 * poller tags the processes it sees with the phase that is running.
 *
 * The poller runs in a child process of its own (`MemoryWatcher`): the bench process runs the
 * Pulumi program inline, and a busy event loop there would miss short-lived providers.
 */
import { fork, type ChildProcess } from "child_process";
import * as fs from "fs";

export interface ProviderProcess {
  pid: number;
  phase: string;
  /** Peak resident set size (kB), as the kernel tracks it. */
  hwmKb: number;
  /** Largest current RSS seen by the poller (kB). */
  rssKb: number;
}

/**
 * "provider": the node process running the provider script (not the `node -e require.resolve(...)`
 * the wrapper runs first); "maybe": the wrapper shell, which becomes the provider by exec (same
 * pid), or anything else of Pulumi's: looked at again next time; "no": never will be.
 */
function classify(pid: number): "provider" | "maybe" | "no" {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "no";
  }
  if (cmdline.split("\0").some((arg) => /cmd\/dynamic-provider(\/index\.js)?$/.test(arg))) return "provider";
  return cmdline.includes("pulumi") ? "maybe" : "no";
}

function statusKb(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
  } catch {
    return undefined;
  }
}

export class ProviderMemoryPoller {
  private readonly seen = new Map<number, ProviderProcess>();
  private readonly notProvider = new Set<number>();
  private timer?: NodeJS.Timeout;
  private polls = 0;
  phase = "idle";

  constructor(private readonly intervalMs = 100) {}

  start(): void {
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.poll();
  }

  poll(): void {
    // A pid seen as something else may come back as a provider later (pids are reused).
    if (++this.polls % 50 === 0) this.notProvider.clear();
    let entries: string[];
    try {
      entries = fs.readdirSync("/proc");
    } catch {
      return;
    }
    for (const entry of entries) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || this.notProvider.has(pid)) continue;
      let known = this.seen.get(pid);
      if (!known) {
        const kind = classify(pid);
        if (kind !== "provider") {
          if (kind === "no") this.notProvider.add(pid);
          continue;
        }
        known = { pid, phase: this.phase, hwmKb: 0, rssKb: 0 };
        this.seen.set(pid, known);
      }
      const kb = statusKb(pid);
      if (!kb) continue;
      known.hwmKb = Math.max(known.hwmKb, kb.hwm);
      known.rssKb = Math.max(known.rssKb, kb.rss);
    }
  }

  processes(): ProviderProcess[] {
    return [...this.seen.values()];
  }

  /** The highest peak of any provider process started during `phase` (or any phase). */
  peakKb(phase?: string): number {
    return Math.max(
      0,
      ...this.processes()
        .filter((p) => phase === undefined || p.phase === phase)
        .map((p) => p.hwmKb),
    );
  }
}

/** The poller in a child process, told the phase over IPC. */
export class MemoryWatcher {
  private readonly child: ChildProcess;
  private current = "idle";
  private stopped?: Promise<ProviderProcess[]>;

  constructor(intervalMs = 100) {
    this.child = fork(__filename, [String(intervalMs)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    // A watcher that died early costs the memory numbers, not the bench.
    this.child.on("error", () => undefined);
  }

  get phase(): string {
    return this.current;
  }

  set phase(phase: string) {
    this.current = phase;
    if (this.child.connected) this.child.send({ phase });
  }

  /** Stops the poller and returns every provider process it saw. */
  stop(): Promise<ProviderProcess[]> {
    this.stopped ??= !this.child.connected
      ? Promise.resolve([])
      : new Promise((resolve) => {
          this.child.once("message", (m) => resolve(m as ProviderProcess[]));
          this.child.once("exit", () => resolve([]));
          this.child.send({ stop: true });
        });
    return this.stopped;
  }
}

/** The highest peak of the processes started during `phase` (or any phase), in kB. */
export const peakKb = (processes: ProviderProcess[], phase?: string): number =>
  Math.max(0, ...processes.filter((p) => phase === undefined || p.phase === phase).map((p) => p.hwmKb));

if (require.main === module) {
  const poller = new ProviderMemoryPoller(Number(process.argv[2] ?? 100));
  poller.start();
  process.on("message", (m: { phase?: string; stop?: boolean }) => {
    if (m.phase !== undefined) poller.phase = m.phase;
    if (m.stop) {
      poller.stop();
      process.send?.(poller.processes(), () => process.exit(0));
    }
  });
  // The bench went away: so does the watcher.
  process.on("disconnect", () => process.exit(0));
}
