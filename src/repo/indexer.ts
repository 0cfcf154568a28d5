/**
 * Collects the packs a run writes into a new index. In resumable runs the whole index is
 * rewritten to `backpak-wip.index` in the scratch directory after every pack, so an
 * interrupted run can pick up where it stopped, with the packs' sizes written just before it
 * (wip-sizes.ts). At the end the index file `<id>.index` is written beside it, ready to store.
 */
import fs from "node:fs";
import path from "node:path";
import type { IndexContents } from "../format/index-file.ts";
import type { IndexId, PackId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import { BackpakError } from "../lib/errors.ts";
import { PRIVATE_FILE, writeFileAtomic, writeFileSynced } from "../lib/fsutil.ts";
import { buildIndexFile, indexFileName } from "./index-file.ts";
import { WIP_SIZES, writeWipSizes } from "./wip-sizes.ts";
import { scratchWrite, workTempTag } from "./work-temps.ts";

export const WIP_INDEX = "backpak-wip.index";
/**
 * The WIP index is rewritten whole after every pack, and only this machine reads it back: zstd
 * level 1 compresses it 3.5 times faster than the stored index's level 3, 7% larger.
 */
const WIP_INDEX_LEVEL = 1;

export class Indexer {
  readonly #packs: Map<PackId, Manifest>;
  readonly #supersedes: Set<IndexId>;
  /** The sizes of the finished packs, as far as known (not for the packs of an earlier index). */
  readonly #sizes: Map<PackId, number>;

  constructor(
    readonly scratchDir: string,
    start: IndexContents,
    /** Write the WIP index after every pack (live runs) or not at all (dry runs). */
    readonly resumable: boolean,
    /** The sizes of the packs of `start` that a killed run finished (see wip-sizes.ts). */
    startSizes: ReadonlyMap<PackId, number> = new Map(),
  ) {
    this.#packs = new Map(start.packs);
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

  contents(): IndexContents {
    return { packs: this.#packs, supersedes: this.#supersedes };
  }

  /** Lists the finished pack `id` of `size` bytes. */
  addPack(id: PackId, manifest: Manifest, size: number): void {
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
    // Named after this process, so a later run can delete it if this one is killed while writing.
    const file = buildIndexFile(this.contents(), WIP_INDEX_LEVEL).file;
    scratchWrite(this.wipPath, () => writeFileAtomic(this.wipPath, file, PRIVATE_FILE, workTempTag()));
  }

  /** Writes `<id>.index` in the scratch directory; undefined when nothing was indexed. */
  finish(): { id: IndexId; path: string } | undefined {
    if (this.isEmpty) return undefined;
    const { id, file } = buildIndexFile(this.contents());
    const out = indexFileName(this.scratchDir, id);
    scratchWrite(out, () => writeFileSynced(out, file));
    return { id, path: out };
  }

  /** Removes the WIP file once its contents are safely stored (dry runs never touch it). */
  removeWip(): void {
    if (!this.resumable) return;
    fs.rmSync(this.wipPath, { force: true });
    fs.rmSync(path.join(this.scratchDir, WIP_SIZES), { force: true });
  }
}
