/**
 * Checks a file node's chunk list against the index without reading any pack: every chunk must be
 * indexed as a chunk (not a tree, whose CBOR restore would otherwise write as file contents), and
 * their lengths must add up to the size the node records.
 */
import type { Node } from "../format/tree.ts";
import type { BlobLookup } from "./blob-table.ts";

/** What is wrong with the file node's chunks (unindexed ones are left to the caller), or undefined. */
export function fileChunksProblem(node: Node, blobs: BlobLookup): string | undefined {
  if (node.contents.kind !== "file") return undefined;
  let size = 0;
  for (const id of node.contents.chunks) {
    const loc = blobs.get(id);
    if (!loc) return undefined;
    if (loc.type !== "chunk") return `its chunk list names ${id}, which is a ${loc.type}, not a chunk`;
    size += loc.length;
  }
  const recorded = node.metadata.size;
  if (recorded !== undefined && recorded !== size) return `it records a size of ${recorded} bytes, but its chunks add up to ${size}`;
  return undefined;
}
