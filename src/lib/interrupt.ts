/**
 * Undo on interruption: work that leaves something half-done on disk registers a cleanup here, and
 * the executable runs every registered cleanup (synchronously) when SIGINT, SIGTERM or SIGHUP
 * arrives, before it exits.
 */

const cleanups = new Set<() => void>();

/** Registers `cleanup`; call the returned function once the work is done and there is nothing to undo. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}

/** Runs every registered cleanup; one that fails doesn't stop the others. */
export function runInterruptCleanups(): void {
  for (const cleanup of [...cleanups]) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is exiting, and the next run copes with what is left.
    }
  }
  cleanups.clear();
}
