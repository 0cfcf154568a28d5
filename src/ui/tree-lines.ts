/** Text lines for nodes and trees as ls, diff and restore print them: dirs end in `/`, symlinks show ` -> target`. */
import type { Node, NodeMetadata } from "../format/tree.ts";
import { compareUtf8 } from "../lib/order.ts";
import { forestTree, type Forest } from "../repo/tree-cache.ts";

/** `prefix` + path, with `/` for directories and ` -> target` for symlinks. */
export function nodeLine(prefix: string, path: string, node: Node): string {
  switch (node.contents.kind) {
    case "dir":
      return `${prefix}${path}${path.endsWith("/") ? "" : "/"}`;
    case "symlink":
      return `${prefix}${path} -> ${node.contents.target}`;
    case "file":
      return `${prefix}${path}`;
  }
}

/** Visits a node and, for directories, everything beneath it, depth first, names in byte order. */
export function* walkNode(path: string, node: Node, forest: Forest): Generator<[string, Node]> {
  yield [path, node];
  if (node.contents.kind === "dir") yield* walkTree(path, forest, node.contents.tree);
}

export function* walkTree(dir: string, forest: Forest, id: Parameters<typeof forestTree>[1]): Generator<[string, Node]> {
  const tree = forestTree(forest, id);
  for (const name of [...tree.keys()].sort(compareUtf8)) {
    yield* walkNode(dir === "" ? name : `${dir}/${name}`, tree.get(name)!, forest);
  }
}

/** The letter diff prints for a metadata change: O owner, P permissions, T mtime, A atime, M anything else. */
export function metadataLetter(a: NodeMetadata, b: NodeMetadata): string {
  if (a.type === "posix" && b.type === "posix") {
    if (a.uid !== b.uid || a.gid !== b.gid) return "O";
    if (a.mode !== b.mode) return "P";
    if (a.mtime !== b.mtime) return "T";
    if (a.atime !== b.atime) return "A";
  }
  return "M";
}
