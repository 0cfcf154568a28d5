/**
 * Compares two trees node by node (shared by diff, restore and `snapshots --stat`): names only in
 * the new tree are added, only in the old removed; files and symlinks differ in contents or
 * metadata; directories recurse first, then compare their own metadata; a change of kind is a
 * removal followed by an addition.
 */
import type { BlobId } from "../format/id.ts";
import { contentsEqual, metadataEqual, metadataKind, type Node, type NodeKind } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { compareUtf8 } from "../lib/order.ts";
import { yieldPoint } from "../lib/yield-point.ts";
import { forestTree, type Forest } from "../repo/tree-cache.ts";

export interface CompareCallbacks {
  added(path: string, node: Node, forest: Forest): Promise<void>;
  removed(path: string, node: Node, forest: Forest): Promise<void>;
  /** A file's chunks or a symlink's target changed (never called for directories). */
  contentsChanged(path: string, oldNode: Node, newNode: Node): Promise<void>;
  metadataChanged(path: string, oldNode: Node, newNode: Node): Promise<void>;
  /** The kind changed; by default, a removal then an addition. */
  typeChanged?(path: string, oldNode: Node, oldForest: Forest, newNode: Node, newForest: Forest): Promise<void>;
}

/** The node's kind, checking its content key agrees with its metadata. */
export function nodeKind(node: Node, path: string): Exclude<NodeKind, "unsupported"> {
  const byMeta = metadataKind(node.metadata);
  if (byMeta !== node.contents.kind) {
    throw new BackpakError("corrupt", `${path} is stored as a ${node.contents.kind} but its metadata says ${byMeta}`);
  }
  return node.contents.kind;
}

const join = (dir: string, name: string): string => (dir === "" ? name : `${dir}/${name}`);

export async function compareTrees(oldSide: [BlobId, Forest], newSide: [BlobId, Forest], dir: string, cb: CompareCallbacks): Promise<void> {
  const t1 = forestTree(oldSide[1], oldSide[0]);
  const t2 = forestTree(newSide[1], newSide[0]);
  const names = [...new Set([...t1.keys(), ...t2.keys()])].sort(compareUtf8);
  for (const name of names) {
    await yieldPoint();
    const path = join(dir, name);
    const a = t1.get(name);
    const b = t2.get(name);
    if (!a) await cb.added(path, b!, newSide[1]);
    else if (!b) await cb.removed(path, a, oldSide[1]);
    else await compareNodes(a, oldSide[1], b, newSide[1], path, cb);
  }
}

async function compareNodes(a: Node, fa: Forest, b: Node, fb: Forest, path: string, cb: CompareCallbacks): Promise<void> {
  const ka = nodeKind(a, path);
  const kb = nodeKind(b, path);
  if (ka !== kb) {
    if (cb.typeChanged) await cb.typeChanged(path, a, fa, b, fb);
    else {
      await cb.removed(path, a, fa);
      await cb.added(path, b, fb);
    }
    return;
  }
  if (ka === "dir") {
    if (!contentsEqual(a.contents, b.contents)) {
      await compareTrees([(a.contents as { tree: BlobId }).tree, fa], [(b.contents as { tree: BlobId }).tree, fb], path, cb);
    }
    if (!metadataEqual(a.metadata, b.metadata)) await cb.metadataChanged(path, a, b);
    return;
  }
  if (!contentsEqual(a.contents, b.contents)) await cb.contentsChanged(path, a, b);
  else if (!metadataEqual(a.metadata, b.metadata)) await cb.metadataChanged(path, a, b);
}
