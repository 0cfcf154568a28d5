/**
 * Writes the files a restore needs, in parallel: each file is created here (one thread creating
 * inodes: from several threads at once the filesystem's allocator contends and takes twice the
 * time), then every chunk it needs is read from its pack by the worker pipeline, which verifies
 * it and writes it at its offset. A new file is written in place; a file that replaces an existing
 * one is written beside it and renamed over it once complete, so a failure never destroys the old
 * one. Directory metadata waits until the end, children first, since creating files changes their
 * directories' times. A missing or damaged pack fails only the files that need it: the rest are
 * written, and `finish` names the ones that couldn't be.
 */
import fs from "node:fs";
import path from "node:path";
import type { BlobId, PackId } from "../format/id.ts";
import type { Node } from "../format/tree.ts";
import { applyMetadata } from "../fs/apply.ts";
import { reach } from "../fs/long-path.ts";
import { BackpakError, context, withContext } from "../lib/errors.ts";
import { PRIVATE_FILE, randomTag, writeIntoFile } from "../lib/fsutil.ts";
import { onInterrupt } from "../lib/interrupt.ts";
import { log } from "../lib/log.ts";
import { BlobPipeline, UnsplittablePack, type BlobTarget } from "../pipeline/blob-pipeline.ts";
import type { WorkerPool } from "../pipeline/pool.ts";
import { ChunkReader, fileChunksProblem, type MasterIndex, PacksAhead, type Repository, withPack } from "../repo/index.ts";

export interface MetadataOptions {
  readonly times: boolean;
  readonly permissions: boolean;
}

interface PendingFile {
  readonly dest: string;
  /** Where its bytes are written: `dest` itself for a new file, else a name beside it; as `reach` gives it, so of any length. */
  readonly tmp: string;
  readonly node: Node;
  readonly replacing: boolean;
  remaining: number;
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
  /** Files queued to be written and the sum of their sizes (complete once planning is done). */
  totalFiles: number;
  totalBytes: number;
  filesDone: number;
  bytesWritten: number;
  tick?: () => void;
}

export function newWriteProgress(): WriteProgress {
  return { totalFiles: 0, totalBytes: 0, filesDone: 0, bytesWritten: 0 };
}

export class FileWriter {
  readonly #files: PendingFile[] = [];
  readonly #dirs: [string, Node][] = [];
  /** Chunk → every place it goes. */
  readonly #targets = new Map<BlobId, BlobTarget[]>();
  readonly #byTmp = new Map<string, PendingFile>();
  /** Destination → the first reason it can't be written. */
  readonly #unwritten = new Map<string, UnwrittenFile>();
  #undo: (() => void) | undefined;

  constructor(
    readonly repo: Repository,
    readonly index: MasterIndex,
    readonly metadata: MetadataOptions,
    readonly progress: WriteProgress = newWriteProgress(),
  ) {}

  /**
   * Queues a file's contents; `replacing` when a file already exists at `dest`. It is complete once
   * `finish` returns, unless `finish` names it.
   */
  file(dest: string, node: Node, replacing: boolean): void {
    if (node.contents.kind !== "file") throw new BackpakError("internal", `${dest} is not a file`);
    const unindexed = node.contents.chunks.find((id) => !this.index.blobs.has(id));
    if (unindexed !== undefined) {
      this.#unwritten.set(dest, { dest, pack: undefined, why: new BackpakError("not-found", `Chunk ${unindexed} of ${dest} isn't in the index`) });
      return;
    }
    const problem = fileChunksProblem(node, this.index.blobs);
    if (problem !== undefined) {
      this.#unwritten.set(dest, { dest, pack: undefined, why: new BackpakError("corrupt", `Won't restore ${dest}: ${problem}`, { hint: "run `backpak check` to find the snapshots that hold it" }) });
      return;
    }
    const tmp = reach(replacing ? path.join(path.dirname(dest), `.${path.basename(dest)}.backpak-${randomTag()}`) : dest);
    let size = 0;
    for (const id of node.contents.chunks) {
      const loc = this.index.blobs.get(id)!;
      let t = this.#targets.get(id);
      if (!t) this.#targets.set(id, (t = []));
      t.push({ path: tmp, offset: size });
      size += loc.length;
    }
    try {
      // A replacement stays private until it is complete and takes the old file's mode.
      fs.closeSync(fs.openSync(tmp, "wx", replacing ? PRIVATE_FILE : 0o666));
    } catch (err) {
      throw new BackpakError("io", `Couldn't create file ${dest}`, { cause: err });
    }
    // From the first file on, an interruption removes what isn't complete, as a failure does.
    this.#undo ??= onInterrupt(() => this.#removeUnfinished());
    const f: PendingFile = { dest, tmp, node, replacing, remaining: node.contents.chunks.length };
    this.progress.totalFiles++;
    this.progress.totalBytes += node.metadata.size ?? 0;
    this.#files.push(f);
    this.#byTmp.set(tmp, f);
    if (f.remaining === 0) this.#done(f);
  }

  /** Deletes the files not completely written (new ones at their destinations, replacements beside theirs). */
  #removeUnfinished(): void {
    for (const f of this.#files) if (f.remaining > 0) fs.rmSync(f.tmp, { force: true });
  }

  /** A directory whose metadata is applied at the end, after everything in it. */
  dir(dest: string, node: Node): void {
    this.#dirs.push([dest, node]);
  }

  /**
   * Writes every queued file it can, then applies directory metadata; returns the files it couldn't
   * write because a pack they need is missing or damaged (or their data isn't indexed).
   */
  async finish(pool: WorkerPool, ringBytes: number): Promise<UnwrittenFile[]> {
    try {
      await this.#writeChunks(pool, ringBytes);
      const left = this.#files.filter((f) => f.remaining > 0 && !this.#unwritten.has(f.dest));
      if (left.length > 0) throw new BackpakError("internal", `${left.length} files were not completely written, e.g. ${left[0]!.dest}`);
    } finally {
      this.#removeUnfinished();
      this.#undo?.();
    }
    for (const [dest, node] of this.#dirs) applyMetadata(dest, node, this.metadata);
    return [...this.#unwritten.values()];
  }

  async #writeChunks(pool: WorkerPool, ringBytes: number): Promise<void> {
    const byPack = new Map<PackId, BlobId[]>();
    for (const id of this.#targets.keys()) {
      const pack = this.index.blobs.get(id)!.pack;
      let l = byPack.get(pack);
      if (!l) byPack.set(pack, (l = []));
      l.push(id);
    }
    const pipeline = new BlobPipeline(pool, ringBytes, (tmp) => this.#nameOf(tmp));
    const packs = [...byPack].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const ahead = new PacksAhead(this.repo, packs.map(([pack]) => pack));
    try {
      await this.#writePacks(pipeline, packs, ahead);
    } finally {
      ahead.close();
    }
    await pipeline.finish();
  }

  async #writePacks(pipeline: BlobPipeline, packs: readonly [PackId, BlobId[]][], ahead: PacksAhead): Promise<void> {
    for (const [pack, ids] of packs) {
      /** This pack's chunks not written yet. */
      const pending = new Set(ids);
      try {
        await withPack(this.repo, pack, async (p) => {
          const wanted = new Map<number, readonly BlobTarget[]>();
          p.manifest.forEach((e, i) => {
            if (pending.has(e.id)) wanted.set(i, this.#targets.get(e.id)!);
          });
          const onBlob = (i: number, targets: readonly BlobTarget[]): void => {
            pending.delete(p.manifest[i]!.id);
            this.#written(targets);
          };
          const onDamage = (err: BackpakError, indexes: readonly number[]): void => this.#lose(indexes.map((i) => p.manifest[i]!.id), pack, err);
          try {
            await pipeline.run(p.task(wanted, { onBlob, onDamage }));
          } catch (err) {
            if (!(err instanceof UnsplittablePack)) throw err;
            log.debug(`${err.message}; reading it whole`);
            await pipeline.finish();
            await this.#writeWhole(pack, new Map([...wanted].filter(([i]) => pending.has(p.manifest[i]!.id))), onBlob);
          }
        }, ahead);
      } catch (err) {
        // A pack that is missing or damaged fails the files that need it; anything else fails the restore.
        if (!(err instanceof BackpakError) || (err.kind !== "not-found" && err.kind !== "corrupt")) throw err;
        await pipeline.finish();
        this.#lose(pending, pack, context(err.kind, `Couldn't read pack ${pack}`, err));
      }
    }
  }

  /** Chunks that can't be read: the files they go into can't be written. */
  #lose(ids: Iterable<BlobId>, pack: PackId, why: BackpakError): void {
    for (const id of ids) {
      for (const t of this.#targets.get(id)!) {
        const dest = this.#byTmp.get(t.path)?.dest;
        if (dest !== undefined && !this.#unwritten.has(dest)) this.#unwritten.set(dest, { dest, pack, why });
      }
    }
  }

  /** Writes a pack's wanted blobs through the chunk reader (packs the workers can't split). */
  async #writeWhole(pack: PackId, wanted: ReadonlyMap<number, readonly BlobTarget[]>, onBlob: (i: number, targets: readonly BlobTarget[]) => void): Promise<void> {
    const reader = new ChunkReader(this.repo.backend, this.index.blobs);
    const manifest = this.index.packs.get(pack)!;
    for (const [i, targets] of wanted) {
      const bytes = await reader.chunk(manifest[i]!.id);
      for (const t of targets) {
        withContext(`Couldn't write ${this.#nameOf(t.path)}`, () => writeIntoFile(t.path, bytes, t.offset));
      }
      onBlob(i, targets);
    }
  }

  /** The destination a file's bytes were being written for, for errors. */
  #nameOf(tmp: string): string {
    return this.#byTmp.get(tmp)?.dest ?? tmp;
  }

  #written(targets: readonly BlobTarget[]): void {
    for (const t of targets) {
      const f = this.#byTmp.get(t.path)!;
      if (--f.remaining === 0) this.#done(f);
    }
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
    this.#byTmp.delete(f.tmp);
    this.progress.filesDone++;
    this.progress.bytesWritten += f.node.metadata.size ?? 0;
    this.progress.tick?.();
  }
}
