/**
 * Computes one value per distinct tree of a loaded forest, children before parents, on an explicit
 * stack: each tree is combined once however many paths share it (a forest whose shared subtrees
 * expand to millions of paths costs as many steps as it has trees), and depth costs heap, not call
 * stack. The forest must be acyclic, as `loadForest` guarantees.
 */
import type { BlobId } from "../format/id.ts";
import type { Tree } from "../format/tree.ts";
import { forestTree, type Forest } from "./tree-cache.ts";

/** The value of `root`: `combine` gets each tree and the values of its subtrees; `memo` keeps values across calls. */
export function foldTrees<T>(root: BlobId, forest: Forest, combine: (tree: Tree, sub: (id: BlobId) => T) => T, memo: Map<BlobId, T>): T {
  const sub = (id: BlobId): T => memo.get(id)!;
  const stack: BlobId[] = [root];
  while (stack.length > 0) {
    const id = stack[stack.length - 1]!;
    if (memo.has(id)) {
      stack.pop();
      continue;
    }
    const tree = forestTree(forest, id);
    let ready = true;
    for (const node of tree.values()) {
      if (node.contents.kind === "dir" && !memo.has(node.contents.tree)) {
        stack.push(node.contents.tree);
        ready = false;
      }
    }
    if (ready) {
      stack.pop();
      memo.set(id, combine(tree, sub));
    }
  }
  return sub(root);
}
