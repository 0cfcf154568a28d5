/**
 * Undo on interruption: work that leaves something half-done on disk (or a lock in a repository)
 * registers a cleanup here, and the executable runs every registered cleanup when SIGINT, SIGTERM
 * or SIGHUP arrives, before it exits. Synchronous cleanups run at once, in order; asynchronous ones
 * (a lock to remove from remote storage) are awaited together afterwards.
 */

const cleanups = new Set<() => void | Promise<void>>();

/** Registers `cleanup`; call the returned function once the work is done and there is nothing to undo. */
export function onInterrupt(cleanup: () => void | Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}

/** Runs every registered cleanup; one that fails doesn't stop the others. Resolves when the asynchronous ones have settled. */
export async function runInterruptCleanups(): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const cleanup of [...cleanups]) {
    try {
      const done = cleanup();
      if (done) pending.push(done);
    } catch {
      // Best effort: the process is exiting, and the next run copes with what is left.
    }
  }
  cleanups.clear();
  await Promise.allSettled(pending);
}
