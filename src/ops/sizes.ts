/**
 * How much data snapshots hold and how much each one brought: walking snapshots oldest first with
 * one set of blobs seen, a blob counts as new the first time and reused after. Trees count every
 * time they are referenced. The empty tree, never packed, counts its one byte (backpak failed
 * to size snapshots holding an empty directory).
 */
import type { BlobId } from "../format/id.ts";
import { EMPTY_TREE_ID } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import type { BlobLocation } from "../repo/master-index.ts";
import type { Forest } from "../repo/tree-cache.ts";
import { walkTree } from "../repo/tree-walk.ts";

export interface FileSize {
  introduced: number;
  reused: number;
}

export interface ForestSizes {
  treeBytes: number;
  chunkBytes: number;
  introduced: number;
  reused: number;
  /** Per file (tree-relative path), for files with any data. */
  readonly perFile: Map<string, FileSize>;
}

export function forestSizes(root: BlobId, forest: Forest, blobs: ReadonlyMap<BlobId, BlobLocation>, seen: Set<BlobId>): ForestSizes {
  const s: ForestSizes = { treeBytes: 0, chunkBytes: 0, introduced: 0, reused: 0, perFile: new Map() };
  const size = (id: BlobId, what: string): number => {
    if (id === EMPTY_TREE_ID) return 1;
    const loc = blobs.get(id);
    if (!loc) throw new BackpakError("corrupt", `Couldn't find ${what} ${id} to get size`, { hint: "run `backpak check`" });
    return loc.length;
  };
  const count = (id: BlobId, n: number): boolean => {
    const fresh = !seen.has(id);
    seen.add(id);
    if (fresh) s.introduced += n;
    else s.reused += n;
    return fresh;
  };
  const countTree = (id: BlobId): void => {
    const ts = size(id, "tree");
    s.treeBytes += ts;
    count(id, ts);
  };
  countTree(root);
  for (const [path, node] of walkTree("", forest, root)) {
    const c = node.contents;
    if (c.kind === "dir") countTree(c.tree);
    else if (c.kind === "file" && c.chunks.length > 0) {
      const f: FileSize = { introduced: 0, reused: 0 };
      for (const chunk of c.chunks) {
        const n = size(chunk, "chunk");
        s.chunkBytes += n;
        if (count(chunk, n)) f.introduced += n;
        else f.reused += n;
      }
      s.perFile.set(path, f);
    }
  }
  return s;
}

/**
 * Bytes the index holds for the blobs in `seen`: what snapshots use of the packs. Unlike the
 * `introduced` sums, this leaves out the unpacked empty tree's byte.
 */
export function packedBytesOf(seen: ReadonlySet<BlobId>, blobs: ReadonlyMap<BlobId, BlobLocation>): number {
  let n = 0;
  for (const id of seen) n += blobs.get(id)?.length ?? 0;
  return n;
}
