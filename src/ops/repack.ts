/**
 * Rewrites a snapshot's trees into a repository (prune, copy, filter-snapshot): entries whose
 * tree-relative path (`src/backend/fs.rs`) the filter drops are left out. A tree with nothing
 * dropped beneath it keeps its ID and is copied as it is (`keepTree`); only trees that lost
 * something are rebuilt and stored under new IDs (`storeTree`). Each kept file's chunks go
 * through `chunk` (which copies or checks them).
 */
import type { BlobId } from "../format/id.ts";
import { EMPTY_TREE_ID, sortedEntries, type Node, type Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { forestTree, type Forest } from "../repo/tree-cache.ts";

export interface RepackHandlers {
  /** True to drop the entry at this tree-relative path (and everything under it). */
  readonly skip?: (path: string) => boolean;
  /** Called for each chunk of each kept file, in order. */
  readonly chunk: (id: BlobId, path: string) => Promise<void>;
  /** An unchanged tree: make sure the destination has it, as it is. */
  readonly keepTree: (id: BlobId) => Promise<void>;
  /** A tree that lost entries: store it and return its new ID. */
  readonly storeTree: (tree: Tree) => Promise<BlobId>;
}

/** Rebuilds the tree `root` of `forest`; returns the root's ID afterwards (the same if nothing was dropped). */
export async function repackTree(root: BlobId, forest: Forest, h: RepackHandlers): Promise<BlobId> {
  // Without a filter a subtree's outcome depends on its ID alone: do each once.
  const done = new Set<BlobId>();
  const visit = async (id: BlobId, dir: string): Promise<BlobId> => {
    if (!h.skip && done.has(id)) return id;
    const out = new Map<string, Node>();
    let changed = false;
    for (const [name, node] of sortedEntries(forestTree(forest, id))) {
      const path = dir === "" ? name : `${dir}/${name}`;
      if (h.skip?.(path)) {
        changed = true;
        continue;
      }
      const c = node.contents;
      if (c.kind === "file") for (const chunk of c.chunks) await h.chunk(chunk, path);
      if (c.kind !== "dir") {
        out.set(name, node);
        continue;
      }
      const sub = await visit(c.tree, path);
      changed ||= sub !== c.tree;
      out.set(name, sub === c.tree ? node : { contents: { kind: "dir", tree: sub }, metadata: node.metadata });
    }
    if (!changed) {
      if (id !== EMPTY_TREE_ID) await h.keepTree(id);
      done.add(id);
      return id;
    }
    return out.size === 0 ? EMPTY_TREE_ID : h.storeTree(out);
  };
  if (!forest.has(root)) throw new BackpakError("internal", `Missing tree ${root}`);
  return visit(root, "");
}
