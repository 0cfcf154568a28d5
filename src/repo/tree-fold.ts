/**
 * Computes one value per distinct tree, children before parents, on an explicit stack: each tree
 * is combined once however many paths share it (trees whose shared subtrees expand to millions of
 * paths cost as many steps as there are trees), and depth costs heap, not call stack. Trees are
 * read as the fold reaches them (`streamFold` holds only the trees on the current branch); a tree
 * that contains itself is reported.
 */
import type { BlobId } from "../format/id.ts";
import type { Tree } from "../format/tree.ts";
import { cycle } from "./tree-cache.ts";
import { treeOf, type Trees } from "./tree-walk.ts";

type Combine<T> = (tree: Tree, sub: (id: BlobId) => T) => T;

/** The value of `root`: `combine` gets each tree and the values of its subtrees, each tree read when the fold reaches it; `memo` keeps values across calls. */
export async function streamFold<T>(root: BlobId, trees: Trees, combine: Combine<T>, memo: Map<BlobId, T>): Promise<T> {
  const core = fold(root, combine, memo);
  let r = core.next();
  while (!r.done) r = core.next(await treeOf(trees, r.value));
  return r.value;
}

interface Frame {
  readonly id: BlobId;
  readonly tree: Tree;
  /** The subtrees not yet folded. */
  readonly pending: BlobId[];
}

/** The fold itself, asking for each tree by yielding its ID. */
function* fold<T>(root: BlobId, combine: Combine<T>, memo: Map<BlobId, T>): Generator<BlobId, T, Tree> {
  const sub = (id: BlobId): T => memo.get(id)!;
  if (memo.has(root)) return sub(root);
  const onBranch = new Set<BlobId>();
  const frame = (id: BlobId, tree: Tree): Frame => {
    onBranch.add(id);
    const pending: BlobId[] = [];
    for (const node of tree.values()) if (node.contents.kind === "dir") pending.push(node.contents.tree);
    return { id, tree, pending };
  };
  const stack = [frame(root, yield root)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const next = top.pending.pop();
    if (next === undefined) {
      stack.pop();
      onBranch.delete(top.id);
      memo.set(top.id, combine(top.tree, sub));
      continue;
    }
    if (memo.has(next)) continue;
    if (onBranch.has(next)) throw cycle(next);
    stack.push(frame(next, yield next));
  }
  return sub(root);
}
