/**
 * Collects the packs a run writes into a new index. In resumable runs the whole index is
 * rewritten to `backpak-wip.index` in the scratch directory after every pack, so an
 * interrupted run can pick up where it stopped, with the packs' sizes written just before it
 * (wip-sizes.ts). At the end the index file `<id>.index` is written beside it, ready to store.
 * Each pack's manifest is held as its CBOR (what the pack's ID hashes, and what the index file
 * holds for it), about 56 bytes a blob with no object per blob.
 */
import fs from "node:fs";
import path from "node:path";
import type { EncodableIndex, IndexContents } from "../format/index-file.ts";
import type { IndexId, PackId } from "../format/id.ts";
import { encodeManifest } from "../format/manifest.ts";
import { BackpakError } from "../lib/errors.ts";
import { copyFileSynced, PRIVATE_FILE, writeFileAtomic } from "../lib/fsutil.ts";
import { buildIndexParts, indexFileName } from "./index-file.ts";
import { WIP_SIZES, writeWipSizes } from "./wip-sizes.ts";
import { scratchWrite, workTempTag } from "./work-temps.ts";

export const WIP_INDEX = "backpak-wip.index";

export class Indexer {
  /** Each pack's manifest, as its CBOR. */
  readonly #packs: Map<PackId, Uint8Array>;
  readonly #supersedes: Set<IndexId>;
  /** The sizes of the finished packs, as far as known (not for the packs of an earlier index). */
  readonly #sizes: Map<PackId, number>;
  /** The ID of the index the WIP file holds, while it holds what this Indexer lists. */
  #wipId: IndexId | undefined;

  constructor(
    readonly scratchDir: string,
    start: IndexContents,
    /** Write the WIP index after every pack (live runs) or not at all (dry runs). */
    readonly resumable: boolean,
    /** The sizes of the packs of `start` that a killed run finished (see wip-sizes.ts). */
    startSizes: ReadonlyMap<PackId, number> = new Map(),
  ) {
    this.#packs = new Map();
    for (const [id, manifest] of start.packs) this.#packs.set(id, encodeManifest(manifest));
    this.#supersedes = new Set(start.supersedes);
    this.#sizes = new Map(startSizes);
    if (resumable && !this.isEmpty) this.#writeWip();
  }

  get wipPath(): string {
    return path.join(this.scratchDir, WIP_INDEX);
  }

  get isEmpty(): boolean {
    return this.#packs.size === 0 && this.#supersedes.size === 0;
  }

  get packCount(): number {
    return this.#packs.size;
  }

  /** The packs listed so far, each with its manifest's CBOR. */
  get packs(): ReadonlyMap<PackId, Uint8Array> {
    return this.#packs;
  }

  #contents(): EncodableIndex {
    return { packs: this.#packs, supersedes: this.#supersedes };
  }

  /** Lists the finished pack `id` of `size` bytes, whose manifest's CBOR is `manifest`. */
  addPack(id: PackId, manifest: Uint8Array, size: number): void {
    if (this.#packs.has(id)) throw new BackpakError("internal", `Pack ${id} was indexed twice`);
    this.#packs.set(id, manifest);
    this.#sizes.set(id, size);
    if (this.resumable) this.#writeWip();
  }

  /** Forgets packs listed earlier (stored incomplete), so that neither the index nor a resumed run relies on them. */
  dropPacks(ids: readonly PackId[]): void {
    for (const id of ids) {
      this.#packs.delete(id);
      this.#sizes.delete(id);
    }
    if (this.resumable) this.#writeWip();
  }

  #writeWip(): void {
    // The sizes first: every pack the WIP index lists has its size recorded when it is listed.
    writeWipSizes(this.scratchDir, this.#sizes, this.#packs.keys());
    this.#wipId = undefined;
    // Named after this process, so a later run can delete it if this one is killed while writing.
    this.#wipId = this.#write(this.wipPath, (parts) => writeFileAtomic(this.wipPath, parts, PRIVATE_FILE, workTempTag()));
    // The CBOR and its compressed copy are garbage now (over 80 MB on a million blobs), but big
    // buffers outlive young collections: left to the runtime, rewriting the WIP index after each
    // of 15 packs of a million blobs held 280 MB of old ones by the last.
    Bun.gc(true);
  }

  /** Encodes the index and writes its file's parts to `file` with `write`; returns its ID. */
  #write(file: string, write: (parts: readonly Uint8Array[]) => void): IndexId {
    const { id, parts } = buildIndexParts(this.#contents());
    scratchWrite(file, () => write(parts));
    return id;
  }

  /**
   * Writes `<id>.index` in the scratch directory (a copy of the WIP file when that is up to date,
   * rather than encoding it all again); undefined when nothing was indexed.
   */
  finish(): { id: IndexId; path: string } | undefined {
    if (this.isEmpty) return undefined;
    const wipId = this.#wipId;
    if (wipId !== undefined) {
      const out = indexFileName(this.scratchDir, wipId);
      scratchWrite(out, () => {
        fs.rmSync(out, { force: true });
        copyFileSynced(this.wipPath, out);
      });
      return { id: wipId, path: out };
    }
    const { id, parts } = buildIndexParts(this.#contents());
    const out = indexFileName(this.scratchDir, id);
    scratchWrite(out, () => writeFileAtomic(out, parts));
    return { id, path: out };
  }

  /** Removes the WIP file once its contents are safely stored (dry runs never touch it). */
  removeWip(): void {
    if (!this.resumable) return;
    fs.rmSync(this.wipPath, { force: true });
    fs.rmSync(path.join(this.scratchDir, WIP_SIZES), { force: true });
  }
}
