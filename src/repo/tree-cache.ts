/**
 * Trees by ID, read on demand: a miss reads the tree's whole pack and caches every tree in it
 * (each verified against its ID), or the reason it couldn't be read. The empty tree is always present, since backup never packs it.
 */
import type { Backend } from "../backend/index.ts";
import type { BlobId, PackId } from "../format/id.ts";
import { EMPTY_TREE_ID, decodeTree, type Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import type { BlobLocation } from "./master-index.ts";
import type { PackBlob } from "./pack-file.ts";
import { readPackBlobs } from "./pack-reader.ts";

export interface TreeSource {
  tree(id: BlobId): Promise<Tree>;
}

export class TreeCache implements TreeSource {
  readonly #trees = new Map<BlobId, Tree>([[EMPTY_TREE_ID, new Map()]]);
  /** Packs that couldn't be read, and why: each is read once, however many of its trees are asked for. */
  readonly #failed = new Map<PackId, unknown>();
  constructor(
    readonly backend: Backend,
    readonly blobs: ReadonlyMap<BlobId, BlobLocation>,
  ) {}

  async tree(id: BlobId): Promise<Tree> {
    const hit = this.#trees.get(id);
    if (hit) return hit;
    const loc = this.blobs.get(id);
    if (!loc) throw new BackpakError("not-found", `Couldn't find tree ${id} in the index`, { hint: "run `backpak check`" });
    if (loc.type !== "tree") throw new BackpakError("corrupt", `Blob ${id} is a ${loc.type}, not a tree`);
    if (this.#failed.has(loc.pack)) throw this.#failed.get(loc.pack);
    let blobs: PackBlob[];
    try {
      blobs = await readPackBlobs(this.backend, loc.pack);
    } catch (err) {
      this.#failed.set(loc.pack, err);
      throw err;
    }
    for (const { entry, bytes } of blobs) {
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

/** Told of a tree that couldn't be read: its ID, the names leading to it from the root (none for the root itself), and why. */
export type OnUnreadableTree = (id: BlobId, names: readonly string[], err: unknown) => void;

/**
 * Loads every tree under `root`, depth first on an explicit stack (a tree nested 10,000 deep
 * costs heap, not call stack); a tree that contains itself is reported, not followed forever.
 * With `onUnreadable`, a tree that can't be read is handed to it (with the first path that
 * reaches it) and left out with everything beneath it, and the walk goes on: the forest is then
 * incomplete, good only for finding every unreadable tree in one pass.
 */
export async function loadForest(root: BlobId, source: TreeSource, onUnreadable?: OnUnreadableTree): Promise<Forest> {
  const forest = new Map<BlobId, Tree>();
  /** The trees on the current branch, which a subtree must not be one of. */
  const onBranch = new Set<BlobId>();
  const stack: { readonly id: BlobId; readonly subtrees: (readonly [string, BlobId])[]; next: number }[] = [];
  /** names[i]: the entry that leads from stack[i] to stack[i + 1]. */
  const names: string[] = [];
  /** Trees handed to `onUnreadable`, each once however many paths reach it. */
  const unreadable = new Set<BlobId>();
  /** Whether the tree was read (and pushed). */
  const enter = async (id: BlobId, name: string | undefined): Promise<boolean> => {
    let tree: Tree;
    try {
      tree = await source.tree(id);
    } catch (err) {
      if (!onUnreadable) throw err;
      unreadable.add(id);
      onUnreadable(id, name === undefined ? [] : [...names, name], err);
      return false;
    }
    forest.set(id, tree);
    onBranch.add(id);
    const subtrees: (readonly [string, BlobId])[] = [];
    for (const [n, node] of tree) if (node.contents.kind === "dir") subtrees.push([n, node.contents.tree]);
    stack.push({ id, subtrees, next: 0 });
    if (name !== undefined) names.push(name);
    return true;
  };
  await enter(root, undefined);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.subtrees.length) {
      stack.pop();
      names.pop();
      onBranch.delete(top.id);
      continue;
    }
    const [name, sub] = top.subtrees[top.next++]!;
    if (onBranch.has(sub)) throw new BackpakError("corrupt", `Cycle detected! Tree ${sub} contains itself`, { hint: "run `backpak check` to find the snapshots that use it" });
    if (!forest.has(sub) && !unreadable.has(sub)) await enter(sub, name);
  }
  return forest;
}

/** The tree `id` from a loaded forest (a missing one is a bug: forests are loaded whole). */
export function forestTree(forest: Forest, id: BlobId): Tree {
  const t = forest.get(id);
  if (!t) throw new BackpakError("internal", `Missing tree ${id}`);
  return t;
}
