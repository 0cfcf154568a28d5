/**
 * A ring allocator over a range of the shared data buffer: contiguous allocations handed out in
 * order and released oldest first. A request that doesn't fit before the end wraps to the start
 * (the tail gap is skipped). Main thread only; workers just read and write the ranges.
 */
import { BackpakError } from "../lib/errors.ts";

export class ByteRing {
  /** Live allocations, oldest first: [start, end) relative to `base`. */
  readonly #live: [number, number][] = [];
  #head = 0;

  constructor(
    /** Offset of the ring in the data buffer. */
    readonly base: number,
    readonly size: number,
  ) {}

  get liveCount(): number {
    return this.#live.length;
  }

  /** Bytes between the oldest live allocation and the head (what is held, gaps included). */
  get used(): number {
    if (this.#live.length === 0) return 0;
    const tail = this.#live[0]![0];
    return this.#head > tail ? this.#head - tail : this.size - tail + this.#head;
  }

  /** Allocates `n` contiguous bytes: the absolute offset, or -1 when there is no room until something is released. */
  alloc(n: number): number {
    if (n > this.size || n <= 0) throw new BackpakError("internal", `can't allocate ${n} bytes from a ${this.size}-byte ring`);
    let start: number;
    if (this.#live.length === 0) {
      start = 0;
    } else {
      const tail = this.#live[0]![0];
      if (this.#head > tail) {
        if (this.size - this.#head >= n) start = this.#head;
        else if (tail >= n) start = 0;
        else return -1;
      } else {
        // Wrapped (or full when head == tail): free space is [head, tail).
        if (tail - this.#head >= n) start = this.#head;
        else return -1;
      }
    }
    this.#live.push([start, start + n]);
    this.#head = start + n;
    return this.base + start;
  }

  /** Takes back the allocation just made (when filling it failed). */
  releaseLatest(): void {
    const last = this.#live.pop();
    if (last === undefined) throw new BackpakError("internal", "released more than was allocated");
    this.#head = this.#live.length === 0 ? 0 : this.#live[this.#live.length - 1]![1];
  }

  /** Releases the oldest allocation. */
  releaseOldest(): void {
    if (this.#live.shift() === undefined) throw new BackpakError("internal", "released more than was allocated");
    if (this.#live.length === 0) this.#head = 0;
  }
}
