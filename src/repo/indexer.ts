/**
 * Collects the packs a run writes into a new index. In resumable runs the whole index is
 * rewritten to `backpak-wip.index` in the scratch directory after every pack, so an
 * interrupted run can pick up where it stopped. At the end the index file `<id>.index` is
 * written beside it, ready to store.
 */
import fs from "node:fs";
import path from "node:path";
import type { IndexContents } from "../format/index-file.ts";
import type { IndexId, PackId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import { BackpakError } from "../lib/errors.ts";
import { PRIVATE_FILE, writeFileAtomic, writeFileSynced } from "../lib/fsutil.ts";
import { buildIndexFile, indexFileName } from "./index-file.ts";
import { scratchWrite, workTempTag } from "./work-temps.ts";

export const WIP_INDEX = "backpak-wip.index";

export class Indexer {
  readonly #packs: Map<PackId, Manifest>;
  readonly #supersedes: Set<IndexId>;

  constructor(
    readonly scratchDir: string,
    start: IndexContents,
    /** Write the WIP index after every pack (live runs) or not at all (dry runs). */
    readonly resumable: boolean,
  ) {
    this.#packs = new Map(start.packs);
    this.#supersedes = new Set(start.supersedes);
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

  addPack(id: PackId, manifest: Manifest): void {
    if (this.#packs.has(id)) throw new BackpakError("internal", `Pack ${id} was indexed twice`);
    this.#packs.set(id, manifest);
    if (this.resumable) this.#writeWip();
  }

  /** Forgets packs listed earlier (stored incomplete), so that neither the index nor a resumed run relies on them. */
  dropPacks(ids: readonly PackId[]): void {
    for (const id of ids) this.#packs.delete(id);
    if (this.resumable) this.#writeWip();
  }

  #writeWip(): void {
    // Named after this process, so a later run can delete it if this one is killed while writing.
    const file = buildIndexFile(this.contents()).file;
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
    if (this.resumable) fs.rmSync(this.wipPath, { force: true });
  }
}
