/**
 * The job protocol between the main thread and the kernel workers: fixed-size job slots in a
 * SharedArrayBuffer, each with a header, up to MAX_ITEMS items (byte ranges of the data buffer
 * and their parameters), and results (chunk cuts with SHA-224 digests, an output length, or an
 * error message). Both sides use this one layout.
 */

import type { FileStamp } from "../fs/file-stamp.ts";

export const JobType = { CutHash: 1, Compress: 2, Decompress: 3, Scan: 4, Hash: 5, Stop: 9 } as const;
export const Status = { Free: 0, Submitted: 1, Done: 2, Failed: 3 } as const;

/**
 * CutHash items are (ring offset, length, flags, path offset, path length): the worker reads the
 * stream's next `length` bytes into the ring, opening the file (its UTF-8 path is in the slot's
 * path area) at the stream's first item and closing it after the last. Flags: the item starts a
 * stream, ends it, is a whole stream that is one chunk, or is cut only (its chunks are hashed by
 * Hash jobs, possibly on other workers, so one large file isn't bound to one worker). A first
 * item's path is followed by the file's stamp as scanned (STAMP_BYTES: size, mtime, ctime); after
 * the last item the worker stats the open file and, if it no longer matches (or the file couldn't
 * be opened or read in full), sets Changed in that item's flags: its bytes are not to be trusted.
 *
 * Hash items are (ring offset, length, digest index, 1 on a chunk's last piece): the pieces of
 * each chunk in order; the digest of each chunk goes to its index in the digest area.
 */
export const ItemFlag = { First: 1, Last: 2, Whole: 4, CutOnly: 8, Changed: 16 } as const;

export const MAX_ITEMS = 256;
export const MAX_CUTS = 512;
export const DIGEST_BYTES = 28;
export const ERROR_BYTES = 1024;
export const PATH_BYTES = 32 * 1024;
export const STAMP_BYTES = 24;

const HEADER_INTS = 16;
const ITEM_FIELDS = 5;
const ITEMS_AT = HEADER_INTS * 4;
const CUTS_AT = ITEMS_AT + MAX_ITEMS * ITEM_FIELDS * 8;
const DIGESTS_AT = CUTS_AT + MAX_CUTS * 2 * 4;
const ERROR_AT = DIGESTS_AT + MAX_CUTS * DIGEST_BYTES;
const PATHS_AT = ERROR_AT + ERROR_BYTES;
export const SLOT_BYTES = 2 ** Math.ceil(Math.log2(PATHS_AT + PATH_BYTES));

/** Header fields (Int32 indexes within a slot's header). FailedWrite is 1 when the failed item's file couldn't be written. */
export const H = { Status: 0, Type: 1, Items: 2, Cuts: 3, OutOffset: 4, OutCapacity: 5, OutLength: 6, Level: 7, ErrorLength: 8, FailedItem: 9, FailedWrite: 10 } as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Typed views of the slot area, shared by the main thread and every worker. */
export class Slots {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly u8: Uint8Array;
  readonly #view: DataView;
  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly count: number,
  ) {
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.u8 = new Uint8Array(buffer);
    this.#view = new DataView(buffer);
  }

  static create(count: number): Slots {
    return new Slots(new SharedArrayBuffer(count * SLOT_BYTES), count);
  }

  /** Int32 index of a header field (for Atomics on the status word). */
  at(slot: number, field: number): number {
    return (slot * SLOT_BYTES) / 4 + field;
  }

  get(slot: number, field: number): number {
    return this.i32[this.at(slot, field)]!;
  }

  set(slot: number, field: number, value: number): void {
    this.i32[this.at(slot, field)] = value;
  }

  /** Field k (0..4) of item i; numbers are exact up to 2^53 (file offsets). */
  item(slot: number, i: number, k: number): number {
    return this.f64[(slot * SLOT_BYTES + ITEMS_AT) / 8 + i * ITEM_FIELDS + k]!;
  }

  setItem(slot: number, i: number, a: number, b = 0, c = 0, d = 0, e = 0): void {
    const base = (slot * SLOT_BYTES + ITEMS_AT) / 8 + i * ITEM_FIELDS;
    this.f64[base] = a;
    this.f64[base + 1] = b;
    this.f64[base + 2] = c;
    this.f64[base + 3] = d;
    this.f64[base + 4] = e;
  }

  /** Sets `flag` in the flags (field 2) of item i: how a worker reports on an item. */
  flagItem(slot: number, i: number, flag: number): void {
    this.f64[(slot * SLOT_BYTES + ITEMS_AT) / 8 + i * ITEM_FIELDS + 2] = this.item(slot, i, 2) | flag;
  }

  /** Cut i: [chunk length, index of the item it ends in]. */
  cutLength(slot: number, i: number): number {
    return this.i32[(slot * SLOT_BYTES + CUTS_AT) / 4 + 2 * i]!;
  }

  cutItem(slot: number, i: number): number {
    return this.i32[(slot * SLOT_BYTES + CUTS_AT) / 4 + 2 * i + 1]!;
  }

  setCut(slot: number, i: number, length: number, item: number): void {
    const base = (slot * SLOT_BYTES + CUTS_AT) / 4 + 2 * i;
    this.i32[base] = length;
    this.i32[base + 1] = item;
  }

  /** The 28-byte digest area of cut (or blob) i. */
  digest(slot: number, i: number): Uint8Array {
    const at = slot * SLOT_BYTES + DIGESTS_AT + i * DIGEST_BYTES;
    return this.u8.subarray(at, at + DIGEST_BYTES);
  }

  /** Writes `path` at byte `at` of the slot's path area; returns its length, or -1 if it doesn't fit. */
  setPath(slot: number, at: number, path: string): number {
    const base = slot * SLOT_BYTES + PATHS_AT;
    const room = this.u8.subarray(base + at, base + PATH_BYTES);
    const { read, written } = encoder.encodeInto(path, room);
    return read === path.length ? written : -1;
  }

  /** Writes a file's stamp at byte `at` of the slot's path area; false if it doesn't fit. */
  setStamp(slot: number, at: number, stamp: FileStamp): boolean {
    if (at + STAMP_BYTES > PATH_BYTES) return false;
    const base = slot * SLOT_BYTES + PATHS_AT + at;
    this.#view.setFloat64(base, stamp.size, true);
    this.#view.setBigInt64(base + 8, stamp.mtime, true);
    this.#view.setBigInt64(base + 16, stamp.ctime, true);
    return true;
  }

  stamp(slot: number, at: number): FileStamp {
    const base = slot * SLOT_BYTES + PATHS_AT + at;
    return { size: this.#view.getFloat64(base, true), mtime: this.#view.getBigInt64(base + 8, true), ctime: this.#view.getBigInt64(base + 16, true) };
  }

  path(slot: number, at: number, length: number): string {
    const base = slot * SLOT_BYTES + PATHS_AT + at;
    return decoder.decode(this.u8.subarray(base, base + length));
  }

  setError(slot: number, message: string): void {
    const bytes = encoder.encode(message).subarray(0, ERROR_BYTES);
    this.u8.set(bytes, slot * SLOT_BYTES + ERROR_AT);
    this.set(slot, H.ErrorLength, bytes.length);
  }

  error(slot: number): string {
    const at = slot * SLOT_BYTES + ERROR_AT;
    return decoder.decode(this.u8.slice(at, at + this.get(slot, H.ErrorLength)));
  }
}

/**
 * A single-producer single-consumer queue of slot numbers in shared memory: [head, tail, entries...].
 * The main thread pushes; one worker pops, sleeping on `tail` while the queue is empty.
 */
export class SlotQueue {
  readonly i32: Int32Array;
  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly capacity: number,
  ) {
    this.i32 = new Int32Array(buffer);
  }

  static create(capacity: number): SlotQueue {
    return new SlotQueue(new SharedArrayBuffer((2 + capacity) * 4), capacity);
  }

  /** Never blocks: the capacity is the number of slots, so the queue can't overflow. */
  push(slot: number): void {
    const tail = this.i32[1]!;
    this.i32[2 + (tail % this.capacity)] = slot;
    Atomics.store(this.i32, 1, tail + 1);
    Atomics.notify(this.i32, 1);
  }

  /** Blocks (worker side) until a slot is queued, then returns it. */
  pop(): number {
    const head = this.i32[0]!;
    for (;;) {
      const tail = Atomics.load(this.i32, 1);
      if (tail !== head) break;
      Atomics.wait(this.i32, 1, tail);
    }
    const slot = this.i32[2 + (head % this.capacity)]!;
    Atomics.store(this.i32, 0, head + 1);
    return slot;
  }
}
