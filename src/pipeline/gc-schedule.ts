/**
 * Collects the main thread's garbage on a schedule: the runtime keeps memory it has grown into,
 * and collecting every 128 MB of data moved keeps the peak RSS of a large backup or restore about
 * 100 MB lower at no measurable cost.
 */
const EVERY = 128 << 20;

export class GcSchedule {
  #bytes = 0;

  /** Counts `n` more bytes moved; collects when a multiple of 128 MB is crossed. */
  add(n: number): void {
    const before = Math.floor(this.#bytes / EVERY);
    this.#bytes += n;
    if (Math.floor(this.#bytes / EVERY) !== before) Bun.gc(true);
  }
}
