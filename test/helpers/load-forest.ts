/** Collects every tree under a root into one map, for tests that compare a streamed walk with the whole forest. */
import type { BlobId } from "../../src/format/id.ts";
import type { Tree } from "../../src/format/tree.ts";
import { distinctTrees, type Forest, type TreeSource } from "../../src/repo/tree-cache.ts";

export async function loadForest(root: BlobId, source: TreeSource): Promise<Forest> {
  const forest = new Map<BlobId, Tree>();
  for await (const [id, tree] of distinctTrees(root, source)) forest.set(id, tree);
  return forest;
}
