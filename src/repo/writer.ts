/**
 * Writes new blobs into a repository: deduplicates against everything already packed, packs
 * chunks and trees separately, stores finished packs in the background (several at once, while
 * packing goes on), keeps the resumable WIP index, and at the end stores the index. Order on disk:
 * a pack is listed in the WIP index once it is durable in the scratch directory, and every pack is
 * stored before the index that lists them. Nothing stored is stored again (a key that may not
 * overwrite is enough), and the sizes stored are checked before the index that lists them is
 * stored (see stored-sizes.ts).
 */
import fs from "node:fs";
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import type { IndexContents } from "../format/index-file.ts";
import { idFromDigest, idToDigest, type BlobId, type IndexId, type PackId } from "../format/id.ts";
import type { BlobType, ManifestEntry } from "../format/manifest.ts";
import { EMPTY_TREE_ID, encodeTree, type Tree } from "../format/tree.ts";
import { hashId } from "../kernels/sha224.ts";
import { BoundedJobs } from "../lib/bounded-jobs.ts";
import { causeChain } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { PACK_ZSTD_LEVEL } from "../kernels/zstd.ts";
import { indexKey, packIdOf, packKey } from "./keys.ts";
import { Indexer } from "./indexer.ts";
import { Packer, type FinishedPack } from "./packer.ts";
import type { Resumable } from "./resume.ts";
import type { KnownBlobs } from "./blob-table.ts";
import { DigestTable } from "./digest-table.ts";
import { checkStoredSizes, storedSizes } from "./stored-sizes.ts";

export interface WriterOptions {
  readonly backend: Backend;
  readonly scratchDir: string;
  readonly packSize: number;
  /** Blobs already stored (the master index), which are never packed again; none when left out. */
  readonly packed?: KnownBlobs;
  /** The index to start from (a resumed run's WIP index, or an empty one). */
  readonly start: IndexContents;
  /** The sizes recorded for the packs of `start` that a killed run finished (Resumable.sizes). */
  readonly startSizes?: ReadonlyMap<PackId, number>;
  readonly dryRun: boolean;
  /** How many finished packs may be uploading at once (see transfersAtOnce); each waits in the scratch directory. */
  readonly uploads: number;
  /** The backend lists objects with the sizes written to it (see sizesListedAsWritten), so they can be checked. */
  readonly exactSizes?: boolean;
}

export interface WriterStats {
  chunkBytes: number;
  treeBytes: number;
  compressedBytes: number;
  uploadedBytes: number;
  indexedPacks: number;
}

export class RepoWriter {
  readonly stats: WriterStats = { chunkBytes: 0, treeBytes: 0, compressedBytes: 0, uploadedBytes: 0, indexedPacks: 0 };
  readonly #indexer: Indexer;
  readonly #chunks: Packer;
  readonly #trees: Packer;
  readonly #uploads: BoundedJobs;
  /** Blobs this run packed or claimed, and those of the index it started from. */
  readonly #claimed = new DigestTable();
  /** Packs stored before this run, listed once when the first one is stored. */
  #storedPacks: Promise<Map<string, number>> | undefined;
  /** Packs this run stored, by key, with their sizes. */
  readonly #wrote = new Map<string, number>();

  constructor(readonly opts: WriterOptions) {
    for (const manifest of opts.start.packs.values()) for (const e of manifest) this.#claimed.add(idToDigest(e.id));
    this.#uploads = new BoundedJobs(opts.uploads);
    this.#indexer = new Indexer(opts.scratchDir, opts.start, !opts.dryRun, opts.startSizes);
    const packerOpts = { scratchDir: opts.scratchDir, packSize: opts.packSize, level: PACK_ZSTD_LEVEL, onPack: (p: FinishedPack) => this.#store(p) };
    this.#chunks = new Packer(packerOpts);
    this.#trees = new Packer(packerOpts);
  }

  /** The packs the index being built lists so far (those it started from included), each with its manifest's CBOR. */
  get packs(): ReadonlyMap<PackId, Uint8Array> {
    return this.#indexer.packs;
  }

  /** True if the blob is already stored or queued. */
  has(id: BlobId): boolean {
    return this.hasDigest(idToDigest(id));
  }

  /** True if the blob whose ID is the 28 bytes at `at` is already stored or queued. */
  hasDigest(digest: Uint8Array, at = 0): boolean {
    if (this.#claimed.find(digest, at) >= 0) return true;
    const stored = this.opts.packed;
    if (!stored) return false;
    return stored.hasDigest ? stored.hasDigest(digest, at) : stored.has(idFromDigest(digest, at));
  }

  /**
   * Claims a chunk (the 28 bytes of its ID at `at`) that will arrive compressed in a frame
   * (`addChunkFrame`): true if it is new, false if it is already stored or claimed (a duplicate is
   * never packed twice).
   */
  claim(digest: Uint8Array, length: number, at = 0): boolean {
    if (this.hasDigest(digest, at)) return false;
    this.#claimed.add(digest, at);
    this.stats.chunkBytes += length;
    return true;
  }

  /** Appends a frame of claimed chunks, compressed by a worker. */
  async addChunkFrame(entries: readonly ManifestEntry[], compressed: Uint8Array): Promise<void> {
    await this.#chunks.addFrame(entries, compressed);
    this.stats.compressedBytes = this.#chunks.compressedBytes + this.#trees.compressedBytes;
  }

  /** Packs the blob (compressing it on this thread) unless it is already packed; returns whether it was new. */
  async add(type: BlobType, id: BlobId, bytes: Uint8Array): Promise<boolean> {
    const digest = idToDigest(id);
    if (this.hasDigest(digest)) return false;
    this.#claimed.add(digest);
    if (type === "chunk") this.stats.chunkBytes += bytes.length;
    else this.stats.treeBytes += bytes.length;
    await (type === "chunk" ? this.#chunks : this.#trees).add(type, id, bytes);
    this.stats.compressedBytes = this.#chunks.compressedBytes + this.#trees.compressedBytes;
    return true;
  }

  /** Packs a tree unless it is empty (never packed: readers know it) or already stored. */
  async storeTree(tree: Tree): Promise<{ id: BlobId; fresh: boolean; bytes: number }> {
    if (tree.size === 0) return { id: EMPTY_TREE_ID, fresh: false, bytes: 1 };
    const bytes = encodeTree(tree);
    const id = hashId<"blob">(bytes);
    return { id, fresh: await this.add("tree", id, bytes), bytes: bytes.length };
  }

  /**
   * Carries on from a killed run (see resume.ts): deletes the packs it stored short, where the
   * storage allows it (their blobs are packed again), and stores the packs it left in the scratch
   * directory (already listed in the WIP index).
   */
  async resume(r: Resumable): Promise<void> {
    for (const id of r.storedShort) {
      await this.opts.backend.remove(packKey(id)).catch((err: unknown) => log.warn(`Couldn't delete ${packKey(id)}, stored incomplete: ${causeChain(err).join(": ")}`));
    }
    for (const [id, file] of r.localPacks) await this.#uploads.start(() => this.#storePack(id, file));
  }

  /** Lists a finished pack in the WIP index and starts storing it (waiting only while every upload slot is taken). */
  async #store(pack: FinishedPack): Promise<void> {
    this.#indexer.addPack(pack.id, pack.manifest, pack.size);
    this.stats.indexedPacks++;
    await this.#uploads.start(() => this.#storePack(pack.id, pack.path));
  }

  async #storePack(id: PackId, file: string): Promise<void> {
    const key = packKey(id);
    if (!this.opts.dryRun) this.#storedPacks ??= storedSizes(this.opts.backend, "packs/");
    let size: number | undefined;
    try {
      size = await this.#upload(key, file, this.opts.dryRun ? new Map() : await this.#storedPacks!);
    } catch (err) {
      // The run stops here, before the check in finish(): packs it stored short must not stay in
      // the WIP index, which a resumed run trusts.
      await this.#checkPacks().catch((e: unknown) => log.warn(causeChain(e).join(": ")));
      throw err;
    }
    if (size !== undefined) this.#wrote.set(key, size);
  }

  /** Stores `file` as `key` unless `stored` holds it already; returns the size stored, or undefined if nothing was. */
  async #upload(key: string, file: string, stored: ReadonlyMap<string, number>): Promise<number | undefined> {
    const size = fs.statSync(file).size;
    const there = stored.get(key);
    if (this.opts.dryRun || (there !== undefined && (there === size || !this.opts.exactSizes))) {
      if (there !== undefined) log.info(`${key.startsWith("packs/") ? `Pack ${packIdOf(key)}` : key} is already stored; removed its copy in ${path.dirname(file)}`);
      fs.rmSync(file, { force: true });
      return undefined;
    }
    await this.opts.backend.put(key, file);
    this.stats.uploadedBytes += size;
    return size;
  }

  /** Checks the sizes of the packs this run stored; those stored short are dropped from the WIP index. */
  async #checkPacks(): Promise<void> {
    if (this.opts.exactSizes) await checkStoredSizes(this.opts.backend, "packs/", this.#wrote, (keys) => this.#indexer.dropPacks(keys.map(packIdOf)));
  }

  /** Finishes both packers and stores the index; returns its ID (undefined if nothing was written). */
  async finish(): Promise<IndexId | undefined> {
    await this.#chunks.flush();
    await this.#trees.flush();
    // The last batches were compressed by the flushes.
    this.stats.compressedBytes = this.#chunks.compressedBytes + this.#trees.compressedBytes;
    await this.#uploads.drain();
    await this.#checkPacks();
    const index = await this.#indexer.finish();
    if (index) {
      const key = indexKey(index.id);
      const size = await this.#upload(key, index.path, this.opts.dryRun ? new Map() : await storedSizes(this.opts.backend, "indexes/"));
      if (size !== undefined && this.opts.exactSizes) await checkStoredSizes(this.opts.backend, "indexes/", new Map([[key, size]]));
    }
    this.#indexer.removeWip();
    return index?.id;
  }

  /** Deletes unfinished temporary pack files after a failure (the WIP index and finished packs stay for resuming). */
  abandon(): void {
    this.#chunks.abandon();
    this.#trees.abandon();
  }
}
