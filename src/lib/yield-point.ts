/**
 * Lets the event loop run every so often during long stretches of work that only await promises
 * (which never leave the microtask queue), so a signal handler, a timer or a worker's error is
 * heard within milliseconds instead of when the work ends.
 */

/** The longest stretch of work between two turns of the event loop. */
const EVERY_MS = 20;
let last = performance.now();

/** Resolves at once, or after one turn of the event loop when EVERY_MS have passed since the last. */
export async function yieldPoint(): Promise<void> {
  const now = performance.now();
  if (now - last < EVERY_MS) return;
  last = now;
  await new Promise((resolve) => setImmediate(resolve));
}
