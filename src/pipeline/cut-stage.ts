/**
 * Backup's first stage: changed files are read into the input ring in order, in segments, and
 * batched into CutHash jobs (the worker reads the bytes, runs FastCDC and SHA-224); their chunks
 * come back onto each file's ticket in order. A file's stream must be cut by one worker, in
 * order, so the items of a chunked stream go to the worker holding its chunker state; with several
 * workers its chunks are hashed by the hash stage instead, which any worker can take.
 */
import { idFromDigest } from "../format/id.ts";
import { BackpakError, context } from "../lib/errors.ts";
import type { ByteRing } from "./byte-ring.ts";
import { piecesOf, type FileTicket, type HeldSegment, type Segment } from "./file-ticket.ts";
import { GcSchedule } from "./gc-schedule.ts";
import type { HashStage } from "./hash-stage.ts";
import type { WorkerPool } from "./pool.ts";
import { CutHashItem, H, ItemFlag, JobType, STAMP_BYTES } from "./protocol.ts";

/** FastCDC never cuts a stream of at most `min` bytes: it is one chunk, hashed without the chunker. */
const CDC_MIN = 512 * 1024;
/** The largest chunk FastCDC makes. */
export const CDC_MAX = 8 * 1024 * 1024;
const JOB_ITEMS = 128;
const JOB_BYTES = 4 << 20;
/** Slots kept for hashing and compression, so reading ahead can never starve them. */
const FRAME_SLOTS = 4;

interface CutJob {
  readonly slot: number;
  readonly worker: number;
  readonly items: HeldSegment[];
  bytes: number;
  /** Bytes used in the slot's path area. */
  pathBytes: number;
}

export class CutStage {
  readonly #toRead: FileTicket[] = [];
  #open: CutJob | undefined;
  readonly #jobs: CutJob[] = [];
  readonly #gc = new GcSchedule();
  /** The worker holding the chunker state of the stream being read. */
  #streamWorker = 0;
  bytesRead = 0;

  /** Reads into `input` in segments of at most `segmentBytes`, adding each segment to `held` (in ring order). */
  constructor(
    readonly pool: WorkerPool,
    readonly input: ByteRing,
    readonly held: HeldSegment[],
    readonly hashes: HashStage,
    readonly segmentBytes: number,
  ) {}

  /** Queues a file to be read as ring space allows. */
  add(ticket: FileTicket): void {
    this.#toRead.push(ticket);
  }

  /** Files wait to be read. */
  get waiting(): boolean {
    return this.#toRead.length > 0;
  }

  /** Jobs are open or in flight. */
  get busy(): boolean {
    return this.#jobs.length > 0;
  }

  /** Some submitted job is finished. */
  anyDone(): boolean {
    return this.#jobs.some((j) => j !== this.#open && this.pool.finished(j.slot));
  }

  /** Forgets queued files after a failure. */
  abandon(): void {
    this.#toRead.length = 0;
  }

  /** Reads queued files into the ring while there is room and a slot. */
  read(): void {
    while (this.#toRead.length > 0) {
      const t = this.#toRead[0]!;
      const want = Math.min(t.size - t.readBytes, this.segmentBytes);
      const first = t.readBytes === 0;
      const last = t.readBytes + want === t.size;
      const whole = first && last && t.size <= CDC_MIN;
      if (first) t.cutOnly = !whole && this.pool.workerCount > 1;
      const flags = (first ? ItemFlag.First : 0) | (last ? ItemFlag.Last : 0) | (whole ? ItemFlag.Whole : 0) | (t.cutOnly ? ItemFlag.CutOnly : 0);
      const job = this.#jobFor(flags);
      if (!job) return;
      let pathAt = 0;
      let pathLength = 0;
      if (first) {
        pathAt = job.pathBytes;
        pathLength = this.pool.slots.setPath(job.slot, pathAt, t.path);
        if (pathLength < 0 || !this.pool.slots.setStamp(job.slot, pathAt + pathLength, t.stamp)) {
          // The job's path area is full: send it off and put this file in the next one.
          if (job.items.length === 0) throw new BackpakError("usage", `The path ${t.path} is too long to back up`);
          this.submit();
          continue;
        }
      }
      const ring = this.input.alloc(want);
      if (ring < 0) return;
      // The worker opens the file and reads the bytes into the ring.
      if (first) job.pathBytes += pathLength + STAMP_BYTES;
      const seg: Segment = { ring, streamStart: t.readBytes, length: want, neededUntil: 0 };
      this.pool.slots.setItem(job.slot, job.items.length, CutHashItem, { offset: ring, length: want, flags, pathAt, pathLength });
      t.readBytes += want;
      t.segments.push(seg);
      this.held.push({ ticket: t, seg });
      this.bytesRead += want;
      this.#gc.add(want);
      if (last) this.#toRead.shift();
      job.items.push({ ticket: t, seg });
      job.bytes += want;
      if (job.items.length >= JOB_ITEMS || job.bytes >= JOB_BYTES) this.submit();
    }
  }

  /**
   * The open job an item with `flags` can join, opening one if needed; undefined when no slot is
   * free. Items of a chunked stream go to the worker holding its chunker state, in order.
   */
  #jobFor(flags: number): CutJob | undefined {
    const chunked = !(flags & ItemFlag.Whole);
    const continues = chunked && !(flags & ItemFlag.First);
    if (this.#open && continues && this.#open.worker !== this.#streamWorker) this.submit();
    if (!this.#open) {
      if (this.pool.freeSlots <= FRAME_SLOTS) return undefined;
      const worker = continues ? this.#streamWorker : this.pool.leastBusy();
      this.#open = { slot: this.pool.take(JobType.CutHash), worker, items: [], bytes: 0, pathBytes: 0 };
      this.#jobs.push(this.#open);
    }
    if (chunked && flags & ItemFlag.First) this.#streamWorker = this.#open.worker;
    return this.#open;
  }

  /** Submits the open job. */
  submit(): void {
    const job = this.#open;
    if (!job) return;
    this.#open = undefined;
    if (job.items.length === 0) {
      // Opened, but the ring had no room for its first item: give the slot back.
      this.#jobs.splice(this.#jobs.indexOf(job), 1);
      this.pool.release(job.slot);
      return;
    }
    this.pool.slots.set(job.slot, H.Items, job.items.length);
    this.pool.submit(job.slot, job.worker);
  }

  /** Moves results of finished jobs onto their tickets (a stream's jobs finish in order). */
  collect(): void {
    for (let k = 0; k < this.#jobs.length; ) {
      const job = this.#jobs[k]!;
      if (job === this.#open || !this.pool.finished(job.slot)) {
        k++;
        continue;
      }
      this.#jobs.splice(k, 1);
      this.#take(job);
    }
  }

  #take(job: CutJob): void {
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
      if (ticket.cutOnly) this.hashes.queue({ ticket, length, pieces });
      else {
        const digest = slots.digest(job.slot, c).slice();
        ticket.chunks.push({ id: idFromDigest<"blob">(digest), digest, length, pieces });
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
}
