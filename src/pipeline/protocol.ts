/**
 * The job protocol between the main thread and the kernel workers: fixed-size job slots in a
 * SharedArrayBuffer, each with a header, up to MAX_ITEMS items (byte ranges of the data buffer
 * and their parameters), and results (chunk cuts with SHA-224 digests, an output length, or an
 * error message). Both sides use this one layout.
 */

import type { FileStamp } from "../fs/file-stamp.ts";

export const JobType = { CutHash: 1, Compress: 2, Decompress: 3, Scan: 4, Hash: 5, Stop: 9 } as const;
export const Status = { Free: 0, Submitted: 1, Done: 2, Failed: 3 } as const;

/** Flags of a CutHash item: how it sits in its stream, and (set by the worker) whether the file changed under the read. */
export const ItemFlag = { First: 1, Last: 2, Whole: 4, CutOnly: 8, Changed: 16 } as const;

export const MAX_ITEMS = 256;
export const MAX_CUTS = 512;
export const DIGEST_BYTES = 28;
export const ERROR_BYTES = 1024;
export const PATH_BYTES = 32 * 1024;
export const STAMP_BYTES = 24;

export const HEADER_INTS = 16;
const ITEM_FIELDS = 5;
const ITEMS_AT = HEADER_INTS * 4;
const CUTS_AT = ITEMS_AT + MAX_ITEMS * ITEM_FIELDS * 8;
const DIGESTS_AT = CUTS_AT + MAX_CUTS * 2 * 4;
const ERROR_AT = DIGESTS_AT + MAX_CUTS * DIGEST_BYTES;
const PATHS_AT = ERROR_AT + ERROR_BYTES;
export const SLOT_BYTES = 2 ** Math.ceil(Math.log2(PATHS_AT + PATH_BYTES));

/** Gives each name its own index, in order; they must fit in `room`. */
function indexed<const F extends string>(names: readonly F[], room: number): { readonly [K in F]: number } {
  if (names.length > room) throw new Error(`${names.length} fields don't fit in ${room}: ${names.join(", ")}`);
  return Object.freeze(Object.fromEntries(names.map((n, i) => [n, i]))) as { readonly [K in F]: number };
}

/** An Int32 index within a slot's header; only the fields of `H` are of this type. */
export type HeaderField = number & { readonly __header: true };

const HEADER_NAMES = ["Status", "Type", "Items", "Cuts", "OutOffset", "OutCapacity", "OutLength", "Level", "ErrorLength", "FailedItem", "FailedWrite", "ScanHead", "ScanTail"] as const;
/**
 * Header fields, each at its own index of the slot's HEADER_INTS. FailedWrite is 1 when the failed
 * item's file couldn't be written; ScanHead and ScanTail are the scan ring's write and read positions.
 */
export const H = indexed(HEADER_NAMES, HEADER_INTS) as { readonly [K in (typeof HEADER_NAMES)[number]]: HeaderField };

/** The named fields of one job kind's items: each name's index among an item's ITEM_FIELDS numbers. */
export type ItemLayout<F extends string> = { readonly [K in F]: number };
const itemLayout = <const F extends string>(names: readonly F[]): ItemLayout<F> => indexed(names, ITEM_FIELDS);

/**
 * CutHash: read the stream's next `length` bytes into the ring at `offset`, opening the file (its
 * UTF-8 path at `pathAt` in the slot's path area, `pathLength` bytes, followed by the file's stamp
 * as scanned: STAMP_BYTES of size, mtime, ctime) at the stream's first item and closing it after
 * the last; `flags` are ItemFlag's. After the last item the worker stats the open file and, if it
 * no longer matches (or couldn't be opened or read in full), sets Changed in that item's flags.
 */
export const CutHashItem = itemLayout(["offset", "length", "flags", "pathAt", "pathLength"]);
/** Hash: the pieces of each chunk in order; `last` is 1 on a chunk's last piece, whose digest goes to index `digest`. */
export const HashItem = itemLayout(["offset", "length", "digest", "last"]);
/** Compress: the pieces to compress, in order, as one frame (into the header's OutOffset/OutCapacity). */
export const CompressItem = itemLayout(["offset", "length"]);
/** Decompress, item 0: the zstd frame and the exact size it decompresses to. */
export const FrameItem = itemLayout(["offset", "length", "rawSize"]);
/**
 * Decompress, items 1…: a blob at `offset` in the decompressed frame, whose digest is at index
 * item − 1 of the digest area, written at `fileOffset` of the file at `pathAt` (none when `pathLength` is 0).
 */
export const BlobItem = itemLayout(["offset", "length", "pathAt", "pathLength", "fileOffset"]);
/** Scan, item 0: the ring, whose start holds the JSON request of `requestLength` bytes. */
export const ScanItem = itemLayout(["offset", "size", "requestLength"]);

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
  at(slot: number, field: HeaderField): number {
    return (slot * SLOT_BYTES) / 4 + field;
  }

  get(slot: number, field: HeaderField): number {
    return this.i32[this.at(slot, field)]!;
  }

  set(slot: number, field: HeaderField, value: number): void {
    this.i32[this.at(slot, field)] = value;
  }

  /** A field of item i, named by its job kind's layout (`slots.item(slot, i, CutHashItem.flags)`); numbers are exact up to 2^53 (file offsets). */
  item(slot: number, i: number, field: number): number {
    return this.f64[(slot * SLOT_BYTES + ITEMS_AT) / 8 + i * ITEM_FIELDS + field]!;
  }

  /** Writes item i's fields as its job kind's layout names them. */
  setItem<F extends string>(slot: number, i: number, layout: ItemLayout<F>, values: { readonly [K in F]: number }): void {
    const base = (slot * SLOT_BYTES + ITEMS_AT) / 8 + i * ITEM_FIELDS;
    for (const name in layout) this.f64[base + layout[name]] = values[name];
  }

  /** Sets `flag` in CutHash item i's flags: how a worker reports on an item. */
  flagItem(slot: number, i: number, flag: number): void {
    this.f64[(slot * SLOT_BYTES + ITEMS_AT) / 8 + i * ITEM_FIELDS + CutHashItem.flags] = this.item(slot, i, CutHashItem.flags) | flag;
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
