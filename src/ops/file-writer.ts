/**
 * Writes the files a restore needs, in bounded batches while the restore goes on planning: each
 * file is created here (one thread creating inodes: from several threads at once the filesystem's
 * allocator contends and takes twice the time) and queued in a batch (restore-batch.ts). Once a
 * batch is full, its chunks are read pack by pack by the worker pipeline, which verifies each and
 * writes it at its offsets, while the next batch is planned; at most one batch is written at a
 * time. A new file is written in place; a file that replaces an existing one is written beside it
 * and renamed over it once complete, so a failure never destroys the old one. A directory's
 * metadata is applied once the batch its walk ended in is written, children first, since creating
 * files changes their directories' times. Chunks a file shares with files of an earlier batch,
 * scattered in frames that batch read, wait for a late pass that reads each such frame once. A
 * missing or damaged pack fails only the files that need it: the rest are written, and `finish`
 * names the ones that couldn't be.
 */
import fs from "node:fs";
import path from "node:path";
import type { PackId } from "../format/id.ts";
import type { Node } from "../format/tree.ts";
import { applyMetadata } from "../fs/apply.ts";
import { reach } from "../fs/long-path.ts";
import { BackpakError, context, withContext } from "../lib/errors.ts";
import { PRIVATE_FILE, randomTag, writeIntoFile } from "../lib/fsutil.ts";
import { onInterrupt } from "../lib/interrupt.ts";
import { log } from "../lib/log.ts";
import { BlobPipeline, type StreamPoint, UnsplittablePack } from "../pipeline/blob-pipeline.ts";
import { startBlobPool } from "../pipeline/pipeline-setup.ts";
import type { WorkerPool } from "../pipeline/pool.ts";
import type { RangeReader } from "../backend/index.ts";
import { ChunkReader, fileChunksProblem, type MasterIndex, PacksAhead, type Repository } from "../repo/index.ts";
import { Batch, type BatchLimits, batchLimits, type FileTarget, type PendingFile } from "./restore-batch.ts";
import { packTask, RestorePacks } from "./restore-packs.ts";

export interface MetadataOptions {
  readonly times: boolean;
  readonly permissions: boolean;
}

/**
 * A file that couldn't be written (a new one isn't there, a replaced one is as it was): the pack
 * it needs that couldn't be read (undefined when its data isn't indexed at all), and why. Files
 * that failed for the same reason share one `why`.
 */
export interface UnwrittenFile {
  readonly dest: string;
  readonly pack: PackId | undefined;
  readonly why: BackpakError;
}

export interface WriteProgress {
  /** Files queued to be written and the sum of their sizes (growing as planning goes, complete once it is done). */
  totalFiles: number;
  totalBytes: number;
  filesDone: number;
  bytesWritten: number;
  tick?: () => void;
}

export function newWriteProgress(): WriteProgress {
  return { totalFiles: 0, totalBytes: 0, filesDone: 0, bytesWritten: 0 };
}

/** Files created between two turns of the event loop while a batch is being written, so its pipeline is fed meanwhile. */
const CREATES_PER_TURN = 32;

/** Files and directories planned between two collections of the main thread's garbage. */
const GC_EVERY = 10_000;

/** A frame read by an earlier batch is read again, for wanted chunks making up less than this share of it, only at the late pass. */
const SCATTERED = 1 / 4;

export class FileWriter {
  #batch = new Batch();
  /** The batch whose chunks are being written (undefined between batches), and the write of the batch last started. */
  #current: Batch | undefined;
  #writing: Promise<void> = Promise.resolve();
  /** Files created and not complete, in the batch being planned and the one being written: what an interruption or a failure removes. */
  readonly #unfinished = new Set<PendingFile>();
  /** Destination → the first reason it can't be written. */
  readonly #unwritten = new Map<string, UnwrittenFile>();
  #undo: (() => void) | undefined;
  #workers: { pool: WorkerPool; pipeline: BlobPipeline } | undefined;
  #created = 0;
  /** Files and directories planned since the last collection. */
  #planned = 0;
  readonly #packs: RestorePacks;
  /** Chunks deferred to a late pass (see `#defer`), the files they go into, and the directories waiting for them. */
  #late = new Batch();
  readonly #lateDirs: [string, Node][] = [];
  /** Files completed by a late pass. */
  lateFiles = 0;
  /** False while the planning waits for the writing (which then may sleep until a worker finishes). */
  #planning = true;
  /**
   * Packs read so far (by number), each with the frame starts found in it, in stream order: a later
   * batch reads the frames between them that hold blobs it wants alone (PackTask.known).
   */
  readonly #packsRead = new Map<number, StreamPoint[]>();
  /** Times a batch read a pack an earlier batch had read from too, and frames scanned again that an earlier batch had scanned. */
  packRereads = 0;
  framesReread = 0;
  batches = 0;

  constructor(
    readonly repo: Repository,
    readonly index: MasterIndex,
    readonly metadata: MetadataOptions,
    readonly progress: WriteProgress = newWriteProgress(),
    readonly limits: BatchLimits = batchLimits(),
  ) {
    this.#packs = new RestorePacks(index);
  }

  /** Files created and not yet complete: those of the batch being planned, of the one being written, and those waiting for the late pass (which runs once they fill a batch). */
  get pendingFiles(): number {
    return this.#unfinished.size;
  }

  /**
   * Creates the file and queues its contents; `replacing` when a file already exists at `dest`. It
   * is complete once `finish` returns, unless `finish` names it. Waits while the batch before is
   * still being written and this one is full.
   */
  async file(dest: string, node: Node, replacing: boolean): Promise<void> {
    const entries = this.#entries(dest, node);
    if (!entries) return;
    const tmp = reach(replacing ? path.join(path.dirname(dest), `.${path.basename(dest)}.backpak-${randomTag()}`) : dest);
    try {
      // A replacement stays private until it is complete and takes the old file's mode.
      fs.closeSync(fs.openSync(tmp, "wx", replacing ? PRIVATE_FILE : 0o666));
    } catch (err) {
      throw new BackpakError("io", `Couldn't create file ${dest}`, { cause: err });
    }
    // From the first file on, an interruption removes what isn't complete, as a failure does.
    this.#undo ??= onInterrupt(() => this.#removeUnfinished());
    const f: PendingFile = { dest, tmp, node, replacing, remaining: entries.length };
    this.progress.totalFiles++;
    this.progress.totalBytes += node.metadata.size ?? 0;
    if (f.remaining === 0) this.#done(f);
    else {
      this.#unfinished.add(f);
      this.#batch.files.push(f);
      let offset = 0;
      for (const e of entries) {
        const length = this.index.blobs.lengthOfEntry(e);
        this.#batch.target(e, length, { path: tmp, offset, file: f });
        offset += length;
      }
    }
    await this.#next(false);
  }

  /** A directory whose metadata is applied after everything in it is written. */
  async dir(dest: string, node: Node): Promise<void> {
    this.#batch.dirs.push([dest, node]);
    await this.#next(true);
  }

  /**
   * Writes the last batch and waits for every write; returns the files it couldn't write because a
   * pack they need is missing or damaged (or their data isn't indexed).
   */
  async finish(): Promise<UnwrittenFile[]> {
    await this.#flush();
    this.#planning = false;
    await this.#writing;
    await this.#writeLate();
    log.debug(`Restored in ${this.batches} batches; ${this.#packsRead.size} packs read, ${this.packRereads} times by a later batch too; ${this.framesReread + (this.#workers?.pipeline.knownFramesRead ?? 0)} frames read again; ${this.lateFiles} files completed by a late pass`);
    return [...this.#unwritten.values()];
  }

  /** Ends the writer, finished or not: waits for the batch being written, removes every file not completely written, stops the workers. */
  async close(): Promise<void> {
    this.#planning = false;
    await this.#writing.catch(() => {});
    this.#removeUnfinished();
    this.#undo?.();
    this.#workers?.pool.close();
  }

  /** The blob table entries of a file's chunks, or undefined (the file noted as unwritten) when they can't make it. */
  #entries(dest: string, node: Node): number[] | undefined {
    if (node.contents.kind !== "file") throw new BackpakError("internal", `${dest} is not a file`);
    const blobs = this.index.blobs;
    const entries: number[] = [];
    let size = 0;
    let trees = false;
    for (const id of node.contents.chunks) {
      const e = blobs.entryOfId(id);
      if (e < 0) {
        this.#unwritten.set(dest, { dest, pack: undefined, why: new BackpakError("not-found", `Chunk ${id} of ${dest} isn't in the index`) });
        return undefined;
      }
      trees ||= !blobs.isChunkEntry(e);
      size += blobs.lengthOfEntry(e);
      entries.push(e);
    }
    const problem = trees || (node.metadata.size !== undefined && node.metadata.size !== size) ? fileChunksProblem(node, blobs) : undefined;
    if (problem !== undefined) {
      this.#unwritten.set(dest, { dest, pack: undefined, why: new BackpakError("corrupt", `Won't restore ${dest}: ${problem}`, { hint: "run `backpak check` to find the snapshots that hold it" }) });
      return undefined;
    }
    return entries;
  }

  /**
   * Starts writing the batch being planned once it is full at a directory's end (`dirEnd`), so a
   * directory's files, whose chunks lie together in the packs, mostly share a batch; or once it
   * holds twice its limits, whatever the walk's place. Otherwise lets a batch being written feed
   * its workers now and then.
   */
  async #next(dirEnd: boolean): Promise<void> {
    if (this.#batch.full(this.limits, dirEnd ? 1 : 2)) await this.#flush();
    else if (this.#current && ++this.#created % CREATES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Waits for the batch being written (throwing its failure), then starts writing the one planned. */
  async #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = new Batch();
    this.#planning = false;
    // Planning leaves garbage (decoded trees, walk steps) the runtime would otherwise let pile up:
    // collected every GC_EVERY files and directories planned, while the workers write the batch
    // before, it kept a 100k-file restore at 240 MB instead of 360, for no measurable time; every
    // 10,000 rather than 20,000 (so every batch at the default limits) took a million files'
    // restore from 311-337 MB to 298-305, in the same time.
    this.#planned += batch.files.length + batch.dirs.length;
    if (this.#planned >= GC_EVERY) {
      this.#planned = 0;
      Bun.gc(true);
    }
    await this.#writing;
    this.#planning = true;
    this.#writing = this.#write(batch);
    this.#writing.catch(() => {}); // thrown where it is awaited
  }

  /** Deletes the files not completely written (new ones at their destinations, replacements beside theirs). */
  #removeUnfinished(): void {
    for (const f of this.#unfinished) fs.rmSync(f.tmp, { force: true });
    this.#unfinished.clear();
  }

  /** Writes a batch's chunks, pack by pack, then applies the metadata of the directories it closed. */
  async #write(batch: Batch): Promise<void> {
    if (batch.files.length + batch.dirs.length === 0) return;
    this.batches++;
    await this.#writeChunks(batch, true);
    let lateReplacing = false;
    for (const f of batch.files) {
      if (f.remaining > 0 && f.late && !this.#unwritten.has(f.dest)) lateReplacing ||= f.replacing;
    }
    this.#settle(batch);
    // A late file that replaces another is renamed into its directory at the late pass, which
    // changes the directory's times: until then, directories wait.
    if (lateReplacing || this.#lateDirs.length > 0) this.#lateDirs.push(...batch.dirs);
    else for (const [dest, node] of batch.dirs) applyMetadata(dest, node, this.metadata);
    if (this.#late.full(this.limits)) await this.#writeLate();
  }

  /** Writes the chunks deferred by the batches so far, each frame read once for all of them, then the directories that waited for them. */
  async #writeLate(): Promise<void> {
    const late = this.#late;
    this.#late = new Batch();
    if (late.targets.size > 0) this.lateFiles += late.files.length;
    await this.#writeChunks(late, false);
    for (const f of late.files) f.late = false;
    this.#settle(late);
    for (const [dest, node] of this.#lateDirs.splice(0)) applyMetadata(dest, node, this.metadata);
  }

  /** Writes a batch's chunks, pack by pack; with `deferring`, chunks lying scattered in frames read before go to the late batch. */
  async #writeChunks(batch: Batch, deferring: boolean): Promise<void> {
    if (batch.targets.size === 0) return;
    const pipeline = this.#pipeline();
    this.#current = batch;
    const byPack = new Map<number, number[]>();
    for (const e of batch.targets.keys()) {
      const p = this.index.blobs.packOfEntry(e);
      const l = byPack.get(p);
      if (l) l.push(e);
      else byPack.set(p, [e]);
    }
    let packs = [...byPack].sort((a, b) => a[0] - b[0]);
    // Decided from the index, so a pack whose wanted chunks all wait isn't opened.
    if (deferring) packs = packs.map(([p, entries]) => [p, this.#defer(p, entries, batch)] as [number, number[]]).filter(([, entries]) => entries.length > 0);
    const ahead = new PacksAhead(this.repo, packs.map(([p]) => this.index.blobs.packId(p)));
    try {
      await this.#writePacks(pipeline, batch, packs, ahead);
    } finally {
      ahead.close();
    }
    await pipeline.finish();
    this.#current = undefined;
  }

  /** After a batch's chunks are written: its files not complete must be ones that couldn't be (removed now) or late ones. */
  #settle(batch: Batch): void {
    for (const f of batch.files) {
      if (f.remaining === 0 || f.late) continue;
      if (!this.#unwritten.has(f.dest)) throw new BackpakError("internal", `${f.dest} was not completely written`);
      fs.rmSync(f.tmp, { force: true });
      this.#unfinished.delete(f);
    }
  }

  #pipeline(): BlobPipeline {
    if (!this.#workers) {
      const { pool, ringBytes } = startBlobPool();
      // While the next batch is planned, waiting for a worker lets the planning go on.
      const pipeline = new BlobPipeline(pool, ringBytes, (tmp) => this.#nameOf(tmp), () => this.#planning);
      this.#workers = { pool, pipeline };
    }
    return this.#workers.pipeline;
  }

  async #writePacks(pipeline: BlobPipeline, batch: Batch, packs: readonly [number, number[]][], ahead: PacksAhead): Promise<void> {
    const blobs = this.index.blobs;
    for (const [p, entries] of packs) {
      const pack = blobs.packId(p);
      /** This pack's chunks not written yet. */
      const pending = new Set(entries);
      let reader: RangeReader | undefined;
      try {
        reader = await ahead.take(pack);
        const layout = this.#packs.layout(p, pack, reader);
        /** Manifest index → blob table entry, for the chunks wanted from it. */
        const entryAt = new Map<number, number>();
        const wanted = new Map<number, readonly FileTarget[]>();
        layout.entries.forEach((e, i) => {
          if (e < 0 || !pending.has(e)) return;
          entryAt.set(i, e);
          wanted.set(i, batch.targets.get(e)!);
        });
        const onBlob = (i: number): void => {
          const e = entryAt.get(i)!;
          pending.delete(e);
          this.#written(batch.targets.get(e)!);
        };
        const onDamage = (err: BackpakError, indexes: readonly number[]): void => this.#lose(batch, indexes.map((i) => entryAt.get(i)!), pack, err);
        try {
          await pipeline.run(packTask(layout, reader, { wanted, onBlob, onDamage, ...this.#framesOf(p) }));
        } catch (err) {
          if (!(err instanceof UnsplittablePack)) throw err;
          log.debug(`${err.message}; reading it whole`);
          await pipeline.finish();
          await this.#writeWhole(pack, [...wanted].filter(([i]) => pending.has(entryAt.get(i)!)), onBlob);
        }
      } catch (err) {
        // A pack that is missing or damaged fails the files that need it; anything else fails the restore.
        if (!(err instanceof BackpakError) || (err.kind !== "not-found" && err.kind !== "corrupt")) throw err;
        await pipeline.finish();
        this.#lose(batch, pending, pack, context(err.kind, `Couldn't read pack ${pack}`, err));
      } finally {
        reader?.close();
      }
    }
  }

  /**
   * Of `entries`, the chunks of pack `p` a batch wants, moves to the late batch those that lie in
   * frames an earlier batch read and make up less than SCATTERED of their frame (chunks
   * deduplicated against files restored long before), and returns the rest: each such frame is
   * then read once at the late pass for every batch, not once per batch, while a frame a batch
   * needs much of (at its start, where the batch before left off) is read again at once. Where a
   * chunk lies in the pack comes from the index (its entries are in the pack's manifest order).
   */
  #defer(p: number, entries: number[], batch: Batch): number[] {
    const known = this.#packsRead.get(p);
    if (!known || known.length < 2) return entries;
    const blobs = this.index.blobs;
    const start = blobs.packStart(p);
    const read = known[known.length - 1]!.blob;
    /** Frame (its index in `known`) → the wanted entries in it, and their bytes. */
    const inFrame = new Map<number, { entries: number[]; bytes: number }>();
    const kept: number[] = [];
    for (const e of entries) {
      const i = e - start;
      if (i >= read) {
        kept.push(e);
        continue;
      }
      let lo = 0;
      let hi = known.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (known[mid]!.blob <= i) lo = mid;
        else hi = mid - 1;
      }
      const f = inFrame.get(lo) ?? { entries: [], bytes: 0 };
      f.entries.push(e);
      f.bytes += blobs.lengthOfEntry(e);
      inFrame.set(lo, f);
    }
    for (const [k, f] of inFrame) {
      if (f.bytes >= (known[k + 1]!.rawPos - known[k]!.rawPos) * SCATTERED) {
        kept.push(...f.entries);
        continue;
      }
      for (const e of f.entries) {
        for (const t of batch.targets.get(e)!) {
          this.#late.target(e, blobs.lengthOfEntry(e), t);
          if (!t.file.late) {
            t.file.late = true;
            this.#late.files.push(t.file);
          }
        }
      }
    }
    return kept;
  }

  /** The frame starts known in pack `p` (see PackTask.known), and how those a batch finds are noted. */
  #framesOf(p: number): { known: readonly StreamPoint[]; onFrame: (start: StreamPoint) => void } {
    let known = this.#packsRead.get(p);
    if (known) this.packRereads++;
    else this.#packsRead.set(p, (known = []));
    const starts = known;
    const onFrame = (start: StreamPoint): void => {
      const lastPos = starts.length === 0 ? -1 : starts[starts.length - 1]!.pos;
      if (start.pos > lastPos) starts.push(start);
      else if (start.pos < lastPos) this.framesReread++;
    };
    return { known: starts, onFrame };
  }

  /** Chunks that can't be read: the files they go into can't be written. */
  #lose(batch: Batch, entries: Iterable<number>, pack: PackId, why: BackpakError): void {
    for (const e of entries) {
      for (const { file } of batch.targets.get(e)!) {
        if (!this.#unwritten.has(file.dest)) this.#unwritten.set(file.dest, { dest: file.dest, pack, why });
      }
    }
  }

  /** Writes a pack's wanted blobs through the chunk reader (packs the workers can't split). */
  async #writeWhole(pack: PackId, wanted: readonly [number, readonly FileTarget[]][], onBlob: (i: number) => void): Promise<void> {
    const reader = new ChunkReader(this.repo.backend, this.index.blobs);
    const manifest = this.index.packs.get(pack)!;
    for (const [i, targets] of wanted) {
      const bytes = await reader.chunk(manifest[i]!.id);
      for (const t of targets) {
        withContext(`Couldn't write ${t.file.dest}`, () => writeIntoFile(t.path, bytes, t.offset));
      }
      onBlob(i);
    }
  }

  /** The destination a file's bytes were being written for, for errors. */
  #nameOf(tmp: string): string {
    return this.#current?.files.find((f) => f.tmp === tmp)?.dest ?? tmp;
  }

  #written(targets: readonly FileTarget[]): void {
    for (const t of targets) if (--t.file.remaining === 0) this.#done(t.file);
  }

  /** The file is complete: rename it over the old one (keeping its permissions) if it replaces one, and set its metadata. */
  #done(f: PendingFile): void {
    if (f.replacing) {
      try {
        const dest = reach(f.dest);
        const old = fs.lstatSync(dest, { throwIfNoEntry: false });
        if (old?.isFile()) fs.chmodSync(f.tmp, old.mode & 0o7777);
        fs.renameSync(f.tmp, dest);
      } catch (err) {
        throw new BackpakError("io", `Couldn't move the restored ${f.dest} into place`, { cause: err });
      }
    }
    applyMetadata(f.dest, f.node, this.metadata);
    this.#unfinished.delete(f);
    this.progress.filesDone++;
    this.progress.bytesWritten += f.node.metadata.size ?? 0;
    this.progress.tick?.();
  }
}
