/**
 * Collects the packs a run writes into a new index. In resumable runs each finished pack is
 * appended to the run's WIP journal (wip-journal.ts) in the scratch directory, with its size, so
 * an interrupted run can pick up where it stopped; each append costs what that pack's manifest
 * does, however many packs came before. At the end the index file `<id>.index` is written beside
 * it, streamed (index-file.ts writeIndexStreamed), ready to store. Each pack's manifest is held
 * as its CBOR (what the pack's ID hashes, and what the index file holds for it), about 56 bytes
 * a blob with no object per blob.
 */
import type { IndexContents } from "../format/index-file.ts";
import type { IndexId, PackId } from "../format/id.ts";
import { encodeManifest } from "../format/manifest.ts";
import { BackpakError } from "../lib/errors.ts";
import { writeIndexStreamed } from "./index-file.ts";
import { WipJournal } from "./wip-journal.ts";

export class Indexer {
  /** Each pack's manifest, as its CBOR. */
  readonly #packs: Map<PackId, Uint8Array>;
  readonly #supersedes: Set<IndexId>;
  /** The journal of a resumable run (none in dry runs). */
  readonly #journal: WipJournal | undefined;

  constructor(
    readonly scratchDir: string,
    start: IndexContents,
    /** Journal every pack (live runs) or not at all (dry runs). */
    resumable: boolean,
    /** The sizes of the packs of `start` that a killed run finished (recorded in its journal). */
    startSizes: ReadonlyMap<PackId, number> = new Map(),
  ) {
    this.#packs = new Map();
    for (const [id, manifest] of start.packs) this.#packs.set(id, encodeManifest(manifest));
    this.#supersedes = new Set(start.supersedes);
    this.#journal = resumable ? new WipJournal(scratchDir, { packs: this.#packs, supersedes: this.#supersedes }, startSizes) : undefined;
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

  /** Lists the finished pack `id` of `size` bytes, whose manifest's CBOR is `manifest`; in a resumable run, once this returns the journal lists it durably. */
  addPack(id: PackId, manifest: Uint8Array, size: number): void {
    if (this.#packs.has(id)) throw new BackpakError("internal", `Pack ${id} was indexed twice`);
    this.#packs.set(id, manifest);
    if (!this.#journal) return;
    this.#journal.addPack(id, manifest, size);
    // A full collection per pack, as when the whole WIP index was rewritten after each: it frees
    // what the walk left that young collections don't (without it, a backup of 100,000 small
    // files in 4 MiB packs peaked at 210 MB instead of 167 MB). Its cost is the live heap's, not
    // the index's.
    Bun.gc(true);
  }

  /** Forgets packs listed earlier (stored incomplete), so that neither the index nor a resumed run relies on them. */
  dropPacks(ids: readonly PackId[]): void {
    for (const id of ids) this.#packs.delete(id);
    this.#journal?.dropPacks(ids);
  }

  /** Writes `<id>.index` in the scratch directory, streamed; undefined when nothing was indexed. */
  async finish(): Promise<{ id: IndexId; path: string } | undefined> {
    if (this.isEmpty) return undefined;
    return await writeIndexStreamed(this.scratchDir, { packs: this.#packs, supersedes: this.#supersedes });
  }

  /** Removes the journal once the index is safely stored (dry runs have none). */
  removeWip(): void {
    this.#journal?.remove();
  }
}
