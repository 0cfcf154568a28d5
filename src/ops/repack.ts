/**
 * Rewrites a snapshot's trees into a repository (prune, copy, filter-snapshot): entries whose
 * tree-relative path (`src/backend/fs.rs`) the filter drops are left out. A tree with nothing
 * dropped beneath it keeps its ID and is copied as it is (`keepTree`); only trees that lost
 * something are rebuilt and stored under new IDs (`storeTree`). Each kept file's chunks go
 * through `chunk` (which copies or checks them).
 */
import type { BlobId } from "../format/id.ts";
import { EMPTY_TREE_ID, sortedEntries, type Node, type Tree } from "../format/tree.ts";
import { cycle, type TreeSource } from "../repo/index.ts";

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

/** A tree being rebuilt: its entries, the ones kept so far, and whether any was dropped or changed. */
interface Frame {
  readonly id: BlobId;
  readonly dir: string;
  readonly entries: [string, Node][];
  next: number;
  readonly out: Map<string, Node>;
  changed: boolean;
}

/**
 * Rebuilds the tree `root`; returns the root's ID afterwards (the same if nothing was dropped).
 * Trees are read as the walk reaches them and subtrees are rebuilt before their parents, on an
 * explicit stack (depth costs heap, not call stack; only the current branch is held).
 */
export async function repackTree(root: BlobId, trees: TreeSource, h: RepackHandlers): Promise<BlobId> {
  // Without a filter a subtree's outcome depends on its ID alone: do each once.
  const done = new Set<BlobId>();
  /** The trees on the current branch, which a subtree must not be one of. */
  const onBranch = new Set<BlobId>();
  const frame = async (id: BlobId, dir: string): Promise<Frame> => {
    if (onBranch.has(id)) throw cycle(id);
    onBranch.add(id);
    return { id, dir, entries: sortedEntries(await trees.tree(id)), next: 0, out: new Map(), changed: false };
  };
  /** The tree a frame stands for, once all its entries are through: its old ID if nothing changed. */
  const finish = async (f: Frame): Promise<BlobId> => {
    if (!f.changed) {
      if (f.id !== EMPTY_TREE_ID) await h.keepTree(f.id);
      done.add(f.id);
      return f.id;
    }
    return f.out.size === 0 ? EMPTY_TREE_ID : h.storeTree(f.out);
  };
  const stack = [await frame(root, "")];
  for (;;) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.entries.length) {
      const id = await finish(top);
      stack.pop();
      onBranch.delete(top.id);
      const parent = stack[stack.length - 1];
      if (!parent) return id;
      // The parent's current entry is the directory just rebuilt.
      const [name, node] = parent.entries[parent.next - 1]!;
      const old = (node.contents as { tree: BlobId }).tree;
      parent.changed ||= id !== old;
      parent.out.set(name, id === old ? node : { contents: { kind: "dir", tree: id }, metadata: node.metadata });
      continue;
    }
    const [name, node] = top.entries[top.next++]!;
    const path = top.dir === "" ? name : `${top.dir}/${name}`;
    if (h.skip?.(path)) {
      top.changed = true;
      continue;
    }
    const c = node.contents;
    if (c.kind === "file") for (const chunk of c.chunks) await h.chunk(chunk, path);
    if (c.kind !== "dir" || (!h.skip && done.has(c.tree))) top.out.set(name, node);
    else stack.push(await frame(c.tree, path));
  }
}
