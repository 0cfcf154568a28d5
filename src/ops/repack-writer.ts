/**
 * The writing side of prune and copy: the pipelined writer backup uses too, so chunk frames are
 * compressed on the workers. Chunks are copied from another pack (verified on the way) unless
 * the destination already has them.
 */
import { idToDigest, type BlobId, type IndexId } from "../format/id.ts";
import type { Tree } from "../format/tree.ts";
import { type ChunkReader, PipelinedWriter, type PipelinedWriterOptions, type Repository, type RepoWriter, type WriterStats } from "../repo/index.ts";

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

export interface RepackOptions extends Omit<PipelinedWriterOptions, "pool"> {
  readonly progress?: RepackProgress;
}

export class RepackWriter {
  readonly #out: PipelinedWriter;
  readonly progress: RepackProgress;

  private constructor(out: PipelinedWriter, progress: RepackProgress | undefined) {
    this.#out = out;
    this.progress = progress ?? newRepackProgress();
  }

  get writer(): RepoWriter {
    return this.#out.writer;
  }

  static async open(dest: Repository, opts: RepackOptions): Promise<RepackWriter> {
    return new RepackWriter(await PipelinedWriter.open(dest, opts), opts.progress);
  }

  /** Opens a writer that carries on from a killed run's WIP index in the scratch directory, if there is one (cleaning what that run left). */
  static async resuming(dest: Repository, opts: Omit<RepackOptions, "start" | "resumed">): Promise<RepackWriter> {
    return new RepackWriter(await PipelinedWriter.resuming(dest, opts), opts.progress);
  }

  /** Copies a chunk of the file at `path` from `from` unless the destination has it. */
  async copyChunk(id: BlobId, from: ChunkReader, path: string): Promise<void> {
    this.progress.currentPath = path;
    if (this.writer.has(id)) {
      this.progress.reusedBytes += from.blobs.get(id)?.length ?? 0;
    } else {
      const bytes = await from.chunk(id);
      this.writer.claim(idToDigest(id), bytes.length);
      const pipeline = this.#out.pipeline;
      await pipeline.pump();
      while (!pipeline.addBlob(id, bytes)) await pipeline.waitForProgress();
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
    const id = await this.#out.finish();
    this.#tick();
    return id;
  }

  /** Gives up after a failure (the WIP index and finished packs stay for resuming). */
  abandon(): void {
    this.#out.abandon();
  }
}
