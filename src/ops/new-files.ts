/**
 * The files of a snapshot that brought new data, held compactly: their paths as UTF-8 in one
 * growing buffer and their sizes in typed arrays, not a string, an object and a map entry each (a
 * million of them took 130 MB that way). They are listed most new bytes first, in the order they
 * were added where those tie, by sorting their indexes.
 */
import type { FileSize } from "./sizes.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `a` grown to hold at least `need` elements (doubling), its contents kept. */
function grown<T extends Uint8Array | Float64Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

export class NewFiles {
  #bytes: Uint8Array = new Uint8Array(1024);
  /** Entry i's path is #bytes[#ends[i-1] (0 for the first), #ends[i]). */
  #ends: Float64Array = new Float64Array(64);
  #introduced: Float64Array = new Float64Array(64);
  #reused: Float64Array = new Float64Array(64);
  #count = 0;
  /** Path → entry, made the first time a file is looked up by path. */
  #byPath: Map<string, number> | undefined;

  get size(): number {
    return this.#count;
  }

  add(path: string, size: FileSize): void {
    const i = this.#count++;
    const start = i === 0 ? 0 : this.#ends[i - 1]!;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.#bytes = grown(this.#bytes, start + path.length * 3, (n) => new Uint8Array(n));
    const end = start + encoder.encodeInto(path, this.#bytes.subarray(start)).written;
    const make = (n: number): Float64Array => new Float64Array(n);
    this.#ends = grown(this.#ends, i + 1, make);
    this.#introduced = grown(this.#introduced, i + 1, make);
    this.#reused = grown(this.#reused, i + 1, make);
    this.#ends[i] = end;
    this.#introduced[i] = size.introduced;
    this.#reused[i] = size.reused;
    this.#byPath = undefined;
  }

  path(i: number): string {
    return decoder.decode(this.#bytes.subarray(i === 0 ? 0 : this.#ends[i - 1]!, this.#ends[i]!));
  }

  sizeOf(i: number): FileSize {
    return { introduced: this.#introduced[i]!, reused: this.#reused[i]! };
  }

  /** What the file at `path` brought, if it is one of these. */
  get(path: string): FileSize | undefined {
    if (!this.#byPath) {
      this.#byPath = new Map();
      for (let i = 0; i < this.#count; i++) this.#byPath.set(this.path(i), i);
    }
    const i = this.#byPath.get(path);
    return i === undefined ? undefined : this.sizeOf(i);
  }

  /** The entries' indexes, most new bytes first (ties in the order they were added). */
  mostNewFirst(): Uint32Array {
    const order = new Uint32Array(this.#count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const introduced = this.#introduced;
    return order.sort((a, b) => introduced[b]! - introduced[a]! || a - b);
  }
}
