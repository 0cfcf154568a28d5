/**
 * `snapshots --file-sizes` keeps the files that brought new data compactly: not a path string and
 * an object each (a million of them took 130 MB that way), but a few arrays for all of them.
 */
import { fullGC, heapStats } from "bun:jsc";
import { expect, test } from "bun:test";
import type { BlobId, PackId } from "../../src/format/id.ts";
import type { Node, Tree } from "../../src/format/tree.ts";
import type { BlobLocation } from "../../src/repo/blob-table.ts";
import { forestSizes } from "../../src/ops/sizes.ts";

const DIRS = 200;
const FILES = 1000;
const PACK = "p".repeat(45) as PackId;
const meta = { type: "posix", mode: 0o100644, uid: 0, gid: 0, atime: 0n, mtime: 0n } as const;

/** Objects (strings too) alive. */
function liveObjects(): number {
  fullGC();
  return heapStats().objectCount;
}

test("200,000 files with new data are held in a few objects, and listed with their paths", async () => {
  const trees = new Map<BlobId, Tree>();
  const blobs = new Map<BlobId, BlobLocation>();
  const root = new Map<string, Node>();
  for (let d = 0; d < DIRS; d++) {
    const dir = new Map<string, Node>();
    for (let f = 0; f < FILES; f++) {
      const chunk = `chunk-${d}-${f}` as BlobId;
      blobs.set(chunk, { pack: PACK, type: "chunk", length: 100 });
      dir.set(`file-${String(f).padStart(6, "0")}.txt`, { contents: { kind: "file", chunks: [chunk] }, metadata: { ...meta, size: 100 } });
    }
    const id = `tree-${d}` as BlobId;
    trees.set(id, dir);
    blobs.set(id, { pack: PACK, type: "tree", length: 1000 });
    root.set(`dir-${String(d).padStart(3, "0")}`, { contents: { kind: "dir", tree: id }, metadata: { ...meta, mode: 0o40755 } });
  }
  trees.set("root" as BlobId, root);
  blobs.set("root" as BlobId, { pack: PACK, type: "tree", length: 1000 });
  // Every chunk is new, and nothing is remembered of them but the file list.
  const seen = { has: () => false, add: () => undefined };

  const before = liveObjects();
  const sizes = await forestSizes("root" as BlobId, trees, blobs, seen, { perFile: true });
  // As a map of path strings to size objects they were 400,000 objects.
  expect(liveObjects() - before).toBeLessThan(10_000);
  expect(sizes.newFiles.size).toBe(DIRS * FILES);
  expect(sizes.newFiles.path(DIRS * FILES - 1)).toBe("dir-199/file-000999.txt");
  expect(sizes.fileSize("dir-007/file-000042.txt", trees.get("tree-7" as BlobId)!.get("file-000042.txt")!)).toEqual({ introduced: 100, reused: 0 });
});
