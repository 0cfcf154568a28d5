/**
 * An open-addressing hash table of 28-byte SHA-224 digests, numbered in the order they were added.
 * The digests live back to back in one byte array and each slot holds only a key number and one
 * byte of the key (so a probe rarely has to read the key itself), so a key costs its 28 bytes plus
 * about 7 bytes of slots, and no JS object or string. A digest may be added more than once (a blob
 * stored in two packs): `find` gives its first copy, `copies` every one.
 */
import { ID_BYTES } from "../format/id.ts";

/** Slots are added once more than this share of them is taken (linear probing stays short below it). */
const MAX_LOAD = 0.7;
const MIN_KEYS = 16;

const slotsFor = (keys: number): number => Math.ceil(Math.max(keys, MIN_KEYS) / MAX_LOAD) + 1;

export class DigestTable {
  #keys: Uint8Array;
  /** Per slot, a key number + 1; 0 is an empty slot. */
  #slots: Uint32Array;
  /** Per slot, its key's fifth byte: independent of the slot, which the first four choose. */
  #tags: Uint8Array;
  #count = 0;
  #copies = 0;

  constructor(expected = 0) {
    this.#keys = new Uint8Array(Math.max(expected, MIN_KEYS) * ID_BYTES);
    this.#slots = new Uint32Array(slotsFor(expected));
    this.#tags = new Uint8Array(this.#slots.length);
  }

  /** How many keys were added (copies included). */
  get count(): number {
    return this.#count;
  }

  /** How many keys were added that equal an earlier one. */
  get copyCount(): number {
    return this.#copies;
  }

  /** Bytes of the typed arrays behind the table. */
  get byteLength(): number {
    return this.#keys.byteLength + this.#slots.byteLength + this.#tags.byteLength;
  }

  /** Makes room for `more` keys beyond those added, so adding them needn't grow the table. */
  reserve(more: number): void {
    const keys = (this.#count + more) * ID_BYTES;
    if (keys > this.#keys.length) {
      const grown = new Uint8Array(keys);
      grown.set(this.#keys);
      this.#keys = grown;
    }
    if (this.#count + more > this.#slots.length * MAX_LOAD) this.#rehash(slotsFor(this.#count + more));
  }

  /** Key `n`'s digest: a view into the table, to be copied if kept. */
  key(n: number): Uint8Array {
    return this.#keys.subarray(n * ID_BYTES, (n + 1) * ID_BYTES);
  }

  /** Adds the 28 bytes at `at` as the next key (another copy if they are there already); returns its number. */
  add(digest: Uint8Array, at = 0): number {
    const n = this.#count;
    if ((n + 1) * ID_BYTES > this.#keys.length) {
      const grown = new Uint8Array(Math.ceil((n + 1) * 1.5) * ID_BYTES);
      grown.set(this.#keys);
      this.#keys = grown;
    }
    const keys = this.#keys;
    for (let i = 0; i < ID_BYTES; i++) keys[n * ID_BYTES + i] = digest[at + i]!; // no subarray: no object per key
    if (n + 1 > this.#slots.length * MAX_LOAD) this.#rehash(slotsFor((n + 1) * 2));
    if (this.#place(n, true)) this.#copies++;
    this.#count++;
    return n;
  }

  /** The number of the first key equal to the 28 bytes at `at`, or -1. */
  find(digest: Uint8Array, at = 0): number {
    const slots = this.#slots;
    const tags = this.#tags;
    const tag = digest[at + 4]!;
    for (let s = this.#home(digest, at); ; s = s + 1 === slots.length ? 0 : s + 1) {
      const k = slots[s]!;
      if (k === 0) return -1;
      if (tags[s] === tag && this.#equals(k - 1, digest, at)) return k - 1;
    }
  }

  /** The numbers of every key equal to the 28 bytes at `at`, in the order they were added. */
  copies(digest: Uint8Array, at = 0): number[] {
    const out: number[] = [];
    const slots = this.#slots;
    const tag = digest[at + 4]!;
    for (let s = this.#home(digest, at); slots[s] !== 0; s = s + 1 === slots.length ? 0 : s + 1) {
      if (this.#tags[s] === tag && this.#equals(slots[s]! - 1, digest, at)) out.push(slots[s]! - 1);
    }
    return out.sort((a, b) => a - b);
  }

  /** Gives back what growing left unused: the key array shrinks to its keys, the slots to their load. */
  trim(): void {
    const keys = Math.max(this.#count, MIN_KEYS) * ID_BYTES;
    if (this.#keys.length > keys) this.#keys = this.#keys.slice(0, keys);
    if (this.#slots.length > slotsFor(this.#count)) this.#rehash(slotsFor(this.#count));
  }

  /** A slot from the digest's first four bytes (uniform, since they are a hash's), scaled to the table. */
  #home(d: Uint8Array, at: number): number {
    const h = ((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) >>> 0;
    return Math.floor((h * this.#slots.length) / 0x1_0000_0000);
  }

  /** Neighbouring slots hold keys with the same first bytes, so the comparison starts from the last. */
  #equals(n: number, d: Uint8Array, at: number): boolean {
    const keys = this.#keys;
    const base = n * ID_BYTES;
    for (let i = ID_BYTES - 1; i >= 0; i--) if (keys[base + i] !== d[at + i]) return false;
    return true;
  }

  /**
   * Puts key `n` in the first free slot from its home: after every earlier copy of it, so `find`
   * meets the first. With `compare`, says whether it passed an earlier copy on the way.
   */
  #place(n: number, compare: boolean): boolean {
    const slots = this.#slots;
    const keys = this.#keys;
    const tag = keys[n * ID_BYTES + 4]!;
    let copy = false;
    let s = this.#home(keys, n * ID_BYTES);
    for (; slots[s] !== 0; s = s + 1 === slots.length ? 0 : s + 1) {
      if (compare && !copy && this.#tags[s] === tag && this.#equals(slots[s]! - 1, keys, n * ID_BYTES)) copy = true;
    }
    slots[s] = n + 1;
    this.#tags[s] = tag;
    return copy;
  }

  #rehash(size: number): void {
    this.#slots = new Uint32Array(size);
    this.#tags = new Uint8Array(size);
    for (let n = 0; n < this.#count; n++) this.#place(n, false);
  }
}
