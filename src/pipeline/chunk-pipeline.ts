/**
 * The main thread's side of backup's hot path. Files are read into the input ring in order and
 * batched into stage-A jobs (FastCDC + SHA-224 on the workers); their chunks come back in order on
 * each file's ticket. A file's stream must be cut by one worker, in order, so with several workers
 * the chunks of a file that needs cutting are hashed by separate jobs that any worker can take:
 * one large file then keeps two cores busy instead of one. The caller decides which chunks are new; those are batched into frames and
 * compressed on the workers (stage B); finished frames are handed on in order. Ring space is
 * released once a range's chunks are decided and the frames that need its bytes are handed on, so
 * memory stays bounded whatever the input, and a slow stage stalls the ones before it. A file
 * that changed while a worker read it completes as usual with `changed` set: its chunks are
 * whatever was read (zeros past an early end), for the caller to replace by reading it again.
 */
import { idFromDigest, type BlobId } from "../format/id.ts";
import type { ManifestEntry } from "../format/manifest.ts";
import type { FileStamp } from "../fs/file-stamp.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { yieldPoint } from "../lib/yield-point.ts";
import { ByteRing } from "./byte-ring.ts";
import { GcSchedule } from "./gc-schedule.ts";
import type { WorkerPool } from "./pool.ts";
import { CompressItem, CutHashItem, H, HashItem, ItemFlag, JobType, MAX_CUTS, MAX_ITEMS, STAMP_BYTES } from "./protocol.ts";
import { READ_BLOCK } from "./read-hook.ts";

export interface ChunkRef {
  readonly id: BlobId;
  readonly length: number;
  /** Absolute ranges of the data buffer holding its bytes (several when it spans segments). */
  readonly pieces: readonly (readonly [number, number])[];
}

interface Segment {
  readonly ring: number;
  readonly streamStart: number;
  readonly length: number;
  /** Sequence number of the last frame that needs these bytes (0: none). */
  neededUntil: number;
}

/** One changed file moving through the pipeline. */
export class FileTicket {
  /** Chunks known so far, in order; the caller takes them with `decide`. */
  readonly chunks: ChunkRef[] = [];
  /** All chunks are known (cut and hashed). */
  complete = false;
  /** Its chunks are hashed by Hash jobs rather than by the worker that cuts them. */
  cutOnly = false;
  /** Every cut is known. */
  cut = false;
  /** Chunks cut but not hashed yet. */
  hashing = 0;
  /** How many chunks (and stream bytes) the caller has decided. */
  decided = 0;
  decidedBytes = 0;
  readonly segments: Segment[] = [];
  readBytes = 0;
  /** Stream offset of the next chunk to be reported. */
  cutAt = 0;
  /** The file no longer matched its stamp after the read (or couldn't be read in full): its chunks are not its contents. */
  changed = false;
  readonly size: number;

  constructor(
    readonly path: string,
    readonly stamp: FileStamp,
  ) {
    this.size = stamp.size;
  }
}

export interface Frame {
  readonly entries: readonly ManifestEntry[];
  /** The compressed frame: valid only until the handler returns. */
  readonly bytes: Uint8Array;
}

export interface ChunkPipelineOptions {
  /** Bytes of the shared buffer for file data, then for compressed frames. */
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly level: number;
  /** Submit a frame once this many uncompressed bytes are batched. */
  readonly frameBytes: number;
  /** Called with each compressed frame, in order. */
  readonly onFrame: (frame: Frame) => Promise<void>;
}

/** FastCDC never cuts a stream of at most `min` bytes: it is one chunk, hashed without the chunker. */
const CDC_MIN = 512 * 1024;
const CDC_MAX = 8 * 1024 * 1024;
const JOB_ITEMS = 128;
const JOB_BYTES = 4 << 20;
/** Slots kept for compression, so stage A can never starve it. */
const FRAME_SLOTS = 4;

interface StageAJob {
  readonly slot: number;
  readonly worker: number;
  readonly items: { ticket: FileTicket; seg: Segment }[];
  bytes: number;
  /** Bytes used in the slot's path area. */
  pathBytes: number;
}

/** A chunk cut but not yet hashed: it joins its ticket's chunks once its Hash job is done. */
interface Unhashed {
  readonly ticket: FileTicket;
  readonly length: number;
  readonly pieces: [number, number][];
}

interface HashJob {
  readonly slot: number;
  readonly chunks: Unhashed[];
}

interface FrameJob {
  readonly slot: number;
  readonly seq: number;
  readonly out: number;
  readonly entries: ManifestEntry[];
}

export class ChunkPipeline {
  readonly #input: ByteRing;
  readonly #output: ByteRing;
  readonly #segmentBytes: number;
  readonly #toRead: FileTicket[] = [];
  /** Segments in ring order, for releasing oldest first. */
  readonly #held: { ticket: FileTicket; seg: Segment }[] = [];
  #open: StageAJob | undefined;
  readonly #stageA: StageAJob[] = [];
  readonly #toHash: Unhashed[] = [];
  /** In submission order: their chunks join tickets in this order. */
  readonly #hashJobs: HashJob[] = [];
  readonly #frames: FrameJob[] = [];
  #pieces: [number, number][] = [];
  #entries: ManifestEntry[] = [];
  #frameBytes = 0;
  #nextSeq = 1;
  #writtenSeq = 0;
  readonly #gc = new GcSchedule();
  /** The worker holding the chunker state of the stream being read. */
  #streamWorker = 0;
  bytesRead = 0;
  compressedBytes = 0;

  constructor(
    readonly pool: WorkerPool,
    readonly opts: ChunkPipelineOptions,
  ) {
    if (opts.inputBytes + opts.outputBytes > pool.data.length) throw new BackpakError("internal", "rings exceed the shared buffer");
    if (opts.inputBytes < 2 * CDC_MAX || opts.outputBytes < 2 * Math.max(CDC_MAX, 2 * opts.frameBytes) + 4096) {
      throw new BackpakError("internal", "rings too small for the largest chunk");
    }
    this.#input = new ByteRing(0, opts.inputBytes);
    this.#output = new ByteRing(opts.inputBytes, opts.outputBytes);
    this.#segmentBytes = Math.min(READ_BLOCK, Math.floor((opts.inputBytes - CDC_MAX) / 4));
  }

  /** Queues a changed file, as scanned; its bytes are read as ring space allows. */
  add(path: string, stamp: FileStamp): FileTicket {
    const t = new FileTicket(path, stamp);
    if (t.size === 0) t.complete = true;
    else this.#toRead.push(t);
    return t;
  }

  /** Does whatever can be done now without waiting: collect results, hand on frames, release, read. */
  async pump(): Promise<void> {
    await yieldPoint();
    this.#collect();
    this.#submitHashes();
    await this.#handOnFrames();
    this.#releaseInput();
    this.#read();
  }

  /** Waits until some job finishes (after submitting every partial batch, so progress is certain). */
  async waitForProgress(): Promise<void> {
    const seen = this.pool.finishedCount;
    // Chunks decided since the last pump may have freed ring space: read into it before waiting.
    this.#releaseInput();
    this.#read();
    this.#submitStageA();
    this.#submitHashes();
    this.#submitFrame();
    const headDone = (jobs: readonly { slot: number }[]): boolean => jobs.length > 0 && this.pool.finished(jobs[0]!.slot);
    if (this.#stageA.some((j) => this.pool.finished(j.slot)) || headDone(this.#hashJobs) || headDone(this.#frames)) {
      await this.pump();
      return;
    }
    if (this.#stageA.length === 0 && this.#hashJobs.length === 0 && this.#frames.length === 0) {
      if (this.#toRead.length > 0 || this.#toHash.length > 0) throw new BackpakError("internal", "pipeline stalled: no job in flight and no room to read");
      return;
    }
    await this.pool.waitAny(seen);
    await this.pump();
  }

  /** True when the caller may decide a new chunk now (the pending frame has room, or can be submitted). */
  canDecideNew(): boolean {
    if (this.#frameBytes < this.opts.frameBytes && this.#pieces.length < MAX_ITEMS - 16) return true;
    this.#submitFrame();
    return this.#frameBytes === 0;
  }

  /**
   * Takes the ticket's next chunk, decided: new chunks (`isNew`; check `canDecideNew` first) are
   * compressed in a frame and handed on. Either way its ring space is reused once nothing needs it.
   */
  decide(ticket: FileTicket, isNew: boolean): ChunkRef {
    const chunk = ticket.chunks[ticket.decided++]!;
    const start = ticket.decidedBytes;
    ticket.decidedBytes += chunk.length;
    if (isNew) {
      if (this.#frameBytes > 0 && this.#frameBytes + chunk.length > 2 * this.opts.frameBytes) this.#submitFrame();
      for (const p of chunk.pieces) this.#pieces.push([p[0], p[1]]);
      this.#entries.push({ type: "chunk", length: chunk.length, id: chunk.id });
      this.#frameBytes += chunk.length;
      for (const s of ticket.segments) {
        if (s.streamStart < ticket.decidedBytes && s.streamStart + s.length > start) s.neededUntil = this.#nextSeq;
      }
    }
    return chunk;
  }

  /**
   * Queues a blob whose ID is already known (copied from another pack, by prune or copy) straight
   * into a frame: it is compressed on the workers like a new chunk. False when there is no room
   * now (pump or wait for progress, then try again).
   */
  addBlob(id: BlobId, bytes: Uint8Array): boolean {
    if (!this.canDecideNew()) return false;
    const ring = this.#input.alloc(bytes.length);
    if (ring < 0) return false;
    this.pool.data.set(bytes, ring);
    const t = new FileTicket("", { size: bytes.length, mtime: 0n, ctime: 0n });
    const seg: Segment = { ring, streamStart: 0, length: bytes.length, neededUntil: 0 };
    t.segments.push(seg);
    t.chunks.push({ id, length: bytes.length, pieces: [[ring, bytes.length]] });
    t.complete = true;
    this.#held.push({ ticket: t, seg });
    this.decide(t, true);
    return true;
  }

  /** Submits everything, waits for every job, and hands on the last frames. */
  async finish(): Promise<void> {
    for (;;) {
      await this.pump();
      this.#submitStageA();
      this.#submitFrame();
      const idle = this.#stageA.length === 0 && this.#toHash.length === 0 && this.#hashJobs.length === 0 && this.#frames.length === 0;
      if (this.#toRead.length === 0 && idle && this.#frameBytes === 0) return;
      await this.waitForProgress();
    }
  }

  /** Forgets queued files after a failure. */
  abandon(): void {
    this.#toRead.length = 0;
  }

  // Reading and stage A.

  #read(): void {
    while (this.#toRead.length > 0) {
      const t = this.#toRead[0]!;
      const want = Math.min(t.size - t.readBytes, this.#segmentBytes);
      const first = t.readBytes === 0;
      const last = t.readBytes + want === t.size;
      const whole = first && last && t.size <= CDC_MIN;
      if (first) t.cutOnly = !whole && this.pool.workerCount > 1;
      const flags = (first ? ItemFlag.First : 0) | (last ? ItemFlag.Last : 0) | (whole ? ItemFlag.Whole : 0) | (t.cutOnly ? ItemFlag.CutOnly : 0);
      const job = this.#jobFor(flags);
      if (!job) return;
      let pathAt = 0;
      let pathLen = 0;
      if (first) {
        pathAt = job.pathBytes;
        pathLen = this.pool.slots.setPath(job.slot, pathAt, t.path);
        if (pathLen < 0 || !this.pool.slots.setStamp(job.slot, pathAt + pathLen, t.stamp)) {
          // The job's path area is full: send it off and put this file in the next one.
          if (job.items.length === 0) throw new BackpakError("usage", `The path ${t.path} is too long to back up`);
          this.#submitStageA();
          continue;
        }
      }
      const ring = this.#input.alloc(want);
      if (ring < 0) return;
      // The worker opens the file and reads the bytes into the ring.
      if (first) job.pathBytes += pathLen + STAMP_BYTES;
      const seg: Segment = { ring, streamStart: t.readBytes, length: want, neededUntil: 0 };
      this.pool.slots.setItem(job.slot, job.items.length, CutHashItem, { offset: ring, length: want, flags, pathAt, pathLength: pathLen });
      t.readBytes += want;
      t.segments.push(seg);
      this.#held.push({ ticket: t, seg });
      this.bytesRead += want;
      this.#gc.add(want);
      if (last) this.#toRead.shift();
      job.items.push({ ticket: t, seg });
      job.bytes += want;
      if (job.items.length >= JOB_ITEMS || job.bytes >= JOB_BYTES) this.#submitStageA();
    }
  }

  /**
   * The open stage-A job an item with `flags` can join, opening one if needed; undefined when no
   * slot is free. Items of a chunked stream go to the worker holding its chunker state, in order.
   */
  #jobFor(flags: number): StageAJob | undefined {
    const chunked = !(flags & ItemFlag.Whole);
    const continues = chunked && !(flags & ItemFlag.First);
    if (this.#open && continues && this.#open.worker !== this.#streamWorker) this.#submitStageA();
    if (!this.#open) {
      if (this.pool.freeSlots <= FRAME_SLOTS) return undefined;
      const worker = continues ? this.#streamWorker : this.pool.leastBusy();
      this.#open = { slot: this.pool.take(JobType.CutHash), worker, items: [], bytes: 0, pathBytes: 0 };
      this.#stageA.push(this.#open);
    }
    if (chunked && flags & ItemFlag.First) this.#streamWorker = this.#open.worker;
    return this.#open;
  }

  #submitStageA(): void {
    const job = this.#open;
    if (!job) return;
    this.#open = undefined;
    if (job.items.length === 0) {
      // Opened, but the ring had no room for its first item: give the slot back.
      this.#stageA.splice(this.#stageA.indexOf(job), 1);
      this.pool.release(job.slot);
      return;
    }
    this.pool.slots.set(job.slot, H.Items, job.items.length);
    this.pool.submit(job.slot, job.worker);
  }

  /** Moves results of finished stage-A jobs onto their tickets (a stream's jobs finish in order). */
  #collect(): void {
    for (let k = 0; k < this.#stageA.length; ) {
      const job = this.#stageA[k]!;
      if (job === this.#open || !this.pool.finished(job.slot)) {
        k++;
        continue;
      }
      this.#stageA.splice(k, 1);
      this.#takeResults(job);
    }
    while (this.#hashJobs.length > 0 && this.pool.finished(this.#hashJobs[0]!.slot)) this.#takeHashes(this.#hashJobs.shift()!);
  }

  #takeResults(job: StageAJob): void {
    const slots = this.pool.slots;
    try {
      this.pool.complete(job.slot);
    } catch (err) {
      const failed = job.items[slots.get(job.slot, H.FailedItem)] ?? job.items[0]!;
      throw context("io", `Couldn't read and hash ${failed.ticket.path}`, err);
    }
    const cuts = slots.get(job.slot, H.Cuts);
    for (let c = 0; c < cuts; c++) {
      const { ticket } = job.items[slots.cutItem(job.slot, c)]!;
      const length = slots.cutLength(job.slot, c);
      const pieces = piecesOf(ticket, ticket.cutAt, length);
      ticket.cutAt += length;
      if (ticket.cutOnly) {
        this.#toHash.push({ ticket, length, pieces });
        ticket.hashing++;
      } else {
        ticket.chunks.push({ id: idFromDigest<"blob">(slots.digest(job.slot, c)), length, pieces });
      }
    }
    for (const [i, { ticket, seg }] of job.items.entries()) {
      if (seg.streamStart + seg.length !== ticket.size) continue;
      ticket.changed = (slots.item(job.slot, i, CutHashItem.flags) & ItemFlag.Changed) !== 0;
      ticket.cut = true;
      ticket.complete = ticket.hashing === 0;
    }
    this.pool.release(job.slot);
  }

  /** Sends cut chunks off to be hashed, as many per job as its items and digests allow. */
  #submitHashes(): void {
    while (this.#toHash.length > 0 && this.pool.freeSlots > 0) {
      const slot = this.pool.take(JobType.Hash);
      const chunks: Unhashed[] = [];
      let items = 0;
      while (this.#toHash.length > 0 && chunks.length < MAX_CUTS) {
        const next = this.#toHash[0]!;
        if (items + next.pieces.length > MAX_ITEMS) break;
        next.pieces.forEach(([offset, length], i) => this.pool.slots.setItem(slot, items + i, HashItem, { offset, length, digest: chunks.length, last: i === next.pieces.length - 1 ? 1 : 0 }));
        items += next.pieces.length;
        chunks.push(this.#toHash.shift()!);
      }
      this.pool.slots.set(slot, H.Items, items);
      this.pool.submit(slot, this.pool.leastBusy());
      this.#hashJobs.push({ slot, chunks });
    }
  }

  #takeHashes(job: HashJob): void {
    try {
      this.pool.complete(job.slot);
    } catch (err) {
      throw context("io", `Couldn't hash ${job.chunks[0]!.ticket.path}`, err);
    }
    job.chunks.forEach(({ ticket, length, pieces }, i) => {
      ticket.chunks.push({ id: idFromDigest<"blob">(this.pool.slots.digest(job.slot, i)), length, pieces });
      ticket.hashing--;
      ticket.complete = ticket.cut && ticket.hashing === 0;
    });
    this.pool.release(job.slot);
  }

  /** Releases input ranges, oldest first, once decided and no longer needed by a frame in flight. */
  #releaseInput(): void {
    while (this.#held.length > 0) {
      const { ticket, seg } = this.#held[0]!;
      if (ticket.decidedBytes < seg.streamStart + seg.length || seg.neededUntil > this.#writtenSeq) return;
      this.#held.shift();
      this.#input.releaseOldest();
    }
  }

  // Stage B.

  #submitFrame(): void {
    if (this.#frameBytes === 0 || this.pool.freeSlots === 0) return;
    const bound = this.#frameBytes + (this.#frameBytes >> 7) + 1024;
    const out = this.#output.alloc(bound);
    if (out < 0) return;
    const slot = this.pool.take(JobType.Compress);
    const slots = this.pool.slots;
    this.#pieces.forEach(([offset, length], i) => slots.setItem(slot, i, CompressItem, { offset, length }));
    slots.set(slot, H.Items, this.#pieces.length);
    slots.set(slot, H.OutOffset, out);
    slots.set(slot, H.OutCapacity, bound);
    slots.set(slot, H.Level, this.opts.level);
    this.pool.submit(slot, this.pool.leastBusy());
    this.#frames.push({ slot, seq: this.#nextSeq++, out, entries: this.#entries });
    this.#pieces = [];
    this.#entries = [];
    this.#frameBytes = 0;
  }

  /** Hands on finished frames in order, freeing their output ranges. */
  async #handOnFrames(): Promise<void> {
    while (this.#frames.length > 0 && this.pool.finished(this.#frames[0]!.slot)) {
      const f = this.#frames.shift()!;
      try {
        this.pool.complete(f.slot);
      } catch (err) {
        throw context("io", "Compressing new chunks failed", err);
      }
      const len = this.pool.slots.get(f.slot, H.OutLength);
      this.pool.release(f.slot);
      this.compressedBytes += len;
      await this.opts.onFrame({ entries: f.entries, bytes: this.pool.data.subarray(f.out, f.out + len) });
      this.#output.releaseOldest();
      this.#writtenSeq = f.seq;
    }
  }
}

/** The ring ranges holding stream bytes [start, start + length) of a ticket. */
function piecesOf(t: FileTicket, start: number, length: number): [number, number][] {
  const out: [number, number][] = [];
  const end = start + length;
  for (const s of t.segments) {
    const a = Math.max(start, s.streamStart);
    const b = Math.min(end, s.streamStart + s.length);
    if (a < b) out.push([s.ring + (a - s.streamStart), b - a]);
  }
  return out;
}
