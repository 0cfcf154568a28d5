/** The cut rules of FastCDC v2020 over a streaming buffer, shared by the WASM and JS gear scanners. */
import type { CdcKernelKind, Chunker, ChunkSink, Cut } from "./index.ts";
import type { CdcParams } from "./params.ts";

/** A gear-hash kernel scanning byte pairs in its own buffer; the running hash carries over between calls. */
export interface GearScanner {
  /** The kernel's buffer, of fixed capacity; the chunker keeps the pending chunk's bytes here. */
  readonly buffer: Uint8Array;
  /**
   * Feeds the pairs at offsets pos, pos+2, ... below `end`; pairs below `center` use mask_s, the rest
   * mask_l (`end - pos` and `center - pos` are even). Returns the first cut (the exclusive end offset
   * of the chunk: the even byte of a pair or the one after it) or -1 when every pair was fed.
   */
  scan(pos: number, center: number, end: number): number;
  /** The running hash. */
  hash(): bigint;
  /** Zeroes the running hash for a new chunk. */
  reset(): void;
}

/** The buffer a chunker needs: a pending chunk (< max bytes) plus room to copy input in without compacting often. */
export function bufferCapacity(params: CdcParams): number {
  return Math.max(2 * params.max, 1 << 20);
}

/**
 * Chunks a stream with the crate's `cut` on each remainder: no cut before min; pair i (bytes 2i, 2i+1
 * from the chunk start) is fed only once both bytes are known and 2i + 2 <= max, so a cut found on
 * partial input is the one the crate finds on the whole input; with no cut, the chunk ends at max.
 */
export class StreamChunker implements Chunker {
  readonly kind: CdcKernelKind;
  readonly #scanner: GearScanner;
  readonly #max: number;
  /** Offset of the first pair fed, 2*floor(min/2), and of the first pair past the center, 2*floor(avg/2). */
  readonly #firstPair: number;
  readonly #centerPair: number;
  /** Buffer offsets: start of the pending chunk, end of the bytes held, next pair to feed. */
  #start = 0;
  #fill = 0;
  #next: number;
  #sink: ChunkSink | undefined;

  constructor(kind: CdcKernelKind, scanner: GearScanner, params: CdcParams) {
    this.kind = kind;
    this.#scanner = scanner;
    this.#max = params.max;
    this.#firstPair = 2 * Math.floor(params.min / 2);
    this.#centerPair = 2 * Math.floor(params.avg / 2);
    this.#next = this.#firstPair;
  }

  push(data: Uint8Array, sink?: ChunkSink): Cut[] {
    const cuts: Cut[] = [];
    this.#sink = sink;
    const buffer = this.#scanner.buffer;
    for (let off = 0; off < data.length; ) {
      if (this.#fill === buffer.length) this.#compact();
      const n = Math.min(buffer.length - this.#fill, data.length - off);
      buffer.set(data.subarray(off, off + n), this.#fill);
      this.#fill += n;
      off += n;
      this.#cutHeld(cuts, false);
    }
    return cuts;
  }

  finish(sink?: ChunkSink): Cut[] {
    const cuts: Cut[] = [];
    this.#sink = sink;
    this.#cutHeld(cuts, true);
    this.#start = 0;
    this.#fill = 0;
    this.#next = this.#firstPair;
    this.#scanner.reset();
    return cuts;
  }

  /** Emits every cut the held bytes decide; at the end of the stream, also the final chunk. */
  #cutHeld(cuts: Cut[], ended: boolean): void {
    for (;;) {
      const held = this.#fill - this.#start;
      const end = this.#start + 2 * Math.floor(Math.min(held, this.#max) / 2);
      if (this.#next < end) {
        const cut = this.#scanner.scan(this.#next, this.#start + this.#centerPair, end);
        if (cut >= 0) {
          this.#emit(cuts, cut - this.#start);
          continue;
        }
        this.#next = end;
      }
      if (held >= this.#max) this.#emit(cuts, this.#max);
      else if (ended && held > 0) this.#emit(cuts, held);
      else return;
    }
  }

  #emit(cuts: Cut[], length: number): void {
    cuts.push({ length, hash: this.#scanner.hash() });
    this.#sink?.(this.#scanner.buffer.subarray(this.#start, this.#start + length));
    this.#start += length;
    this.#next = this.#start + this.#firstPair;
    this.#scanner.reset();
  }

  /** Moves the pending chunk (< max bytes) to the front of the buffer; runs only when the buffer is full. */
  #compact(): void {
    this.#scanner.buffer.copyWithin(0, this.#start, this.#fill);
    this.#fill -= this.#start;
    this.#next -= this.#start;
    this.#start = 0;
  }
}
