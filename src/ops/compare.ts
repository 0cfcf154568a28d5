/**
 * Compares two trees node by node (shared by diff, restore and `snapshots --stat`): names only in
 * the new tree are added, only in the old removed; files and symlinks differ in contents or
 * metadata; directories compare their contents first, then their own metadata; a change of kind is a
 * removal followed by an addition.
 */
import type { BlobId } from "../format/id.ts";
import { contentsEqual, metadataEqual, metadataKind, type Node, type NodeKind, type Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { compareUtf8 } from "../lib/order.ts";
import { yieldPoint } from "../lib/yield-point.ts";
import { EventGcSchedule } from "../pipeline/gc-schedule.ts";
import { treeOf, type Trees } from "../repo/index.ts";

export interface CompareCallbacks {
  /** `trees` holds the trees beneath `node`. */
  added(path: string, node: Node, trees: Trees): Promise<void>;
  /** `node` itself added, without what lies beneath it (a caller walking an addition reports each path as it reaches it); `added` with the node alone when absent. */
  addedAlone?(path: string, node: Node): void;
  removed(path: string, node: Node, trees: Trees): Promise<void>;
  /** A file's chunks or a symlink's target changed (never called for directories). */
  contentsChanged(path: string, oldNode: Node, newNode: Node): Promise<void>;
  metadataChanged(path: string, oldNode: Node, newNode: Node): Promise<void>;
  /** The kind changed; by default, a removal then an addition. */
  typeChanged?(path: string, oldNode: Node, oldTrees: Trees, newNode: Node, newTrees: Trees): Promise<void>;
}

/** The node's kind, checking its content key agrees with its metadata (`path` names it if not). */
function nodeKind(node: Node, path: () => string): Exclude<NodeKind, "unsupported"> {
  const byMeta = metadataKind(node.metadata);
  if (byMeta !== node.contents.kind) {
    throw new BackpakError("corrupt", `${path()} is stored as a ${node.contents.kind} but its metadata says ${byMeta}`);
  }
  return node.contents.kind;
}

/** A pair of directories being compared: their trees, their merged names, and the nodes whose metadata is compared once everything beneath them has been. */
interface Frame {
  readonly t1: Tree;
  readonly t2: Tree;
  readonly names: string[];
  next: number;
  readonly nodes: readonly [Node, Node] | undefined;
}

/**
 * Compares the trees `oldSide` and `newSide` (IDs and where their trees are), whose own path is
 * `dir`, on an explicit stack: depth costs heap, not call stack, and only the pairs of directories
 * on the current branch are held. Frames keep names; a path is joined only when a callback gets it.
 */
export async function compareTrees(oldSide: readonly [BlobId, Trees], newSide: readonly [BlobId, Trees], dir: string, cb: CompareCallbacks): Promise<void> {
  const [, fa] = oldSide;
  const [, fb] = newSide;
  const frame = async (id1: BlobId, id2: BlobId, nodes: readonly [Node, Node] | undefined): Promise<Frame> => {
    const t1 = await treeOf(fa, id1);
    const t2 = await treeOf(fb, id2);
    return { t1, t2, names: [...new Set([...t1.keys(), ...t2.keys()])].sort(compareUtf8), next: 0, nodes };
  };
  const stack = [await frame(oldSide[0], newSide[0], undefined)];
  // Left to the runtime, the trees decoded and let go of piled up: diff of a million files against
  // the disk peaked 340 MB above where its walk had.
  const gc = new EventGcSchedule();
  /** names[i]: the directory stack[i + 1] compares. */
  const names: string[] = [];
  const pathOf = (...more: string[]): string => (dir === "" ? [...names, ...more] : [dir, ...names, ...more]).join("/");
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.names.length) {
      stack.pop();
      if (top.nodes && !metadataEqual(top.nodes[0].metadata, top.nodes[1].metadata)) await cb.metadataChanged(pathOf(), top.nodes[0], top.nodes[1]);
      names.pop();
      continue;
    }
    await yieldPoint();
    gc.tick();
    const name = top.names[top.next++]!;
    // Joined only for a callback or an error: unchanged entries cost no path.
    const path = (): string => pathOf(name);
    const a = top.t1.get(name);
    const b = top.t2.get(name);
    if (!a) await cb.added(path(), b!, fb);
    else if (!b) await cb.removed(path(), a, fa);
    else if (nodeKind(a, path) !== nodeKind(b, path)) {
      if (cb.typeChanged) await cb.typeChanged(path(), a, fa, b, fb);
      else {
        await cb.removed(path(), a, fa);
        await cb.added(path(), b, fb);
      }
    } else if (a.contents.kind === "dir" && b.contents.kind === "dir") {
      if (!contentsEqual(a.contents, b.contents)) {
        stack.push(await frame(a.contents.tree, b.contents.tree, [a, b]));
        names.push(name);
      } else if (!metadataEqual(a.metadata, b.metadata)) await cb.metadataChanged(path(), a, b);
    } else if (!contentsEqual(a.contents, b.contents)) await cb.contentsChanged(path(), a, b);
    else if (!metadataEqual(a.metadata, b.metadata)) await cb.metadataChanged(path(), a, b);
  }
}
