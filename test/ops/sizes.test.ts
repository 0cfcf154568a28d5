/**
 * `snapshots --file-sizes` and `--stat` sizes over a forest whose shared subtrees expand to 2^17
 * paths: what is kept per snapshot is one entry per file that brought new data (not one per path),
 * the sums match those computed without per-file sizes, and any file's sizes can still be asked for.
 */
import { expect, test } from "bun:test";
import type { BlobId, PackId } from "../../src/format/id.ts";
import { decodeTree, type Node, type Tree } from "../../src/format/tree.ts";
import type { BlobLocation } from "../../src/repo/blob-table.ts";
import { forestSizes, type ForestSizes } from "../../src/ops/sizes.ts";
import { blobId, dirNode, fileNode, treeOf } from "../helpers/craft-repo.ts";

const LEVELS = 17;
const PACK = "p".repeat(45) as PackId;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Trees and chunks by ID, with their index entries. */
function world(): { forest: Map<BlobId, Tree>; blobs: Map<BlobId, BlobLocation>; root: (entries: Record<string, Node>) => BlobId } {
  const forest = new Map<BlobId, Tree>();
  const blobs = new Map<BlobId, BlobLocation>();
  const tree = (entries: Record<string, Node>): BlobId => {
    const encoded = treeOf(entries);
    const id = blobId(encoded);
    forest.set(id, decodeTree(encoded, "test tree"));
    blobs.set(id, { pack: PACK, type: "tree", length: encoded.length });
    return id;
  };
  return { forest, blobs, root: tree };
}

test("file sizes keep one entry per file that brought data, not per path, and agree with the plain sums", async () => {
  const { forest, blobs, root: tree } = world();
  const chunk = (text: string): Uint8Array => {
    const b = bytes(text);
    blobs.set(blobId(b), { pack: PACK, type: "chunk", length: b.length });
    return b;
  };
  const leaf = chunk("the one file every path below shares");
  // Level i holds a and b, both the tree of level i - 1: 2^17 paths to the same file.
  let shared = tree({ f: fileNode([leaf]) });
  for (let i = 0; i < LEVELS; i++) shared = tree({ a: dirNode(shared), b: dirNode(shared) });
  const first = tree({ top: dirNode(shared), "new.txt": fileNode([chunk("brought by the first snapshot")]) });
  const added = fileNode([chunk("brought by the second")]);
  const second = tree({ top: dirNode(shared), "other.txt": added });

  const seen = new Set<BlobId>();
  const plainSeen = new Set<BlobId>();
  const sized = [await forestSizes(first, forest, blobs, seen, { perFile: true }), await forestSizes(second, forest, blobs, seen, { perFile: true })];
  const plain = [await forestSizes(first, forest, blobs, plainSeen, { perFile: false }), await forestSizes(second, forest, blobs, plainSeen, { perFile: false })];

  const deepest = ["top", ...Array<string>(LEVELS).fill("a"), "f"].join("/");
  const paths = (s: ForestSizes): string[] => Array.from({ length: s.newFiles.size }, (_, i) => s.newFiles.path(i));
  expect(paths(sized[0]!).sort()).toEqual(["new.txt", deepest]);
  expect(paths(sized[1]!)).toEqual(["other.txt"]);
  for (const [i, s] of sized.entries()) {
    const { treeBytes, chunkBytes, introduced, reused } = s;
    expect({ treeBytes, chunkBytes, introduced, reused }).toEqual({ treeBytes: plain[i]!.treeBytes, chunkBytes: plain[i]!.chunkBytes, introduced: plain[i]!.introduced, reused: plain[i]!.reused });
  }
  // Every one of the 2^17 paths is counted.
  expect(sized[0]!.chunkBytes).toBe(2 ** LEVELS * leaf.length + "brought by the first snapshot".length);

  // Any other file's sizes: all of it reused.
  const elsewhere = ["top", ...Array<string>(LEVELS).fill("b"), "f"].join("/");
  expect(sized[1]!.fileSize(elsewhere, fileNode([leaf]))).toEqual({ introduced: 0, reused: leaf.length });
  expect(sized[1]!.fileSize("other.txt", added)).toEqual({ introduced: "brought by the second".length, reused: 0 });
  expect(sized[1]!.fileSize("empty", fileNode([]))).toBeUndefined();
});
