/**
 * Backup's compression stage: chunks the caller decided are new are batched into frames of about
 * `frameBytes`, each compressed by a Compress job into the output ring as one zstd frame, and the
 * finished frames are handed on in order. Frames are numbered, so the input ring knows when the
 * bytes a frame needs may be reused.
 */
import type { ManifestEntry } from "../format/manifest.ts";
import { context } from "../lib/errors.ts";
import type { ByteRing } from "./byte-ring.ts";
import type { ChunkRef } from "./file-ticket.ts";
import type { WorkerPool } from "./pool.ts";
import { CompressItem, H, JobType, MAX_ITEMS } from "./protocol.ts";

export interface Frame {
  readonly entries: readonly ManifestEntry[];
  /** The compressed frame: valid only until the handler returns. */
  readonly bytes: Uint8Array;
}

export interface FrameOptions {
  readonly level: number;
  /** Submit a frame once this many uncompressed bytes are batched. */
  readonly frameBytes: number;
  /** Called with each compressed frame, in order. */
  readonly onFrame: (frame: Frame) => Promise<void>;
}

interface FrameJob {
  readonly slot: number;
  readonly seq: number;
  readonly out: number;
  readonly entries: ManifestEntry[];
}

export class FrameStage {
  readonly #jobs: FrameJob[] = [];
  #pieces: [number, number][] = [];
  #entries: ManifestEntry[] = [];
  #pendingBytes = 0;
  #nextSeq = 1;
  /** Sequence number of the last frame handed on: bytes needed only by frames up to it may be reused. */
  handedOn = 0;
  compressedBytes = 0;

  constructor(
    readonly pool: WorkerPool,
    readonly output: ByteRing,
    readonly opts: FrameOptions,
  ) {}

  /** Uncompressed bytes batched and not submitted yet. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Jobs are in flight. */
  get busy(): boolean {
    return this.#jobs.length > 0;
  }

  /** The oldest job in flight is finished. */
  headDone(): boolean {
    return this.#jobs.length > 0 && this.pool.finished(this.#jobs[0]!.slot);
  }

  /** True when a new chunk may join now (the pending frame has room, or could be submitted). */
  hasRoom(): boolean {
    if (this.#pendingBytes < this.opts.frameBytes && this.#pieces.length < MAX_ITEMS - 16) return true;
    this.submit();
    return this.#pendingBytes === 0;
  }

  /** Adds a new chunk to the pending frame; returns that frame's sequence number. */
  add(chunk: ChunkRef): number {
    if (this.#pendingBytes > 0 && this.#pendingBytes + chunk.length > 2 * this.opts.frameBytes) this.submit();
    for (const [offset, length] of chunk.pieces) {
      // New chunks of a file sit back to back in the ring: one range for them lets the worker
      // compress the frame in place instead of gathering it into a copy.
      const last = this.#pieces[this.#pieces.length - 1];
      if (last && last[0] + last[1] === offset) last[1] += length;
      else this.#pieces.push([offset, length]);
    }
    this.#entries.push({ type: "chunk", length: chunk.length, id: chunk.id });
    this.#pendingBytes += chunk.length;
    return this.#nextSeq;
  }

  /** Submits the pending frame, if a slot and output room are free. */
  submit(): void {
    if (this.#pendingBytes === 0 || this.pool.freeSlots === 0) return;
    const bound = this.#pendingBytes + (this.#pendingBytes >> 7) + 1024;
    const out = this.output.alloc(bound);
    if (out < 0) return;
    const slot = this.pool.take(JobType.Compress);
    const slots = this.pool.slots;
    this.#pieces.forEach(([offset, length], i) => slots.setItem(slot, i, CompressItem, { offset, length }));
    slots.set(slot, H.Items, this.#pieces.length);
    slots.set(slot, H.OutOffset, out);
    slots.set(slot, H.OutCapacity, bound);
    slots.set(slot, H.Level, this.opts.level);
    this.pool.submit(slot, this.pool.leastBusy());
    this.#jobs.push({ slot, seq: this.#nextSeq++, out, entries: this.#entries });
    this.#pieces = [];
    this.#entries = [];
    this.#pendingBytes = 0;
  }

  /** Hands on finished frames in order, freeing their output ranges. */
  async handOn(): Promise<void> {
    while (this.headDone()) {
      const f = this.#jobs.shift()!;
      try {
        this.pool.complete(f.slot);
      } catch (err) {
        throw context("io", "Compressing new chunks failed", err);
      }
      const len = this.pool.slots.get(f.slot, H.OutLength);
      this.pool.release(f.slot);
      this.compressedBytes += len;
      await this.opts.onFrame({ entries: f.entries, bytes: this.pool.data.subarray(f.out, f.out + len) });
      this.output.releaseOldest();
      this.handedOn = f.seq;
    }
  }
}
