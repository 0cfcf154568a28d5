/**
 * Walks the paths beneath a node of a loaded forest, depth first with names in byte order, on an
 * explicit stack: a tree nested 10,000 deep costs heap for its 10,000 frames, never call stack,
 * and each step costs the same however deep it is. Paths are yielded as they are met, so a
 * caller that streams them holds only the current branch.
 */
import type { BlobId } from "../format/id.ts";
import { sortedEntries, type Node } from "../format/tree.ts";
import { forestTree, type Forest } from "./tree-cache.ts";

/** A step: a node at its path; with `exits`, a directory comes again (`exit` true) after everything beneath it. */
export type WalkStep = readonly [path: string, node: Node, exit: boolean];

export interface WalkOptions {
  /** Yield each directory again after everything beneath it. */
  readonly exits?: boolean;
  /** True for a directory whose contents are left out (it is still yielded, but has no exit step). */
  readonly skip?: (node: Node) => boolean;
}

interface Frame {
  /** The directory's node (undefined for the tree a walk starts from, which has no exit step). */
  readonly node: Node | undefined;
  readonly entries: [string, Node][];
  next: number;
}

/** Every path beneath the tree `id`, whose own path is `dir` ("" for a root). */
export function* walkTree(dir: string, forest: Forest, id: BlobId, opts: WalkOptions = {}): Generator<WalkStep> {
  yield* walk(dir, { node: undefined, entries: sortedEntries(forestTree(forest, id)), next: 0 }, forest, opts);
}

/** The node at `path`, then (for a directory) every path beneath it. */
export function* walkNode(path: string, node: Node, forest: Forest, opts: WalkOptions = {}): Generator<WalkStep> {
  yield [path, node, false];
  if (node.contents.kind === "dir" && !opts.skip?.(node)) yield* walk(path, { node, entries: sortedEntries(forestTree(forest, node.contents.tree)), next: 0 }, forest, opts);
}

/**
 * The walk itself. Frames keep names, not paths: a path is joined only when it is yielded, so a
 * deep branch holds one name per level instead of one ever-longer string per level.
 */
function* walk(prefix: string, first: Frame, forest: Forest, { exits = false, skip }: WalkOptions): Generator<WalkStep> {
  const stack = [first];
  /** names[i]: the directory stack[i + 1] lists. */
  const names: string[] = [];
  const pathOf = (...more: string[]): string => (prefix === "" ? [...names, ...more] : [prefix, ...names, ...more]).join("/");
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.entries.length) {
      stack.pop();
      if (exits && top.node) yield [pathOf(), top.node, true];
      names.pop();
      continue;
    }
    const [name, node] = top.entries[top.next++]!;
    yield [pathOf(name), node, false];
    if (node.contents.kind === "dir" && !skip?.(node)) {
      stack.push({ node, entries: sortedEntries(forestTree(forest, node.contents.tree)), next: 0 });
      names.push(name);
    }
  }
}
