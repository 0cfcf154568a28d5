/**
 * Backup's hashing stage for large files: chunks cut on one worker (CutOnly) are hashed by Hash
 * jobs any worker can take, so one large file keeps two cores busy; their IDs join their tickets
 * in the order the jobs were submitted.
 */
import { idFromDigest } from "../format/id.ts";
import { context } from "../lib/errors.ts";
import type { FileTicket } from "./file-ticket.ts";
import type { WorkerPool } from "./pool.ts";
import { H, HashItem, JobType, MAX_CUTS, MAX_ITEMS } from "./protocol.ts";

/** A chunk cut but not yet hashed: it joins its ticket's chunks once its Hash job is done. */
export interface Unhashed {
  readonly ticket: FileTicket;
  readonly length: number;
  readonly pieces: [number, number][];
}

interface HashJob {
  readonly slot: number;
  readonly chunks: Unhashed[];
}

export class HashStage {
  readonly #toHash: Unhashed[] = [];
  /** In submission order: their chunks join tickets in this order. */
  readonly #jobs: HashJob[] = [];

  constructor(readonly pool: WorkerPool) {}

  queue(chunk: Unhashed): void {
    this.#toHash.push(chunk);
    chunk.ticket.hashing++;
  }

  /** Chunks wait to be sent off. */
  get waiting(): boolean {
    return this.#toHash.length > 0;
  }

  /** Jobs are in flight. */
  get busy(): boolean {
    return this.#jobs.length > 0;
  }

  /** The oldest job in flight is finished. */
  headDone(): boolean {
    return this.#jobs.length > 0 && this.pool.finished(this.#jobs[0]!.slot);
  }

  /** Sends cut chunks off to be hashed, as many per job as its items and digests allow. */
  submit(): void {
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
      this.#jobs.push({ slot, chunks });
    }
  }

  /** Moves the digests of finished jobs, oldest first, onto their tickets. */
  collect(): void {
    while (this.headDone()) this.#take(this.#jobs.shift()!);
  }

  #take(job: HashJob): void {
    try {
      this.pool.complete(job.slot);
    } catch (err) {
      throw context("io", `Couldn't hash ${job.chunks[0]!.ticket.path}`, err);
    }
    job.chunks.forEach(({ ticket, length, pieces }, i) => {
      const digest = this.pool.slots.digest(job.slot, i).slice();
      ticket.chunks.push({ id: idFromDigest<"blob">(digest), digest, length, pieces });
      ticket.hashing--;
      ticket.complete = ticket.cut && ticket.hashing === 0;
    });
    this.pool.release(job.slot);
  }
}
