/**
 * Writes the files a restore needs, in parallel: each file is created here (one thread creating
 * inodes: from several threads at once the filesystem's allocator contends and takes twice the
 * time), then every chunk it needs is read from its pack by the worker pipeline, which verifies
 * it and writes it at its offset. A new file is written in place; a file that replaces an existing
 * one is written beside it and renamed over it once complete, so a failure never destroys the old
 * one. Directory metadata waits until the end, children first, since creating files changes their
 * directories' times.
 */
import fs from "node:fs";
import path from "node:path";
import type { BlobId, PackId } from "../format/id.ts";
import type { Node } from "../format/tree.ts";
import { applyMetadata } from "../fs/apply.ts";
import { BackpakError, withContext } from "../lib/errors.ts";
import { randomTag, writeIntoFile } from "../lib/fsutil.ts";
import { onInterrupt } from "../lib/interrupt.ts";
import { log } from "../lib/log.ts";
import { BlobPipeline, UnsplittablePack, type BlobTarget } from "../pipeline/blob-pipeline.ts";
import type { WorkerPool } from "../pipeline/pool.ts";
import { ChunkReader } from "../repo/chunk-reader.ts";
import type { MasterIndex } from "../repo/master-index.ts";
import type { Repository } from "../repo/repository.ts";
import { withPack } from "./pack-task.ts";

export interface MetadataOptions {
  readonly times: boolean;
  readonly permissions: boolean;
}

interface PendingFile {
  readonly dest: string;
  /** Where its bytes are written: `dest` itself for a new file, else a name beside it. */
  readonly tmp: string;
  readonly node: Node;
  readonly replacing: boolean;
  remaining: number;
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
  #undo: (() => void) | undefined;

  constructor(
    readonly repo: Repository,
    readonly index: MasterIndex,
    readonly metadata: MetadataOptions,
    readonly progress: WriteProgress = newWriteProgress(),
  ) {}

  /** Queues a file's contents; `replacing` when a file already exists at `dest`. It is complete once `finish` returns. */
  file(dest: string, node: Node, replacing: boolean): void {
    if (node.contents.kind !== "file") throw new BackpakError("internal", `${dest} is not a file`);
    const tmp = replacing ? path.join(path.dirname(dest), `.${path.basename(dest)}.backpak-${randomTag()}`) : dest;
    let size = 0;
    for (const id of node.contents.chunks) {
      const loc = this.index.blobs.get(id);
      if (!loc) throw new BackpakError("not-found", `Couldn't find chunk ${id} of ${dest} in the index`, { hint: "run `backpak check`" });
      let t = this.#targets.get(id);
      if (!t) this.#targets.set(id, (t = []));
      t.push({ path: tmp, offset: size });
      size += loc.length;
    }
    try {
      fs.closeSync(fs.openSync(tmp, "wx", 0o666));
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

  /** Writes every queued file, then applies directory metadata. */
  async finish(pool: WorkerPool, ringBytes: number): Promise<void> {
    try {
      await this.#writeChunks(pool, ringBytes);
      const left = this.#files.filter((f) => f.remaining > 0);
      if (left.length > 0) throw new BackpakError("internal", `${left.length} files were not completely written, e.g. ${left[0]!.dest}`);
    } catch (err) {
      this.#removeUnfinished();
      throw err;
    } finally {
      this.#undo?.();
    }
    for (const [dest, node] of this.#dirs) applyMetadata(dest, node, this.metadata);
  }

  async #writeChunks(pool: WorkerPool, ringBytes: number): Promise<void> {
    const byPack = new Map<PackId, BlobId[]>();
    for (const id of this.#targets.keys()) {
      const pack = this.index.blobs.get(id)!.pack;
      let l = byPack.get(pack);
      if (!l) byPack.set(pack, (l = []));
      l.push(id);
    }
    const pipeline = new BlobPipeline(pool, ringBytes);
    for (const [pack, ids] of [...byPack].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const written = new Set<number>();
      const onBlob = (i: number, targets: readonly BlobTarget[]): void => {
        written.add(i);
        this.#written(targets);
      };
      const wantedIds = new Set(ids);
      await withPack(this.repo, pack, async (p) => {
        const wanted = new Map<number, readonly BlobTarget[]>();
        p.manifest.forEach((e, i) => {
          if (wantedIds.has(e.id)) wanted.set(i, this.#targets.get(e.id)!);
        });
        try {
          await pipeline.run(p.task(wanted, onBlob));
        } catch (err) {
          if (!(err instanceof UnsplittablePack)) throw err;
          log.debug(`${err.message}; reading it whole`);
          await pipeline.finish();
          await this.#writeWhole(pack, new Map([...wanted].filter(([i]) => !written.has(i))));
        }
      });
    }
    await pipeline.finish();
  }

  /** Writes a pack's wanted blobs through the chunk reader (packs the workers can't split). */
  async #writeWhole(pack: PackId, wanted: ReadonlyMap<number, readonly BlobTarget[]>): Promise<void> {
    const reader = new ChunkReader(this.repo.backend, this.index.blobs);
    const manifest = this.index.packs.get(pack)!;
    for (const [i, targets] of wanted) {
      const bytes = await reader.chunk(manifest[i]!.id);
      for (const t of targets) {
        withContext(`Couldn't write ${t.path}`, () => writeIntoFile(t.path, bytes, t.offset));
      }
      this.#written(targets);
    }
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
        const old = fs.lstatSync(f.dest, { throwIfNoEntry: false });
        if (old?.isFile()) fs.chmodSync(f.tmp, old.mode & 0o7777);
        fs.renameSync(f.tmp, f.dest);
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
