/**
 * Trees by ID, read on demand and kept in a least-recently-used cache bounded by their estimated
 * decoded size. A miss decompresses only the zstd frame its tree is in (each blob verified against
 * its ID); the frame's other trees are kept as they are, encoded, in a smaller cache (a quarter of
 * the budget, at least two frames' worth), so a walk that goes on to them, as walks in backup's order do,
 * decodes them without reading the pack again. The empty tree is always present, since backup
 * never packs it. Walks that visit each distinct tree once read them through it one at a time
 * (`distinctTrees`), holding only IDs.
 */
import type { Backend } from "../backend/index.ts";
import type { BlobId } from "../format/id.ts";
import { EMPTY_TREE_ID, decodeTree, type Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { CostLru } from "../lib/cost-lru.ts";
import { log } from "../lib/log.ts";
import type { BlobLookup } from "./blob-table.ts";
import { ChunkReader } from "./chunk-reader.ts";
import { DEFAULT_FRAME_SIZE } from "./packer.ts";

export interface TreeSource {
  tree(id: BlobId): Promise<Tree>;
  /** The tree if it is at hand, without reading anything. */
  peek?(id: BlobId): Tree | undefined;
}

const MiB = 1 << 20;
/** A decoded tree (maps, node objects, ID strings) takes about this many times its CBOR length. */
const DECODED_PER_ENCODED = 4;
/** Fixed cost of a cached tree besides its entries. */
const TREE_OVERHEAD = 256;

/**
 * The default budget. Walks read each tree once in pack order, so what saves them work is the
 * frames kept encoded, not decoded trees kept for a second asking: on a million files `ls` and a
 * no-change backup take as long with 8 MiB as with 64, and 64 MiB of live trees let the garbage
 * collector grow the heap by 200-300 MB more before it collects the walk's garbage. `check` walks
 * each snapshot twice, and its second walk decodes again the trees a bigger cache held whole
 * (the Linux sources: 0.5 s against 0.7 s).
 */
const DEFAULT_BUDGET_MIB = 8;

/** The cache's budget in bytes: `BACKPAK_TREE_CACHE_MIB` (a positive integer) or `DEFAULT_BUDGET_MIB`. */
export function treeCacheBudget(env: NodeJS.ProcessEnv = process.env): number {
  const mib = Number(env.BACKPAK_TREE_CACHE_MIB);
  return (Number.isInteger(mib) && mib > 0 ? mib : DEFAULT_BUDGET_MIB) * MiB;
}

/** What a tree encoded in `encodedLength` bytes is reckoned to cost once decoded. */
export const decodedTreeBytes = (encodedLength: number): number => encodedLength * DECODED_PER_ENCODED + TREE_OVERHEAD;

/** The empty tree, which backup never packs (trees are read-only, so one serves every lookup). */
const EMPTY_TREE: Tree = new Map();

export class TreeCache implements TreeSource {
  /** Cached trees, each costing its reckoned decoded size. */
  readonly #trees: CostLru<BlobId, Tree>;
  /** Encoded trees, by frame. */
  readonly #frames: ChunkReader;
  /** Trees decoded so far (misses), for tests and logs. */
  decoded = 0;

  constructor(
    readonly backend: Backend,
    readonly blobs: BlobLookup,
    readonly budget: number = treeCacheBudget(),
  ) {
    this.#trees = new CostLru(budget);
    // Room for two frames of trees (a frame closes past its size): any less, and a walk through a
    // frame decompresses it again for trees it evicted.
    this.#frames = new ChunkReader(backend, blobs, Math.max(Math.floor(budget / 4), 2 * DEFAULT_FRAME_SIZE));
  }

  /** Frames decompressed so far. */
  get framesRead(): number {
    return this.#frames.framesRead;
  }

  /** Reckoned bytes of the trees held now; never more than the budget. */
  get residentBytes(): number {
    return this.#trees.cost;
  }

  /** The tree if it is cached (marking it recently used), without reading anything. */
  peek(id: BlobId): Tree | undefined {
    return id === EMPTY_TREE_ID ? EMPTY_TREE : this.#trees.get(id);
  }

  /** The tree, read and decoded if it isn't cached; `keep` false leaves it out of the cache (for a walk that lets each tree go at once). */
  async tree(id: BlobId, keep = true): Promise<Tree> {
    const hit = this.peek(id);
    if (hit) return hit;
    const loc = this.blobs.get(id);
    if (!loc) throw new BackpakError("not-found", `Couldn't find tree ${id} in the index`, { hint: "run `backpak check`" });
    if (loc.type !== "tree") throw new BackpakError("corrupt", `Blob ${id} is a ${loc.type}, not a tree`);
    this.decoded++;
    log.debug(`Decoding tree ${id} of pack ${loc.pack}`);
    const bytes = await this.#frames.chunk(id);
    const found = decodeTree(bytes, `tree ${id}`);
    if (keep) this.#trees.set(id, found, decodedTreeBytes(bytes.length));
    return found;
  }
}

/** The error for a tree found beneath itself. */
export const cycle = (id: BlobId): BackpakError =>
  new BackpakError("corrupt", `Cycle detected! Tree ${id} contains itself`, { hint: "run `backpak check` to find the snapshots that use it" });

/** All trees reachable from `root`, by ID. */
export type Forest = ReadonlyMap<BlobId, Tree>;

/** Told of a tree that couldn't be read: its ID, the names leading to it from the root (none for the root itself), and why. */
export type OnUnreadableTree = (id: BlobId, names: readonly string[], err: unknown) => void;

/**
 * Every tree reachable from `root` that isn't in `seen` yet, with its ID, each once, depth first on
 * an explicit stack (a tree nested 10,000 deep costs heap, not call stack); `seen` gets every tree
 * visited, so sharing it across calls visits a tree shared by several roots once. A tree that
 * contains itself is reported, not followed forever. With `onUnreadable`, a tree that can't be
 * read is handed to it (with the first path that reaches it) and left out with everything beneath
 * it, and the walk goes on, so one pass finds every unreadable tree.
 */
export async function* distinctTrees(root: BlobId, trees: TreeSource, seen: Set<BlobId> = new Set(), onUnreadable?: OnUnreadableTree): AsyncGenerator<[BlobId, Tree]> {
  if (seen.has(root)) return;
  /** The trees on the current branch, which a subtree must not be one of. */
  const onBranch = new Set<BlobId>();
  const stack: { readonly id: BlobId; readonly subtrees: (readonly [string, BlobId])[]; next: number }[] = [];
  /** names[i]: the entry that leads from stack[i] to stack[i + 1]. */
  const names: string[] = [];
  /** The tree, pushed on the stack; undefined when it couldn't be read (and `onUnreadable` was told). */
  const enter = async (id: BlobId, name: string | undefined): Promise<[BlobId, Tree] | undefined> => {
    let tree: Tree;
    try {
      tree = await trees.tree(id);
    } catch (err) {
      if (!onUnreadable) throw err;
      seen.add(id);
      onUnreadable(id, name === undefined ? [] : [...names, name], err);
      return undefined;
    }
    seen.add(id);
    onBranch.add(id);
    const subtrees: (readonly [string, BlobId])[] = [];
    for (const [n, node] of tree) if (node.contents.kind === "dir") subtrees.push([n, node.contents.tree]);
    stack.push({ id, subtrees, next: 0 });
    if (name !== undefined) names.push(name);
    return [id, tree];
  };
  const first = await enter(root, undefined);
  if (first) yield first;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.subtrees.length) {
      stack.pop();
      names.pop();
      onBranch.delete(top.id);
      continue;
    }
    const [name, sub] = top.subtrees[top.next++]!;
    if (onBranch.has(sub)) throw cycle(sub);
    if (seen.has(sub)) continue;
    const entered = await enter(sub, name);
    if (entered) yield entered;
  }
}

/** The tree `id` from a loaded forest (a missing one is a bug: forests are loaded whole). */
export function forestTree(forest: Forest, id: BlobId): Tree {
  const t = forest.get(id);
  if (!t) throw new BackpakError("internal", `Missing tree ${id}`);
  return t;
}
