/**
 * The main thread's side of reading packs in parallel (restore, check): a pack's blob stream is
 * read a window at a time into the input ring, split into zstd frames by their headers, and each
 * frame holding wanted blobs goes to a worker that decompresses it, checks every wanted blob
 * against its SHA-224, and writes it to its target files. Ring space is released oldest first as
 * jobs finish, so memory stays bounded whatever the pack sizes.
 */
import type { RangeReader } from "../backend/index.ts";
import { ID_BYTES, idFromDigest } from "../format/id.ts";
import type { ManifestColumns } from "../format/manifest.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { scanFrame } from "../kernels/zstd-frames.ts";
import { yieldPoint } from "../lib/yield-point.ts";
import { ByteRing } from "./byte-ring.ts";
import { GcSchedule } from "./gc-schedule.ts";
import type { WorkerPool } from "./pool.ts";
import { BlobItem, FrameItem, H, JobType, MAX_ITEMS, PATH_BYTES } from "./protocol.ts";

/** Where a blob's bytes go: file `path` (created beforehand) at byte `offset`. */
export interface BlobTarget {
  readonly path: string;
  readonly offset: number;
}

export interface PackTask {
  /** Names the pack in errors ("pack <id>"). */
  readonly label: string;
  readonly reader: Pick<RangeReader, "size" | "readInto">;
  /** The blob stream's byte range in the pack. */
  readonly blobsStart: number;
  readonly blobsEnd: number;
  /** Every blob of the pack, in stream order (its manifest: their lengths and digests). */
  readonly blobs: Pick<ManifestColumns, "count" | "lengths" | "digests">;
  /** Blobs to verify (and write to their targets), by index; an empty target list only verifies. */
  readonly wanted: ReadonlyMap<number, readonly BlobTarget[]>;
  /** Called once a wanted blob is verified and written everywhere it goes. */
  readonly onBlob?: (index: number, targets: readonly BlobTarget[]) => void;
  /**
   * Called, instead of the pipeline throwing, with wanted blobs that couldn't be read from the pack
   * (they are written nowhere); a failed write, or a worker's death, still throws.
   */
  readonly onDamage?: (err: BackpakError, indexes: readonly number[]) => void;
  /**
   * Frame starts an earlier run of the same pack reported, in stream order from its first frame:
   * the frames between them are read alone, not scanned for.
   */
  readonly known?: readonly StreamPoint[];
  /** Told where each frame it scans starts, and where it stopped scanning (the stream's end, or the next frame's start). */
  readonly onFrame?: (start: StreamPoint) => void;
}

/** A frame boundary in a pack's blob stream: its byte position in the pack, the raw bytes and the blobs before it. */
export interface StreamPoint {
  readonly pos: number;
  readonly rawPos: number;
  readonly blob: number;
}

/** A pack whose frames the workers can't take (one huge frame, or frames without their sizes): read it another way. */
export class UnsplittablePack extends Error {}

interface Job {
  readonly slot: number;
  readonly task: PackTask;
  readonly blobs: [number, readonly BlobTarget[]][];
  /** The blob index of each item (item 0 is the frame). */
  readonly itemBlob: number[];
  readonly window: Window;
}

interface Window {
  pending: number;
  scanned: boolean;
}

export class BlobPipeline {
  readonly #ring: ByteRing;
  readonly #windowBytes: number;
  readonly #jobs: Job[] = [];
  readonly #windows: Window[] = [];
  readonly #gc = new GcSchedule();
  blobsVerified = 0;
  /** Frames read from a known place (PackTask.known): each read, scanned or not, by a run before. */
  knownFramesRead = 0;

  constructor(
    readonly pool: WorkerPool,
    ringBytes: number,
    /** The name errors give a target's path (a restore writes long paths through short `/proc/self/fd/…` ones). */
    readonly nameOf: (path: string) => string = (path) => path,
    /**
     * True while other work on this thread should go on during a wait for the workers (a restore
     * planning its next batch): the wait then yields to the event loop instead of sleeping.
     */
    readonly shareThread: () => boolean = () => false,
  ) {
    this.#ring = new ByteRing(0, ringBytes);
    this.#windowBytes = Math.min(16 << 20, Math.floor(ringBytes / 3));
  }

  /**
   * Feeds one pack's frames that hold wanted blobs to the workers (returning once all are
   * submitted; `finish` waits for them). Frames `task.known` lists are read alone, the others are
   * found by scanning from the last known start, up to the frame holding the last wanted blob.
   * Throws UnsplittablePack, before anything of it is written, if its frames can't be split.
   */
  async run(task: PackTask): Promise<void> {
    const { count, lengths } = task.blobs;
    const offsets = new Float64Array(count);
    let raw = 0;
    for (let b = 0; b < count; b++) {
      offsets[b] = raw;
      raw += lengths[b]!;
    }
    const wanted = [...task.wanted.keys()].sort((a, b) => a - b);
    // Without the last blob wanted, scanning stops after the frame of the last one that is; else it
    // goes to the end, where a stream that holds fewer blobs than its manifest is caught.
    const last = wanted.length === 0 || wanted[wanted.length - 1] === count - 1 ? Infinity : wanted[wanted.length - 1]!;
    const from = await this.#readKnown(task, wanted, offsets);
    if (from === "done") return;
    let pos = from?.pos ?? task.blobsStart;
    let rawPos = from?.rawPos ?? 0;
    let blob = from?.blob ?? 0;
    while (pos < task.blobsEnd) {
      if (blob > last) {
        task.onFrame?.({ pos, rawPos, blob });
        return;
      }
      const want = Math.min(this.#windowBytes, task.blobsEnd - pos);
      const at = await this.#alloc(want);
      const view = this.pool.data.subarray(at, at + want);
      const window = this.#window();
      let off = 0;
      try {
        if (task.reader.readInto(view, pos) !== want) throw new BackpakError("corrupt", `${task.label} is shorter than its manifest says`);
        this.#gc.add(want);
        for (;;) {
          let frame;
          try {
            frame = scanFrame(view, off, want);
          } catch (err) {
            throw context("corrupt", `${task.label} has a damaged blob stream at byte ${pos + off}`, err);
          }
          if (!frame) break;
          if (frame.contentSize < 0) throw new UnsplittablePack(`${task.label}: a frame without its size`);
          const first = blob;
          task.onFrame?.({ pos: pos + frame.start, rawPos, blob: first });
          while (blob < count && offsets[blob]! + lengths[blob]! <= rawPos + frame.contentSize) blob++;
          if (blob < count && offsets[blob]! < rawPos + frame.contentSize) throw new UnsplittablePack(`${task.label}: a blob spans frames`);
          await this.#submit(task, window, at + frame.start, frame.end - frame.start, frame.contentSize, first, blob, rawPos, offsets);
          rawPos += frame.contentSize;
          off = frame.end;
          if (blob > last) break;
        }
        if (off === 0) throw new UnsplittablePack(`${task.label}: a frame larger than ${this.#windowBytes} bytes`);
      } finally {
        // Done with, even when this pack fails here: its space is freed once its jobs finish.
        window.scanned = true;
        this.#release();
      }
      pos += off;
    }
    if (blob !== count) throw new BackpakError("corrupt", `${task.label}'s frames hold fewer blobs than its manifest lists`);
    task.onFrame?.({ pos, rawPos, blob });
  }

  /**
   * Reads the frames among `task.known` (whose ends are known: the next start) that hold wanted
   * blobs, consecutive ones a window at a time, and skips the rest; returns the last known start,
   * where scanning goes on ("done" when no wanted blob lies past it, undefined when nothing is known).
   */
  async #readKnown(task: PackTask, wanted: readonly number[], offsets: Float64Array): Promise<StreamPoint | "done" | undefined> {
    const known = task.known ?? [];
    if (known.length === 0) return undefined;
    const lastKnown = known[known.length - 1]!;
    let w = 0;
    /** The known frame `k` (up to the last start, which has no known end) that holds the next wanted blob. */
    const frameOfNext = (k: number): number => {
      while (k + 1 < known.length - 1 && known[k + 1]!.blob <= wanted[w]!) k++;
      return k;
    };
    for (let k = 0; w < wanted.length && wanted[w]! < lastKnown.blob; ) {
      k = frameOfNext(k);
      // Frames k…m-1 hold wanted blobs and fit one window.
      let m = k + 1;
      const past = (j: number): void => {
        while (w < wanted.length && wanted[w]! < known[j]!.blob) w++;
      };
      past(m);
      while (m < known.length - 1 && w < wanted.length && wanted[w]! < known[m + 1]!.blob && known[m + 1]!.pos - known[k]!.pos <= this.#windowBytes) past(++m);
      const base = known[k]!.pos;
      const want = known[m]!.pos - base;
      if (want > this.#windowBytes) throw new UnsplittablePack(`${task.label}: a frame larger than ${this.#windowBytes} bytes`);
      const at = await this.#alloc(want);
      const window = this.#window();
      try {
        if (task.reader.readInto(this.pool.data.subarray(at, at + want), base) !== want) throw new BackpakError("corrupt", `${task.label} is shorter than its manifest says`);
        this.#gc.add(want);
        for (let j = k; j < m; j++) {
          this.knownFramesRead++;
          const [f, g] = [known[j]!, known[j + 1]!];
          await this.#submit(task, window, at + f.pos - base, g.pos - f.pos, g.rawPos - f.rawPos, f.blob, g.blob, f.rawPos, offsets);
        }
      } finally {
        window.scanned = true;
        this.#release();
      }
      k = m;
    }
    return w < wanted.length ? lastKnown : "done";
  }

  #window(): Window {
    const window: Window = { pending: 0, scanned: false };
    this.#windows.push(window);
    return window;
  }

  /** Submits decompress jobs for the wanted blobs in one frame (several jobs if they don't fit one). */
  async #submit(task: PackTask, window: Window, at: number, length: number, rawSize: number, from: number, to: number, rawStart: number, offsets: Float64Array): Promise<void> {
    let items: [number, readonly BlobTarget[]][] = [];
    let count = 0;
    /** The most bytes the paths of `items` take. */
    let paths = 0;
    const flush = async (): Promise<void> => {
      if (items.length === 0) return;
      await this.#waitForSlot();
      const slot = this.pool.take(JobType.Decompress);
      const slots = this.pool.slots;
      slots.setItem(slot, 0, FrameItem, { offset: at, length, rawSize });
      let i = 1;
      let pathBytes = 0;
      const itemBlob = [-1];
      for (const [b, targets] of items) {
        const writes = targets.length === 0 ? [undefined] : targets;
        for (const t of writes) {
          let pathLen = 0;
          const pathAt = pathBytes;
          if (t) {
            pathLen = slots.setPath(slot, pathAt, t.path);
            if (pathLen < 0) throw new BackpakError("internal", `path too long for a job: ${t.path}`);
            pathBytes += pathLen;
          }
          slots.setItem(slot, i, BlobItem, { offset: offsets[b]! - rawStart, length: task.blobs.lengths[b]!, pathAt, pathLength: pathLen, fileOffset: t?.offset ?? 0 });
          slots.digest(slot, i - 1).set(task.blobs.digests.subarray(b * ID_BYTES, (b + 1) * ID_BYTES));
          itemBlob.push(b);
          i++;
        }
      }
      slots.set(slot, H.Items, i);
      this.pool.submit(slot, this.pool.leastBusy());
      window.pending++;
      this.#jobs.push({ slot, task, blobs: items, itemBlob, window });
      items = [];
      count = 0;
      paths = 0;
    };
    for (let b = from; b < to; b++) {
      const targets = task.wanted.get(b);
      if (!targets) continue;
      const n = Math.max(1, targets.length);
      const more = pathBytes(targets);
      if (count + n > MAX_ITEMS - 1 || paths + more > PATH_BYTES) await flush();
      items.push([b, targets]);
      count += n;
      paths += more;
    }
    await flush();
  }

  async #alloc(n: number): Promise<number> {
    for (;;) {
      this.#collect();
      const at = this.#ring.alloc(n);
      if (at >= 0) return at;
      await this.#waitAny();
    }
  }

  async #waitForSlot(): Promise<void> {
    for (this.#collect(); this.pool.freeSlots === 0; this.#collect()) await this.#waitAny();
  }

  async #waitAny(): Promise<void> {
    await yieldPoint();
    if (this.#jobs.length === 0) throw new BackpakError("internal", "blob pipeline stalled");
    const seen = this.pool.finishedCount;
    if (this.#jobs.some((j) => this.pool.finished(j.slot))) return;
    if (this.shareThread()) await new Promise((resolve) => setImmediate(resolve));
    else await this.pool.waitAny(seen);
  }

  /**
   * Takes finished jobs (any order), reporting their blobs, then releases ring windows oldest
   * first. A failed job reports the blobs it finished before failing; then its damaged blobs go to
   * its task's onDamage, or its failure throws, or lands in `errors` when given.
   */
  #collect(errors?: Error[]): void {
    for (let k = 0; k < this.#jobs.length; ) {
      const job = this.#jobs[k]!;
      if (!this.pool.finished(job.slot)) {
        k++;
        continue;
      }
      this.#jobs.splice(k, 1);
      let failure: BackpakError | undefined;
      let intact = job.blobs.length;
      try {
        this.pool.complete(job.slot);
      } catch (err) {
        failure = this.#failure(job, err);
        intact = this.#intactBlobs(job);
      }
      this.pool.release(job.slot);
      job.window.pending--;
      for (const [b, targets] of job.blobs.slice(0, intact)) {
        this.blobsVerified++;
        job.task.onBlob?.(b, targets);
      }
      if (!failure) continue;
      if (failure.kind === "corrupt" && job.task.onDamage) job.task.onDamage(failure, job.blobs.slice(intact).map(([b]) => b));
      else if (errors) errors.push(failure);
      else {
        this.#release();
        throw failure;
      }
    }
    this.#release();
  }

  /**
   * The error for a failed job: the file it couldn't write, the pack (and blob) it couldn't read
   * ("corrupt"), or a worker's death ("internal").
   */
  #failure(job: Job, err: unknown): BackpakError {
    const slots = this.pool.slots;
    const item = slots.get(job.slot, H.FailedItem);
    if (slots.get(job.slot, H.FailedWrite) === 1) {
      return context("io", `Couldn't write ${this.nameOf(slots.path(job.slot, slots.item(job.slot, item, BlobItem.pathAt), slots.item(job.slot, item, BlobItem.pathLength)))}`, err);
    }
    const b = job.itemBlob[item] ?? -1;
    const what = b >= 0 ? ` (blob ${idFromDigest(job.task.blobs.digests, b * ID_BYTES)})` : "";
    const kind = this.pool.failure === undefined ? "corrupt" : "internal";
    return context(kind, `Couldn't read ${job.task.label}${what}`, err, "run `backpak check --read-packs` to see which objects are damaged");
  }

  /** How many of a failed job's blobs, from the first, were verified and written before it failed. */
  #intactBlobs(job: Job): number {
    const failedBlob = job.itemBlob[this.pool.slots.get(job.slot, H.FailedItem)] ?? -1;
    return Math.max(0, job.blobs.findIndex(([b]) => b === failedBlob));
  }

  #release(): void {
    while (this.#windows.length > 0 && this.#windows[0]!.scanned && this.#windows[0]!.pending === 0) {
      this.#windows.shift();
      this.#ring.releaseOldest();
    }
  }

  /** Waits for every job; reports their blobs. */
  async finish(): Promise<void> {
    for (this.#collect(); this.#jobs.length > 0; this.#collect()) await this.#waitAny();
  }

  /** Waits for every job, returning the failures instead of throwing at the first. */
  async settle(): Promise<Error[]> {
    const errors: Error[] = [];
    for (this.#collect(errors); this.#jobs.length > 0; this.#collect(errors)) await this.#waitAny();
    return errors;
  }
}

/** The most bytes the targets' paths can take in a job (UTF-8: at most 3 bytes per UTF-16 unit). */
function pathBytes(targets: readonly BlobTarget[]): number {
  let n = 0;
  for (const t of targets) n += t.path.length * 3;
  return n;
}
