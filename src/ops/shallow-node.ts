/**
 * A node reported on its own, without what lies beneath it: a directory as an empty one, with its
 * own metadata. A walk that reports each path as it reaches it hands the reporter these, so the
 * reporter doesn't walk the subtree again.
 */
import { EMPTY_TREE_ID, type Node, type Tree } from "../format/tree.ts";
import type { Forest } from "../repo/index.ts";

/** The one tree a shallow node refers to. */
export const SHALLOW_TREES: Forest = new Map<typeof EMPTY_TREE_ID, Tree>([[EMPTY_TREE_ID, new Map()]]);

/** `node` itself, a directory without its contents. */
export const shallow = (node: Node): Node => (node.contents.kind === "dir" ? { contents: { kind: "dir", tree: EMPTY_TREE_ID }, metadata: node.metadata } : node);
