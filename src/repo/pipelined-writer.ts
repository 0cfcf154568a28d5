/**
 * The one pipelined writer that backup and the repacker (prune, copy, filter-snapshot) both write
 * through: a RepoWriter for the destination repository, fed by a chunk pipeline whose frames are
 * compressed on the workers, carrying on from a killed run's WIP index and packs when asked.
 */
import type { IndexId } from "../format/id.ts";
import type { IndexContents } from "../format/index-file.ts";
import type { ChunkPipeline } from "../pipeline/chunk-pipeline.ts";
import { chunkPipeline, startBackupPool } from "../pipeline/pipeline-setup.ts";
import type { WorkerPool } from "../pipeline/pool.ts";
import type { KnownBlobs } from "./blob-table.ts";
import { transfersAtOnce, type Repository } from "./repository.ts";
import { EMPTY_INDEX, findResumable, type Resumable } from "./resume.ts";
import { sizesListedAsWritten } from "./stored-sizes.ts";
import { RepoWriter } from "./writer.ts";

/** Where a writer starts: a fresh run's empty index, or a killed run's WIP index. */
export interface WriterStart {
  readonly scratchDir: string;
  readonly dryRun: boolean;
  /** The index to start from (the new index keeps these packs). */
  readonly start: IndexContents;
  /** Blobs the destination already has (beyond those of `start`). */
  readonly packed?: KnownBlobs;
  /** The killed run this one carries on from: its packs stored short are deleted, and those left in the scratch directory stored, first. */
  readonly resumed?: Resumable;
}

export interface PipelinedWriterOptions extends WriterStart {
  /** A pool already started, and its input ring's size (backup's, which scanned on it); without it one is started, and closed with the writer. */
  readonly pool?: { readonly pool: WorkerPool; readonly inputBytes: number };
}

/** A writer on `dest`, having first cleaned up after the run it resumes (unless it is a dry run). */
export async function openRepoWriter(dest: Repository, opts: WriterStart): Promise<RepoWriter> {
  const writer = new RepoWriter({
    backend: dest.backend,
    scratchDir: opts.scratchDir,
    packSize: dest.config.packSize,
    ...(opts.packed ? { packed: opts.packed } : {}),
    start: opts.start,
    ...(opts.resumed ? { startSizes: opts.resumed.sizes } : {}),
    dryRun: opts.dryRun,
    uploads: transfersAtOnce(dest.config),
    exactSizes: sizesListedAsWritten(dest.config),
  });
  try {
    if (opts.resumed && !opts.dryRun) await writer.resume(opts.resumed);
  } catch (err) {
    writer.abandon();
    throw err;
  }
  return writer;
}

/** The start of a run that carries on from a killed run's WIP index in the scratch directory, if there is one. */
export async function resumeStart(dest: Repository, scratchDir: string): Promise<Pick<WriterStart, "start" | "resumed">> {
  const resumed = await findResumable(scratchDir, dest.backend, { replacesIndexes: false, exactSizes: sizesListedAsWritten(dest.config) });
  return { start: resumed?.wip ?? EMPTY_INDEX, ...(resumed ? { resumed } : {}) };
}

export class PipelinedWriter {
  private constructor(
    readonly writer: RepoWriter,
    readonly pipeline: ChunkPipeline,
    /** The pool this writer started, closed with it. */
    readonly ownPool: WorkerPool | undefined,
  ) {}

  /** Opens a writer on `dest` with its chunk pipeline. */
  static async open(dest: Repository, opts: PipelinedWriterOptions): Promise<PipelinedWriter> {
    const writer = await openRepoWriter(dest, opts);
    const { pool, inputBytes } = opts.pool ?? startBackupPool();
    return new PipelinedWriter(writer, chunkPipeline(pool, inputBytes, (frame) => writer.addChunkFrame(frame.entries, frame.bytes)), opts.pool ? undefined : pool);
  }

  /** Opens a writer that carries on from a killed run's WIP index in the scratch directory, if there is one (cleaning what that run left). */
  static async resuming(dest: Repository, opts: Omit<PipelinedWriterOptions, "start" | "resumed">): Promise<PipelinedWriter> {
    return PipelinedWriter.open(dest, { ...opts, ...(await resumeStart(dest, opts.scratchDir)) });
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
      this.ownPool?.close();
    }
  }

  /** Gives up after a failure (the WIP index and finished packs stay for resuming). */
  abandon(): void {
    this.pipeline.abandon();
    this.writer.abandon();
    this.ownPool?.close();
  }
}
