/**
 * Trees by ID, read on demand and kept in a least-recently-used cache bounded by their estimated
 * decoded size: a miss reads the tree's whole pack (each tree verified against its ID) and caches
 * the tree and those after it in the pack as far as half the budget allows, evicting the least
 * recently used. The empty tree is
 * always present, since backup never packs it. Walks that visit each distinct tree once read them
 * through it one at a time (`distinctTrees`), holding only IDs.
 */
import type { Backend } from "../backend/index.ts";
import type { BlobId } from "../format/id.ts";
import { EMPTY_TREE_ID, decodeTree, type Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import type { BlobLocation } from "./master-index.ts";
import { readPackBlobs } from "./pack-reader.ts";

export interface TreeSource {
  tree(id: BlobId): Promise<Tree>;
}

const MiB = 1 << 20;
/** A decoded tree (maps, node objects, ID strings) takes about this many times its CBOR length. */
const DECODED_PER_ENCODED = 4;
/** Fixed cost of a cached tree besides its entries. */
const TREE_OVERHEAD = 256;

/** The cache's budget in bytes: `BACKPAK_TREE_CACHE_MIB` (a positive integer) or 64 MiB. */
export function treeCacheBudget(env: NodeJS.ProcessEnv = process.env): number {
  const mib = Number(env.BACKPAK_TREE_CACHE_MIB);
  return Number.isInteger(mib) && mib > 0 ? mib * MiB : 64 * MiB;
}

/** What a tree encoded in `encodedLength` bytes is reckoned to cost once decoded. */
export const decodedTreeBytes = (encodedLength: number): number => encodedLength * DECODED_PER_ENCODED + TREE_OVERHEAD;

export class TreeCache implements TreeSource {
  /** Cached trees and their reckoned sizes, least recently used first (a Map keeps insertion order). */
  readonly #trees = new Map<BlobId, { readonly tree: Tree; readonly bytes: number }>();
  #resident = 0;
  /** Packs read so far (misses), for tests and logs. */
  packReads = 0;

  constructor(
    readonly backend: Backend,
    readonly blobs: ReadonlyMap<BlobId, BlobLocation>,
    readonly budget: number = treeCacheBudget(),
  ) {}

  /** Reckoned bytes of the trees held now; never more than the budget. */
  get residentBytes(): number {
    return this.#resident;
  }

  /** The tree if it is cached (marking it recently used), without reading anything. */
  peek(id: BlobId): Tree | undefined {
    if (id === EMPTY_TREE_ID) return new Map();
    const hit = this.#trees.get(id);
    if (!hit) return undefined;
    this.#trees.delete(id);
    this.#trees.set(id, hit);
    return hit.tree;
  }

  async tree(id: BlobId): Promise<Tree> {
    const hit = this.peek(id);
    if (hit) return hit;
    const loc = this.blobs.get(id);
    if (!loc) throw new BackpakError("not-found", `Couldn't find tree ${id} in the index`, { hint: "run `backpak check`" });
    if (loc.type !== "tree") throw new BackpakError("corrupt", `Blob ${id} is a ${loc.type}, not a tree`);
    this.packReads++;
    log.debug(`Reading the trees of pack ${loc.pack} (for tree ${id})`);
    const inPack = (await readPackBlobs(this.backend, loc.pack)).filter(({ entry }) => {
      if (entry.type === "tree") return true;
      log.warn(`Pack ${loc.pack} holds chunk ${entry.id} beside trees; skipping it`);
      return false;
    });
    const at = inPack.findIndex(({ entry }) => entry.id === id);
    if (at < 0) throw new BackpakError("corrupt", `Pack ${loc.pack} doesn't hold tree ${id} though the index says it does`);
    const found = decodeTree(inPack[at]!.bytes, `tree ${id}`);
    this.#add(id, found, decodedTreeBytes(inPack[at]!.bytes.length));
    // Backup packs trees in walk order, so the trees after this one are the ones likely needed
    // next: they are kept, up to half the budget, leaving the rest to trees read before.
    let room = this.budget / 2;
    for (let k = 1; k < inPack.length; k++) {
      const { entry, bytes } = inPack[(at + k) % inPack.length]!;
      if (this.#trees.has(entry.id)) continue;
      const size = decodedTreeBytes(bytes.length);
      if (size > room) break;
      room -= size;
      this.#add(entry.id, decodeTree(bytes, `tree ${entry.id}`), size);
    }
    // The tree asked for is the most recently used.
    this.peek(id);
    return found;
  }

  /** Caches a tree, evicting the least recently used until it fits; one bigger than the whole budget isn't kept. */
  #add(id: BlobId, tree: Tree, bytes: number): void {
    if (bytes > this.budget) return;
    const old = this.#trees.get(id);
    if (old) {
      this.#trees.delete(id);
      this.#resident -= old.bytes;
    }
    for (const [oldest, { bytes: b }] of this.#trees) {
      if (this.#resident + bytes <= this.budget) break;
      this.#trees.delete(oldest);
      this.#resident -= b;
    }
    this.#trees.set(id, { tree, bytes });
    this.#resident += bytes;
  }
}

/** The error for a tree found beneath itself. */
export const cycle = (id: BlobId): BackpakError =>
  new BackpakError("corrupt", `Cycle detected! Tree ${id} contains itself`, { hint: "run `backpak check` to find the snapshots that use it" });

/** All trees reachable from `root`, by ID. */
export type Forest = ReadonlyMap<BlobId, Tree>;

/**
 * Every tree reachable from `root` that isn't in `seen` yet, with its ID, each once; `seen`
 * gets every tree visited, so sharing it across calls visits a tree shared by several roots once.
 */
export async function* distinctTrees(root: BlobId, trees: TreeSource, seen: Set<BlobId> = new Set()): AsyncGenerator<[BlobId, Tree]> {
  if (seen.has(root)) return;
  /** The trees on the current branch, which a subtree must not be one of. */
  const onBranch = new Set<BlobId>();
  const stack: { readonly id: BlobId; readonly subtrees: BlobId[]; next: number }[] = [];
  const enter = async (id: BlobId): Promise<[BlobId, Tree]> => {
    const tree = await trees.tree(id);
    seen.add(id);
    onBranch.add(id);
    const subtrees: BlobId[] = [];
    for (const node of tree.values()) if (node.contents.kind === "dir") subtrees.push(node.contents.tree);
    stack.push({ id, subtrees, next: 0 });
    return [id, tree];
  };
  yield await enter(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.subtrees.length) {
      stack.pop();
      onBranch.delete(top.id);
      continue;
    }
    const sub = top.subtrees[top.next++]!;
    if (onBranch.has(sub)) throw cycle(sub);
    if (!seen.has(sub)) yield await enter(sub);
  }
}

/** Loads every tree under `root` (restore and `snapshots` still hold a snapshot's trees whole). */
export async function loadForest(root: BlobId, source: TreeSource): Promise<Forest> {
  const forest = new Map<BlobId, Tree>();
  for await (const [id, tree] of distinctTrees(root, source)) forest.set(id, tree);
  return forest;
}

/** The tree `id` from a loaded forest (a missing one is a bug: forests are loaded whole). */
export function forestTree(forest: Forest, id: BlobId): Tree {
  const t = forest.get(id);
  if (!t) throw new BackpakError("internal", `Missing tree ${id}`);
  return t;
}
