/**
 * First configures of one workspace, one at a time (per provider process, where one stack's
 * resources run). Hopsworks uploads its client files with `overwrite:false` after a get-status
 * check, so two first configures at once collide on the upload (RESOURCE_ALREADY_EXISTS). Once a
 * configure of the workspace has succeeded, the files are there and later ones run in parallel.
 * Across stacks, the collision is retried instead (configured-cluster.ts).
 */
const done = new Set<string>();
const queues = new Map<string, Promise<void>>();

export interface ConfigureTurn {
  /** The configure went through: the workspace has the client files now. */
  succeeded(): void;
  release(): void;
}

export async function firstConfigureTurn(key: string): Promise<ConfigureTurn> {
  if (done.has(key)) return { succeeded: () => undefined, release: () => undefined };
  const previous = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  await previous;
  return {
    succeeded: () => void done.add(key),
    release: () => {
      release();
      if (queues.get(key) === tail) queues.delete(key);
    },
  };
}
