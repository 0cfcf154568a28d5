/**
 * How much data snapshots hold and how much each one brought: walking snapshots oldest first with
 * one set of blobs seen, a blob counts as new the first time and reused after. Trees count every
 * time they are referenced. The empty tree, never packed, counts its one byte (backpak failed
 * to size snapshots holding an empty directory).
 */
import type { BlobId } from "../format/id.ts";
import { EMPTY_TREE_ID, type Node, type Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { EventGcSchedule } from "../pipeline/gc-schedule.ts";
import { type BlobLookup, streamFold, streamTree, type Trees } from "../repo/index.ts";
import { NewFiles } from "./new-files.ts";

export interface FileSize {
  introduced: number;
  reused: number;
}

export interface ForestSizes {
  treeBytes: number;
  chunkBytes: number;
  introduced: number;
  reused: number;
  /**
   * The files that brought new data (tree-relative paths and sizes), empty unless asked for: each
   * holds a chunk first seen here, so there are no more of them than new chunks, however many
   * paths the snapshot expands to.
   */
  readonly newFiles: NewFiles;
  /** What the file `node` at `path` (a path of this snapshot) brought and reused; undefined for a file without data. Needs `newFiles`. */
  readonly fileSize: (path: string, node: Node) => FileSize | undefined;
}

/** The blobs met so far, across snapshots (a BlobMarks beside the master index; a Set in tests). */
export interface SeenBlobs {
  has(id: BlobId): boolean;
  add(id: BlobId): unknown;
}

/** Tree and chunk bytes of everything beneath a tree, counting each path. */
interface Totals {
  readonly trees: number;
  readonly chunks: number;
}

/**
 * Sizes of the snapshot `root`. A subtree seen before (in this snapshot or an earlier one) holds
 * only blobs seen before, so it is counted as reused whole from its totals, computed once per
 * distinct tree: shared subtrees cost one visit however many paths they expand to. Trees are read
 * as the walk reaches them (through a bounded cache, so a snapshot's trees are never held whole).
 * With `perFile`, the files that bring new data are named as the walk meets them.
 */
export async function forestSizes(root: BlobId, trees: Trees, blobs: BlobLookup, seen: SeenBlobs, opts: { readonly perFile: boolean }): Promise<ForestSizes> {
  const size = (id: BlobId, what: string): number => {
    if (id === EMPTY_TREE_ID) return 1;
    const length = blobs.lengthOf ? blobs.lengthOf(id) : blobs.get(id)?.length;
    if (length === undefined) throw new BackpakError("corrupt", `Couldn't find ${what} ${id} to get size`, { hint: "run `backpak check`" });
    return length;
  };
  const newFiles = new NewFiles();
  const fileSize = (path: string, node: Node): FileSize | undefined => {
    if (node.contents.kind !== "file" || node.contents.chunks.length === 0) return undefined;
    const brought = newFiles.get(path);
    if (brought) return brought;
    let reused = 0;
    for (const chunk of node.contents.chunks) reused += size(chunk, "chunk");
    return { introduced: 0, reused };
  };
  const s: ForestSizes = { treeBytes: 0, chunkBytes: 0, introduced: 0, reused: 0, newFiles, fileSize };
  const count = (id: BlobId, n: number): boolean => {
    const fresh = !seen.has(id);
    seen.add(id);
    if (fresh) s.introduced += n;
    else s.reused += n;
    return fresh;
  };
  const totals = new Map<BlobId, Totals>();
  const totalsOf = (tree: Tree, sub: (id: BlobId) => Totals): Totals => {
    let trees = 0;
    let chunks = 0;
    for (const node of tree.values()) {
      const c = node.contents;
      if (c.kind === "dir") {
        const t = sub(c.tree);
        trees += size(c.tree, "tree") + t.trees;
        chunks += t.chunks;
      } else if (c.kind === "file") for (const chunk of c.chunks) chunks += size(chunk, "chunk");
    }
    return { trees, chunks };
  };
  /** Set when the directory just met was counted whole, so the walk leaves out its contents. */
  let countedWhole = false;
  const countTree = async (id: BlobId): Promise<void> => {
    if (seen.has(id)) {
      const t = await streamFold(id, trees, totalsOf, totals);
      const all = size(id, "tree") + t.trees + t.chunks;
      s.treeBytes += size(id, "tree") + t.trees;
      s.chunkBytes += t.chunks;
      s.reused += all;
      countedWhole = true;
      return;
    }
    const ts = size(id, "tree");
    s.treeBytes += ts;
    count(id, ts);
  };
  await countTree(root);
  if (countedWhole) return s;
  // Left to the runtime, the walk's garbage grew the peak RSS by 240 MB on a million files.
  const gc = new EventGcSchedule();
  for await (const [path, node] of streamTree("", trees, root, { skip: () => countedWhole })) {
    gc.tick();
    countedWhole = false;
    const c = node.contents;
    if (c.kind === "dir") await countTree(c.tree);
    else if (c.kind === "file" && c.chunks.length > 0) {
      const f: FileSize = { introduced: 0, reused: 0 };
      for (const chunk of c.chunks) {
        const n = size(chunk, "chunk");
        s.chunkBytes += n;
        if (count(chunk, n)) f.introduced += n;
        else f.reused += n;
      }
      if (opts.perFile && f.introduced > 0) newFiles.add(path, f);
    }
  }
  return s;
}
