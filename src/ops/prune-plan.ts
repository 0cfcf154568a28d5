/**
 * What prune does with each pack: keep it as it is, rewrite the blobs of it that are still used,
 * or drop it. A blob stored in more than one pack is used in one only (a pack kept whole if there
 * is one), so its other copies are reclaimed like unused blobs.
 */
import type { BlobId, PackId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import { distinctTrees, type TreeSource } from "../repo/index.ts";

export interface PackPlan {
  readonly reusable: Map<PackId, Manifest>;
  readonly sparse: Map<PackId, Manifest>;
  readonly droppable: Map<PackId, Manifest>;
  /** Copies of blobs that another pack holds too, which the plan gives up. */
  readonly extraCopies: number;
}

/**
 * Every tree and chunk the trees `roots` reach. Trees are read one at a time as the walk reaches
 * them, and each distinct tree is walked once however many snapshots and paths share it.
 */
export async function reachableBlobs(roots: Iterable<BlobId>, trees: TreeSource): Promise<Set<BlobId>> {
  const out = new Set<BlobId>();
  const walked = new Set<BlobId>();
  for (const root of roots) {
    for await (const [id, tree] of distinctTrees(root, trees, walked)) {
      out.add(id);
      for (const node of tree.values()) if (node.contents.kind === "file") for (const c of node.contents.chunks) out.add(c);
    }
  }
  return out;
}

/** Sorts the indexed packs by how much of each is in use. */
export function planPacks(packs: ReadonlyMap<PackId, Manifest>, reachable: ReadonlySet<BlobId>): PackPlan {
  const reusable = new Map<PackId, Manifest>();
  const sparse = new Map<PackId, Manifest>();
  const droppable = new Map<PackId, Manifest>();
  const whole: PackId[] = [];
  const partly: PackId[] = [];
  for (const [pack, manifest] of packs) (manifest.every((e) => reachable.has(e.id)) ? whole : partly).push(pack);
  // Packs whose blobs are all in use go first, so a blob stored twice keeps a copy that costs no rewriting.
  const claimed = new Set<BlobId>();
  let extraCopies = 0;
  for (const pack of [...whole, ...partly]) {
    const manifest = packs.get(pack)!;
    let used = 0;
    for (const e of manifest) {
      if (!reachable.has(e.id)) continue;
      if (claimed.has(e.id)) extraCopies++;
      else used++;
      claimed.add(e.id);
    }
    (used === manifest.length ? reusable : used === 0 ? droppable : sparse).set(pack, manifest);
  }
  return { reusable, sparse, droppable, extraCopies };
}
