/**
 * The packs a restore reads, as the blob pipeline needs them: each pack's blob lengths and digests
 * from its own manifest (checked against the pack's ID), and which blob table entry each blob is
 * the first copy of. Batches read the same pack one after another, so the last few packs' layouts
 * are kept and a pack's manifest is decoded once, not once per batch.
 */
import { ID_BYTES, type PackId } from "../format/id.ts";
import { PACK_MAGIC } from "../format/magic.ts";
import type { RangeReader } from "../backend/index.ts";
import { CostLru } from "../lib/cost-lru.ts";
import type { PackTask } from "../pipeline/blob-pipeline.ts";
import { type MasterIndex, readPackColumnsFrom } from "../repo/index.ts";

export interface RestorePack {
  readonly label: string;
  readonly blobsEnd: number;
  readonly blobs: PackTask["blobs"];
  /** Per blob of the manifest, the blob table entry it is the first place of, or -1 (not indexed, or a later copy). */
  readonly entries: Int32Array;
}

/** Layouts kept: a batch's packs are read in pack order, so the next batch starts with the last one or two. */
const KEPT = 2;

export class RestorePacks {
  /** Each layout costs 1, so the budget is how many are kept. */
  readonly #kept = new CostLru<number, RestorePack>(KEPT);

  constructor(readonly index: MasterIndex) {}

  /** Pack `p`'s layout, read through `reader` unless kept. */
  layout(p: number, id: PackId, reader: Pick<RangeReader, "size" | "readInto">): RestorePack {
    const kept = this.#kept.get(p);
    if (kept) return kept;
    const { blobs, blobsEnd } = readPackColumnsFrom(reader, id);
    const table = this.index.blobs;
    const entries = new Int32Array(blobs.count);
    const start = table.packStart(p);
    /** Per entry of pack `p` in the index, whether a blob of the manifest has claimed it. */
    const claimed = new Uint8Array(table.packEnd(p) - start);
    for (let i = 0; i < blobs.count; i++) {
      const e = table.entryOf(blobs.digests, i * ID_BYTES);
      // Each chunk is taken from the first place the manifest lists it, in the pack the index gives.
      const first = e >= 0 && table.packOfEntry(e) === p && claimed[e - start] === 0;
      entries[i] = first ? e : -1;
      if (first) claimed[e - start] = 1;
    }
    const layout = { label: `pack ${id}`, blobsEnd, blobs, entries };
    this.#kept.set(p, layout, 1);
    return layout;
  }
}

/** The pipeline task that reads `wanted` from a pack laid out as `layout`. */
export function packTask(layout: RestorePack, reader: PackTask["reader"], rest: Omit<PackTask, "label" | "reader" | "blobsStart" | "blobsEnd" | "blobs">): PackTask {
  return { label: layout.label, reader, blobsStart: PACK_MAGIC.length, blobsEnd: layout.blobsEnd, blobs: layout.blobs, ...rest };
}
