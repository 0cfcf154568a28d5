/**
 * `check`'s pass over each snapshot's trees: one walk, children before parents, reads each tree
 * the check hasn't met before once, noting what is wrong with its file entries and, per tree,
 * whether anything beneath it needs a chunk that can't be read or is a tree that can't be read.
 * Only a snapshot where something is wrong is walked again, and only down the branches that lead
 * to it: to name the unreadable trees by path, the chunks no index lists, and the files that need
 * an unreadable chunk.
 */
import type { BlobId } from "../format/id.ts";
import { EMPTY_TREE_ID, type Tree } from "../format/tree.ts";
import { EventGcSchedule } from "../pipeline/gc-schedule.ts";
import { type BlobLookup, cycle, distinctTrees, fileChunksProblem, type OnUnreadableTree, streamTree, type TreeSource } from "../repo/index.ts";

/** A file (its path as `ls` shows it) and why it can't be restored: what the first unreadable chunk it needs is, e.g. "broken pack <id>". */
export interface PackUser {
  readonly path: string;
  readonly needs: string;
}

/** Flags of a tree: a file beneath it needs a chunk that can't be read; a tree beneath it (or it) can't be read; being walked. */
const AFFECTED = 1;
const UNREADABLE = 2;
const PENDING = 4;

const NO_TREE: Tree = new Map();

/**
 * How far the walk lets the heap grow past what its last full collection left. Left to itself,
 * the runtime let the decoded trees the cache had let go of (old by then) pile up: after
 * `--read-packs` had run the workers, walking a million files took the peak RSS from 260 to
 * 760 MB. At 48 MB the walk made 11 full collections and peaked at 250 MB, at 96 MB 6 and 290 MB,
 * below what reading the packs peaks at.
 */
const WALK_HEAP_GROWTH = 96 << 20;

export class CheckTrees {
  /** Per tree met so far: its flags (PENDING while a walk is in it, or if that walk stopped at a cycle). */
  readonly #flags = new Map<BlobId, number>();
  /** The trees that couldn't be read, and why. */
  readonly #unreadable = new Map<BlobId, unknown>();
  /** Collects the walk's garbage, one tick per file or directory entry (see WALK_HEAP_GROWTH). */
  readonly #gc = new EventGcSchedule(WALK_HEAP_GROWTH);

  /** `lost` says why a chunk can't be read, or undefined when it can. */
  constructor(
    readonly trees: TreeSource,
    readonly blobs: BlobLookup,
    readonly lost: (chunk: BlobId) => string | undefined,
  ) {}

  /**
   * Walks the trees under `root` that no earlier walk finished, each once: what is wrong with
   * each new tree's file entries goes to `onProblem`. A tree that contains itself is an error.
   */
  async walk(root: BlobId, onProblem: (problem: string) => void): Promise<void> {
    if (this.#known(root) !== undefined) return;
    /** The trees on the current branch, with their subtrees and the flags gathered so far. */
    const stack: { readonly id: BlobId; readonly subtrees: BlobId[]; next: number; flags: number }[] = [];
    const onBranch = new Set<BlobId>();
    /** Pushes the tree; false if it couldn't be read. */
    const enter = async (id: BlobId): Promise<boolean> => {
      const checked = this.#flags.get(id) === PENDING; // a walk stopped by a cycle reported its problems
      this.#flags.set(id, PENDING);
      let tree: Tree;
      try {
        tree = await this.trees.tree(id);
      } catch (err) {
        this.#unreadable.set(id, err);
        this.#flags.set(id, UNREADABLE);
        return false;
      }
      const subtrees: BlobId[] = [];
      let flags = 0;
      for (const [name, node] of tree) {
        this.#gc.tick();
        const c = node.contents;
        if (c.kind === "dir") subtrees.push(c.tree);
        else if (c.kind === "file") {
          if (this.#lostOf(c.chunks) !== undefined) flags |= AFFECTED;
          const problem = checked ? undefined : fileChunksProblem(node, this.blobs);
          if (problem !== undefined) onProblem(`tree ${id}: file ${JSON.stringify(name)}: ${problem}`);
        }
      }
      stack.push({ id, subtrees, next: 0, flags });
      onBranch.add(id);
      return true;
    };
    if (!(await enter(root))) return;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next === top.subtrees.length) {
        stack.pop();
        onBranch.delete(top.id);
        this.#flags.set(top.id, top.flags);
        if (stack.length > 0) stack[stack.length - 1]!.flags |= top.flags;
        continue;
      }
      const sub = top.subtrees[top.next++]!;
      if (onBranch.has(sub)) throw cycle(sub);
      const known = this.#known(sub);
      if (known !== undefined) top.flags |= known;
      else if (!(await enter(sub))) top.flags |= UNREADABLE;
    }
  }

  /** Whether something under `root` (walked) can't be read: a tree, or a chunk a file needs. */
  damaged(root: BlobId): { unreadableTrees: boolean; unreadableChunks: boolean } {
    const flags = this.#known(root) ?? 0;
    return { unreadableTrees: (flags & UNREADABLE) !== 0, unreadableChunks: (flags & AFFECTED) !== 0 };
  }

  /** Hands each tree under `root` (walked) that couldn't be read to `on`, once, with the first path that reaches it. */
  async unreadableTrees(root: BlobId, on: OnUnreadableTree): Promise<void> {
    const source: TreeSource = {
      tree: (id) => {
        if (this.#unreadable.has(id)) return Promise.reject(this.#unreadable.get(id));
        return (this.#known(id)! & UNREADABLE) !== 0 ? this.trees.tree(id) : Promise.resolve(NO_TREE);
      },
    };
    const walk = distinctTrees(root, source, new Set(), on);
    while (!(await walk.next()).done);
  }

  /** The chunks files under `root` (walked) need that no index lists. */
  async unlistedChunks(root: BlobId): Promise<Set<BlobId>> {
    const unlisted = new Set<BlobId>();
    for await (const [, tree] of distinctTrees(root, this.#affectedOnly())) {
      for (const node of tree.values()) if (node.contents.kind === "file") for (const c of node.contents.chunks) if (!this.blobs.has(c)) unlisted.add(c);
    }
    return unlisted;
  }

  /** Every file under `root` (walked) that needs an unreadable chunk, in path order, as the walk finds them. */
  async *files(root: BlobId): AsyncGenerator<PackUser> {
    if (((this.#known(root) ?? 0) & AFFECTED) === 0) return;
    for await (const [path, node] of streamTree("", this.#affectedOnly(), root)) {
      if (node.contents.kind !== "file") continue;
      const needs = this.#lostOf(node.contents.chunks);
      if (needs !== undefined) yield { path, needs };
    }
  }

  /** The trees with a file beneath them needing an unreadable chunk; the others (and those that can't be read) as if empty. */
  #affectedOnly(): TreeSource {
    return {
      tree: (id) => (!this.#unreadable.has(id) && (this.#known(id)! & AFFECTED) !== 0 ? this.trees.tree(id) : Promise.resolve(NO_TREE)),
    };
  }

  /** The flags of a tree a walk finished, or undefined. */
  #known(id: BlobId): number | undefined {
    if (id === EMPTY_TREE_ID) return 0;
    const flags = this.#flags.get(id);
    return flags === PENDING ? undefined : flags;
  }

  #lostOf(chunks: readonly BlobId[]): string | undefined {
    for (const c of chunks) {
      const why = this.lost(c);
      if (why !== undefined) return why;
    }
    return undefined;
  }
}
