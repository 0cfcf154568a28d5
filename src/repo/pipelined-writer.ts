/**
 * The one pipelined writer that backup and the repacker (prune, copy, filter-snapshot) both write
 * through: a RepoWriter for the destination repository, fed by a chunk pipeline whose frames are
 * compressed on the workers, carrying on from a killed run's WIP index and packs when asked.
 */
import type { BlobId, IndexId, PackId } from "../format/id.ts";
import type { IndexContents } from "../format/index-file.ts";
import type { ChunkPipeline } from "../pipeline/chunk-pipeline.ts";
import { chunkPipeline, startBackupPool } from "../pipeline/pipeline-setup.ts";
import type { WorkerPool } from "../pipeline/pool.ts";
import { transfersAtOnce, type Repository } from "./repository.ts";
import { EMPTY_INDEX, findResumable } from "./resume.ts";
import { sizesListedAsWritten } from "./stored-sizes.ts";
import { RepoWriter } from "./writer.ts";

export interface PipelinedWriterOptions {
  readonly scratchDir: string;
  readonly dryRun: boolean;
  /** The index to start from (the new index keeps these packs). */
  readonly start: IndexContents;
  /** Blobs the destination already has. */
  readonly packed: Set<BlobId>;
  /** Packs a resumed run left in the scratch directory, to store first. */
  readonly leftovers?: ReadonlyMap<PackId, string>;
  /** A pool already started, and its input ring's size (backup's, which scanned on it); without it one is started, and closed with the writer. */
  readonly pool?: { readonly pool: WorkerPool; readonly inputBytes: number };
}

export class PipelinedWriter {
  readonly writer: RepoWriter;
  readonly pipeline: ChunkPipeline;
  readonly #pool: WorkerPool | undefined;

  private constructor(dest: Repository, opts: PipelinedWriterOptions) {
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
    const { pool, inputBytes } = opts.pool ?? startBackupPool();
    this.#pool = opts.pool ? undefined : pool;
    this.pipeline = chunkPipeline(pool, inputBytes, (frame) => this.writer.addChunkFrame(frame.entries, frame.bytes));
  }

  /** Opens a writer on `dest`, storing the leftovers first (unless it is a dry run). */
  static async open(dest: Repository, opts: PipelinedWriterOptions): Promise<PipelinedWriter> {
    const w = new PipelinedWriter(dest, opts);
    try {
      if (opts.leftovers && !opts.dryRun) await w.writer.storeLeftovers(opts.leftovers);
    } catch (err) {
      w.abandon();
      throw err;
    }
    return w;
  }

  /** Opens a writer that carries on from a killed run's WIP index in the scratch directory, if there is one (cleaning what that run left). */
  static async resuming(dest: Repository, opts: Omit<PipelinedWriterOptions, "start" | "leftovers">): Promise<PipelinedWriter> {
    const resumed = await findResumable(opts.scratchDir, dest.backend, false);
    return PipelinedWriter.open(dest, { ...opts, start: resumed?.wip ?? EMPTY_INDEX, ...(resumed ? { leftovers: resumed.localPacks } : {}) });
  }

  /** Packs what is pending and stores the index; returns its ID (undefined if nothing was written). */
  async finish(): Promise<IndexId | undefined> {
    try {
      await this.pipeline.finish();
      return await this.writer.finish();
    } catch (err) {
      this.pipeline.abandon();
      this.writer.abandon();
      throw err;
    } finally {
      this.#pool?.close();
    }
  }

  /** Gives up after a failure (the WIP index and finished packs stay for resuming). */
  abandon(): void {
    this.pipeline.abandon();
    this.writer.abandon();
    this.#pool?.close();
  }
}
