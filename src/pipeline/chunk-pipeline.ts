/**
 * The main thread's side of backup's hot path, joining its stages over the shared rings: changed
 * files are read and cut (cut-stage.ts), large files' chunks hashed (hash-stage.ts), and the new
 * chunks the caller decides compressed into frames handed on in order (frame-stage.ts). Input ring
 * space is released, oldest first, once a range's chunks are decided and the frames that need its
 * bytes are handed on, so memory stays bounded whatever the input, and a slow stage stalls the
 * ones before it. A file that changed while a worker read it completes as usual with `changed`
 * set: its chunks are whatever was read (zeros past an early end), for the caller to replace by
 * reading it again.
 */
import { idToDigest, type BlobId } from "../format/id.ts";
import type { FileStamp } from "../fs/file-stamp.ts";
import { BackpakError } from "../lib/errors.ts";
import { yieldPoint } from "../lib/yield-point.ts";
import { ByteRing } from "./byte-ring.ts";
import { CDC_MAX, CutStage } from "./cut-stage.ts";
import { FileTicket, type ChunkRef, type HeldSegment, type Segment } from "./file-ticket.ts";
import { FrameStage, type FrameOptions } from "./frame-stage.ts";
import { HashStage } from "./hash-stage.ts";
import type { WorkerPool } from "./pool.ts";
import { READ_BLOCK } from "./read-hook.ts";

export interface ChunkPipelineOptions extends FrameOptions {
  /** Bytes of the shared buffer for file data, then for compressed frames. */
  readonly inputBytes: number;
  readonly outputBytes: number;
}

export class ChunkPipeline {
  readonly #input: ByteRing;
  /** Segments in ring order, for releasing oldest first. */
  readonly #held: HeldSegment[] = [];
  readonly #cuts: CutStage;
  readonly #hashes: HashStage;
  readonly #frames: FrameStage;
  /** The pool's finished-job count when results were last collected (read before collecting them). */
  #collectedAt = -1;

  constructor(
    readonly pool: WorkerPool,
    opts: ChunkPipelineOptions,
  ) {
    if (opts.inputBytes + opts.outputBytes > pool.data.length) throw new BackpakError("internal", "rings exceed the shared buffer");
    if (opts.inputBytes < 2 * CDC_MAX || opts.outputBytes < 2 * Math.max(CDC_MAX, 2 * opts.frameBytes) + 4096) {
      throw new BackpakError("internal", "rings too small for the largest chunk");
    }
    this.#input = new ByteRing(0, opts.inputBytes);
    this.#hashes = new HashStage(pool);
    this.#cuts = new CutStage(pool, this.#input, this.#held, this.#hashes, Math.min(READ_BLOCK, Math.floor((opts.inputBytes - CDC_MAX) / 4)));
    this.#frames = new FrameStage(pool, new ByteRing(opts.inputBytes, opts.outputBytes), opts);
  }

  get bytesRead(): number {
    return this.#cuts.bytesRead;
  }

  get compressedBytes(): number {
    return this.#frames.compressedBytes;
  }

  /** Queues a changed file, as scanned; its bytes are read as ring space allows. */
  add(path: string, stamp: FileStamp): FileTicket {
    const t = new FileTicket(path, stamp);
    if (t.size === 0) t.complete = true;
    else this.#cuts.add(t);
    return t;
  }

  /**
   * Does whatever can be done now without waiting: collect results, hand on frames, release, read.
   * Results are looked for only when some job finished since they were last collected: the walk
   * pumps once per changed file, and small files far outnumber jobs.
   */
  async pump(): Promise<void> {
    await yieldPoint();
    const finished = this.pool.finishedCount;
    if (finished !== this.#collectedAt) {
      this.#collectedAt = finished;
      this.#cuts.collect();
      this.#hashes.collect();
      this.#hashes.submit();
      await this.#frames.handOn();
    }
    this.#releaseInput();
    this.#cuts.read();
  }

  /** Waits until some job finishes (after submitting every partial batch, so progress is certain). */
  async waitForProgress(): Promise<void> {
    const seen = this.pool.finishedCount;
    // Chunks decided since the last pump may have freed ring space: read into it before waiting.
    this.#releaseInput();
    this.#cuts.read();
    this.#cuts.submit();
    this.#hashes.submit();
    this.#frames.submit();
    if (this.#cuts.anyDone() || this.#hashes.headDone() || this.#frames.headDone()) {
      await this.pump();
      return;
    }
    if (!this.#cuts.busy && !this.#hashes.busy && !this.#frames.busy) {
      if (this.#cuts.waiting || this.#hashes.waiting) throw new BackpakError("internal", "pipeline stalled: no job in flight and no room to read");
      return;
    }
    await this.pool.waitAny(seen);
    await this.pump();
  }

  /** True when the caller may decide a new chunk now (the pending frame has room, or can be submitted). */
  canDecideNew(): boolean {
    return this.#frames.hasRoom();
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
      const seq = this.#frames.add(chunk);
      for (const s of ticket.segments) {
        if (s.streamStart < ticket.decidedBytes && s.streamStart + s.length > start) s.neededUntil = seq;
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
    t.chunks.push({ id, digest: idToDigest(id), length: bytes.length, pieces: [[ring, bytes.length]] });
    t.complete = true;
    this.#held.push({ ticket: t, seg });
    this.decide(t, true);
    return true;
  }

  /** Submits everything, waits for every job, and hands on the last frames. */
  async finish(): Promise<void> {
    for (;;) {
      await this.pump();
      this.#cuts.submit();
      this.#frames.submit();
      const idle = !this.#cuts.busy && !this.#hashes.waiting && !this.#hashes.busy && !this.#frames.busy;
      if (!this.#cuts.waiting && idle && this.#frames.pendingBytes === 0) return;
      await this.waitForProgress();
    }
  }

  /** Forgets queued files after a failure. */
  abandon(): void {
    this.#cuts.abandon();
  }

  /** Releases input ranges, oldest first, once decided and no longer needed by a frame in flight. */
  #releaseInput(): void {
    while (this.#held.length > 0) {
      const { ticket, seg } = this.#held[0]!;
      if (ticket.decidedBytes < seg.streamStart + seg.length || seg.neededUntil > this.#frames.handedOn) return;
      this.#held.shift();
      this.#input.releaseOldest();
    }
  }
}
