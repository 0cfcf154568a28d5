/**
 * The trees a walk of the disk makes for diff and restore are held as their CBOR, a few objects
 * for all of them, not a map and node objects per entry: decoded, a million files' trees took diff
 * of a snapshot against its paths to a 1.4 GB peak.
 */
import { fullGC, heapStats } from "bun:jsc";
import { expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BlobId } from "../../src/format/id.ts";
import { forestFromFs } from "../../src/ops/fs-forest.ts";

const DIRS = 20;
const FILES = 500;

/** Objects (strings too) alive. */
function liveObjects(): number {
  fullGC();
  return heapStats().objectCount;
}

test("10,000 files' trees made from the disk are held in a few objects, and read back whole", async () => {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), "backpak-fs-forest-"));
  try {
    for (let d = 0; d < DIRS; d++) {
      const dir = path.join(top, `dir-${String(d).padStart(2, "0")}`);
      fs.mkdirSync(dir);
      for (let f = 0; f < FILES; f++) fs.writeFileSync(path.join(dir, `file-${String(f).padStart(4, "0")}.txt`), `${d}/${f}`);
    }
    const before = liveObjects();
    const [root, made] = await forestFromFs([top], undefined, new Map());
    // Decoded, they were a map, and a node, its contents, its metadata and a name per file: 93,000
    // objects; as CBOR, 4,000 (the worker pool's among them).
    expect(liveObjects() - before).toBeLessThan(10_000);

    const rootTree = made.get(root)!;
    const topNode = rootTree.get(path.basename(top))!;
    expect(topNode.contents.kind).toBe("dir");
    const topTree = made.get((topNode.contents as { tree: BlobId }).tree)!;
    expect([...topTree.keys()]).toEqual(Array.from({ length: DIRS }, (_, d) => `dir-${String(d).padStart(2, "0")}`));
    const sub = topTree.get("dir-07")!.contents as { tree: BlobId };
    const files = made.get(sub.tree)!;
    expect(files.size).toBe(FILES);
    expect(files.get("file-0042.txt")!.metadata.size).toBe(4);
    expect(made.get("nope" as BlobId)).toBeUndefined();
  } finally {
    fs.rmSync(top, { recursive: true, force: true });
  }
});
