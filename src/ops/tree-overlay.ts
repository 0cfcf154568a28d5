/** A tree source that serves a few trees held in memory (made on the way, or read from disk) and reads every other from a snapshot's source. */
import type { BlobId } from "../format/id.ts";
import type { Tree } from "../format/tree.ts";
import type { TreeSource } from "../repo/index.ts";

/** `held`'s trees, then `source`'s. */
export function overlay(held: Pick<ReadonlyMap<BlobId, Tree>, "get">, source: TreeSource): TreeSource {
  return {
    tree: async (id) => held.get(id) ?? source.tree(id),
    peek: (id) => held.get(id) ?? source.peek?.(id),
  };
}
