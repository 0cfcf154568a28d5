/** Text lines for nodes and trees as ls, diff and restore print them: dirs end in `/`, symlinks show ` -> target`. */
import type { Node, NodeMetadata } from "../format/tree.ts";

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
