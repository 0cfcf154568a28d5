/**
 * Trees by ID, read on demand: a miss reads the tree's whole pack and caches every tree in it
 * (each verified against its ID). The empty tree is always present, since backup never packs it.
 */
import type { Backend } from "../backend/index.ts";
import type { BlobId } from "../format/id.ts";
import { EMPTY_TREE_ID, decodeTree, type Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import type { BlobLookup } from "./blob-table.ts";
import { readPackBlobs } from "./pack-reader.ts";

export interface TreeSource {
  tree(id: BlobId): Promise<Tree>;
}

export class TreeCache implements TreeSource {
  readonly #trees = new Map<BlobId, Tree>([[EMPTY_TREE_ID, new Map()]]);
  constructor(
    readonly backend: Backend,
    readonly blobs: BlobLookup,
  ) {}

  async tree(id: BlobId): Promise<Tree> {
    const hit = this.#trees.get(id);
    if (hit) return hit;
    const loc = this.blobs.get(id);
    if (!loc) throw new BackpakError("not-found", `Couldn't find tree ${id} in the index`, { hint: "run `backpak check`" });
    if (loc.type !== "tree") throw new BackpakError("corrupt", `Blob ${id} is a ${loc.type}, not a tree`);
    for (const { entry, bytes } of await readPackBlobs(this.backend, loc.pack)) {
      if (entry.type !== "tree") {
        log.warn(`Pack ${loc.pack} holds chunk ${entry.id} beside trees; skipping it`);
        continue;
      }
      if (!this.#trees.has(entry.id)) this.#trees.set(entry.id, decodeTree(bytes, `tree ${entry.id}`));
    }
    const found = this.#trees.get(id);
    if (!found) throw new BackpakError("corrupt", `Pack ${loc.pack} doesn't hold tree ${id} though the index says it does`);
    return found;
  }
}

/** All trees reachable from `root`, by ID. */
export type Forest = ReadonlyMap<BlobId, Tree>;

/**
 * Loads every tree under `root`, depth first on an explicit stack (a tree nested 10,000 deep
 * costs heap, not call stack); a tree that contains itself is reported, not followed forever.
 */
export async function loadForest(root: BlobId, source: TreeSource): Promise<Forest> {
  const forest = new Map<BlobId, Tree>();
  /** The trees on the current branch, which a subtree must not be one of. */
  const onBranch = new Set<BlobId>();
  const stack: { readonly id: BlobId; readonly subtrees: BlobId[]; next: number }[] = [];
  const enter = async (id: BlobId): Promise<void> => {
    const tree = await source.tree(id);
    forest.set(id, tree);
    onBranch.add(id);
    const subtrees: BlobId[] = [];
    for (const node of tree.values()) if (node.contents.kind === "dir") subtrees.push(node.contents.tree);
    stack.push({ id, subtrees, next: 0 });
  };
  await enter(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.subtrees.length) {
      stack.pop();
      onBranch.delete(top.id);
      continue;
    }
    const sub = top.subtrees[top.next++]!;
    if (onBranch.has(sub)) throw new BackpakError("corrupt", `Cycle detected! Tree ${sub} contains itself`, { hint: "run `backpak check` to find the snapshots that use it" });
    if (!forest.has(sub)) await enter(sub);
  }
  return forest;
}

/** The tree `id` from a loaded forest (a missing one is a bug: forests are loaded whole). */
export function forestTree(forest: Forest, id: BlobId): Tree {
  const t = forest.get(id);
  if (!t) throw new BackpakError("internal", `Missing tree ${id}`);
  return t;
}
