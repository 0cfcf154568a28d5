/**
 * The writing side of prune and copy: a repository writer whose chunk frames are compressed on the
 * worker pipeline, as in backup. Chunks are copied from another pack (verified on the way) unless
 * the destination already has them.
 */
import type { BlobId, IndexId, PackId } from "../format/id.ts";
import type { IndexContents } from "../format/index-file.ts";
import type { Tree } from "../format/tree.ts";
import type { ChunkPipeline } from "../pipeline/chunk-pipeline.ts";
import type { WorkerPool } from "../pipeline/pool.ts";
import type { ChunkReader } from "../repo/chunk-reader.ts";
import { transfersAtOnce, type Repository } from "../repo/repository.ts";
import { EMPTY_INDEX, findResumable } from "../repo/resume.ts";
import { sizesListedAsWritten } from "../repo/stored-sizes.ts";
import { RepoWriter, type WriterStats } from "../repo/writer.ts";
import { startPipeline } from "../pipeline/pipeline-setup.ts";

/** What a prune or copy has done so far, for progress lines. */
export interface RepackProgress extends WriterStats {
  /** Bytes of chunks the destination already had. */
  reusedBytes: number;
  /** The file (tree-relative path) whose chunks are being copied. */
  currentPath: string;
  /** Called after each blob; cheap enough for that. */
  tick?: () => void;
}

export function newRepackProgress(): RepackProgress {
  return { chunkBytes: 0, treeBytes: 0, compressedBytes: 0, uploadedBytes: 0, indexedPacks: 0, reusedBytes: 0, currentPath: "" };
}

export interface RepackOptions {
  readonly scratchDir: string;
  readonly dryRun: boolean;
  /** The index to start from (the new index keeps these packs). */
  readonly start: IndexContents;
  /** Blobs the destination already has. */
  readonly packed: Set<BlobId>;
  /** Packs a resumed run left in the scratch directory, to store first. */
  readonly leftovers?: ReadonlyMap<PackId, string>;
  readonly progress?: RepackProgress;
}

export class RepackWriter {
  readonly writer: RepoWriter;
  readonly #pool: WorkerPool;
  readonly #pipeline: ChunkPipeline;
  readonly progress: RepackProgress;

  private constructor(dest: Repository, readonly opts: RepackOptions) {
    this.progress = opts.progress ?? newRepackProgress();
    this.writer = new RepoWriter({
      backend: dest.backend,
      scratchDir: opts.scratchDir,
      packSize: dest.config.packSize,
      packed: opts.packed,
      start: opts.start,
      dryRun: opts.dryRun,
      uploads: transfersAtOnce(dest.config),
      exactSizes: sizesListedAsWritten(dest.config),
    });
    ({ pool: this.#pool, pipeline: this.#pipeline } = startPipeline((frame) => this.writer.addChunkFrame(frame.entries, frame.bytes)));
  }

  static async open(dest: Repository, opts: RepackOptions): Promise<RepackWriter> {
    const w = new RepackWriter(dest, opts);
    if (opts.leftovers && !opts.dryRun) await w.writer.storeLeftovers(opts.leftovers);
    return w;
  }

  /** Opens a writer that carries on from a killed run's WIP index in the scratch directory, if there is one (cleaning what that run left). */
  static async resuming(dest: Repository, opts: Omit<RepackOptions, "start" | "leftovers">): Promise<RepackWriter> {
    const resumed = await findResumable(opts.scratchDir, dest.backend, false);
    return RepackWriter.open(dest, { ...opts, start: resumed?.wip ?? EMPTY_INDEX, ...(resumed ? { leftovers: resumed.localPacks } : {}) });
  }

  /** Copies a chunk of the file at `path` from `from` unless the destination has it. */
  async copyChunk(id: BlobId, from: ChunkReader, path: string): Promise<void> {
    this.progress.currentPath = path;
    if (this.writer.has(id)) {
      this.progress.reusedBytes += from.blobs.get(id)?.length ?? 0;
    } else {
      const bytes = await from.chunk(id);
      this.writer.claim(id, bytes.length);
      await this.#pipeline.pump();
      while (!this.#pipeline.addBlob(id, bytes)) await this.#pipeline.waitForProgress();
    }
    this.#tick();
  }

  /** Copies a tree's exact bytes from `from` unless the destination has it (its ID never changes). */
  async copyTree(id: BlobId, from: ChunkReader): Promise<void> {
    if (!this.writer.has(id)) await this.writer.add("tree", id, await from.chunk(id));
    this.#tick();
  }

  #tick(): void {
    Object.assign(this.progress, this.writer.stats);
    this.progress.tick?.();
  }

  readonly storeTree = async (tree: Tree): Promise<BlobId> => (await this.writer.storeTree(tree)).id;

  /** Packs what is pending and stores the index; returns its ID (undefined if nothing was written). */
  async finish(): Promise<IndexId | undefined> {
    try {
      await this.#pipeline.finish();
      const id = await this.writer.finish();
      this.#tick();
      return id;
    } catch (err) {
      this.#pipeline.abandon();
      this.writer.abandon();
      throw err;
    } finally {
      this.#pool.close();
    }
  }

  /** Gives up after a failure (the WIP index and finished packs stay for resuming). */
  abandon(): void {
    this.#pipeline.abandon();
    this.writer.abandon();
    this.#pool.close();
  }
}
