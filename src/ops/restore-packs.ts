/**
 * The packs a restore reads, as the blob pipeline needs them: each pack's blob lengths and digests
 * from its own manifest (checked against the pack's ID), and which blob table entry each blob is
 * the first copy of. Batches read the same pack one after another, so the last few packs' layouts
 * are kept and a pack's manifest is decoded once, not once per batch.
 */
import { idToDigest, type PackId } from "../format/id.ts";
import { PACK_MAGIC } from "../format/magic.ts";
import type { RangeReader } from "../backend/index.ts";
import { CostLru } from "../lib/cost-lru.ts";
import type { PackTask } from "../pipeline/blob-pipeline.ts";
import { type MasterIndex, readPackLayoutFrom } from "../repo/index.ts";

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
    const { manifest, blobsEnd } = readPackLayoutFrom(reader, id);
    const table = this.index.blobs;
    const entries = new Int32Array(manifest.length);
    const claimed = new Set<number>();
    const blobs = manifest.map((m, i) => {
      const digest = idToDigest(m.id);
      const e = table.entryOf(digest);
      // Each chunk is taken from the first place the manifest lists it, in the pack the index gives.
      entries[i] = e >= 0 && table.packOfEntry(e) === p && !claimed.has(e) ? e : -1;
      if (entries[i] >= 0) claimed.add(e);
      return { length: m.length, digest };
    });
    const layout = { label: `pack ${id}`, blobsEnd, blobs, entries };
    this.#kept.set(p, layout, 1);
    return layout;
  }
}

/** The pipeline task that reads `wanted` from a pack laid out as `layout`. */
export function packTask(layout: RestorePack, reader: PackTask["reader"], rest: Omit<PackTask, "label" | "reader" | "blobsStart" | "blobsEnd" | "blobs">): PackTask {
  return { label: layout.label, reader, blobsStart: PACK_MAGIC.length, blobsEnd: layout.blobsEnd, blobs: layout.blobs, ...rest };
}
