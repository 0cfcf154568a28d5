/**
 * Walks the paths beneath a node, depth first with names in byte order, on an explicit stack: a
 * tree nested 10,000 deep costs heap for its 10,000 frames, never call stack, and each step costs
 * the same however deep it is. Paths are yielded as they are met, so a caller that streams them
 * holds only the current branch. Trees are read one directory at a time as the walk reaches them
 * (`streamTree`, `streamNode`), from a source or a loaded forest; a tree that contains itself is
 * reported, not followed forever.
 */
import type { BlobId } from "../format/id.ts";
import { sortedEntries, type Node, type Tree } from "../format/tree.ts";
import { cycle, forestTree, type Forest, type TreeSource } from "./tree-cache.ts";

/** A step: a node at its path; with `exits`, a directory comes again (`exit` true) after everything beneath it. */
export type WalkStep = readonly [path: string, node: Node, exit: boolean];

export interface WalkOptions {
  /** Yield each directory again after everything beneath it. */
  readonly exits?: boolean;
  /** True for a directory whose contents are left out (it is still yielded, but has no exit step). */
  readonly skip?: (node: Node) => boolean;
}

/** Trees a walk reads: a loaded forest, or a source read as the walk goes. */
export type Trees = Forest | TreeSource;

/** The tree `id` from either kind of `Trees`: at once when it is at hand, else once it is read. */
export function treeOf(trees: Trees, id: BlobId): Tree | Promise<Tree> {
  if (trees instanceof Map) return forestTree(trees, id);
  const source = trees as TreeSource;
  return source.peek?.(id) ?? source.tree(id);
}

/** What the walk's core yields: a step, or the ID of a tree it needs (sent back into it). */
type Yielded = WalkStep | BlobId;
type Core = Generator<Yielded, void, Tree>;

interface Frame {
  /** The directory's node (undefined for the tree a walk starts from, which has no exit step). */
  readonly node: Node | undefined;
  readonly tree: BlobId;
  readonly entries: [string, Node][];
  next: number;
}

/** Every path beneath the tree `id`, whose own path is `dir` ("" for a root), each tree read when the walk reaches it. */
export function streamTree(dir: string, trees: Trees, id: BlobId, opts: WalkOptions = {}): AsyncGenerator<WalkStep> {
  return fromSource(walk(dir, undefined, id, opts), trees);
}

/** The node at `path`, then (for a directory) every path beneath it, each tree read when the walk reaches it. */
export async function* streamNode(path: string, node: Node, trees: Trees, opts: WalkOptions = {}): AsyncGenerator<WalkStep> {
  yield [path, node, false];
  if (node.contents.kind === "dir" && !opts.skip?.(node)) yield* fromSource(walk(path, node, node.contents.tree, opts), trees);
}

async function* fromSource(core: Core, trees: Trees): AsyncGenerator<WalkStep> {
  for (let r = core.next(); !r.done; ) {
    if (typeof r.value === "string") r = core.next(await treeOf(trees, r.value));
    else {
      yield r.value;
      r = core.next();
    }
  }
}

/**
 * The walk itself, asking for each tree by yielding its ID. Frames keep names, not paths: a path
 * is joined only when it is yielded, so a deep branch holds one name per level instead of one
 * ever-longer string per level.
 */
function* walk(prefix: string, node: Node | undefined, id: BlobId, { exits = false, skip }: WalkOptions): Core {
  const stack: Frame[] = [{ node, tree: id, entries: sortedEntries(yield id), next: 0 }];
  /** The trees on the current branch, which a subtree must not be one of. */
  const onBranch = new Set<BlobId>([id]);
  /** names[i]: the directory stack[i + 1] lists. */
  const names: string[] = [];
  const pathOf = (...more: string[]): string => (prefix === "" ? [...names, ...more] : [prefix, ...names, ...more]).join("/");
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.entries.length) {
      stack.pop();
      onBranch.delete(top.tree);
      if (exits && top.node) yield [pathOf(), top.node, true];
      names.pop();
      continue;
    }
    const [name, child] = top.entries[top.next++]!;
    yield [pathOf(name), child, false];
    if (child.contents.kind === "dir" && !skip?.(child)) {
      const sub = child.contents.tree;
      if (onBranch.has(sub)) throw cycle(sub);
      stack.push({ node: child, tree: sub, entries: sortedEntries(yield sub), next: 0 });
      onBranch.add(sub);
      names.push(name);
    }
  }
}
