/** The master index honours supersedes; the chunk reader and tree cache read whole packs once and verify what they return. */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { MemoryBackend } from "../../src/backend/index.ts";
import type { IndexId } from "../../src/format/id.ts";
import { EMPTY_TREE_ID, encodeTree, type Tree } from "../../src/format/tree.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { ChunkReader } from "../../src/repo/chunk-reader.ts";
import { buildIndexFile } from "../../src/repo/index-file.ts";
import { indexKey } from "../../src/repo/keys.ts";
import { loadMasterIndex } from "../../src/repo/master-index.ts";
import { TreeCache } from "../../src/repo/tree-cache.ts";
import { loadForest } from "../helpers/load-forest.ts";
import { RepoWriter } from "../../src/repo/writer.ts";
import { EMPTY_INDEX } from "../../src/repo/resume.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

/** Stores an index with no packs that supersedes the given ones. */
async function putSupersedingIndex(backend: MemoryBackend, supersedes: IndexId[]): Promise<IndexId> {
  const { id, file } = buildIndexFile({ packs: new Map(), supersedes: new Set(supersedes) });
  const tmp = path.join(tempDir("idx"), "i");
  fs.writeFileSync(tmp, file);
  await backend.put(indexKey(id), tmp);
  return id;
}

async function writeBlobs(backend: MemoryBackend, chunks: Uint8Array[], trees: Tree[]): Promise<void> {
  const w = new RepoWriter({ backend, scratchDir: tempDir("w"), packSize: 1e9, packed: new Set(), start: EMPTY_INDEX, dryRun: false, uploads: 1 });
  for (const c of chunks) await w.add("chunk", hashId(c), c);
  for (const t of trees) {
    const b = encodeTree(t);
    await w.add("tree", hashId(b), b);
  }
  await w.finish();
}

describe("master index", () => {
  test("drops superseded indexes", async () => {
    const b = new MemoryBackend();
    await writeBlobs(b, [randomBytes(1, 100)], []);
    const first = (await b.list("indexes/"))[0]!.key.slice(8, 53) as IndexId;
    expect((await loadMasterIndex(b)).packs.size).toBe(1);
    await putSupersedingIndex(b, [first]);
    const mi = await loadMasterIndex(b);
    expect(mi.allIndexes.length).toBe(2);
    expect(mi.packs.size).toBe(0);
    expect(mi.blobs.size).toBe(0);
  });
});

describe("chunk reader", () => {
  test("reads 4 blobs of one pack in any order, decoding their frame once", async () => {
    const b = new MemoryBackend();
    const chunks = [1, 2, 3, 4].map((s) => randomBytes(s, 5000 * s));
    await writeBlobs(b, chunks, []);
    const reader = new ChunkReader(b, (await loadMasterIndex(b)).blobs);
    for (const i of [2, 0, 3, 1]) expect(Buffer.from(await reader.chunk(hashId(chunks[i]!))).equals(Buffer.from(chunks[i]!))).toBe(true);
    expect(reader.framesRead).toBe(1);
    await expect(reader.chunk(hashId("absent"))).rejects.toThrow(/Couldn't find chunk/);
  });

  test("with a cache smaller than a frame, the blob asked for is still returned (the rest of its frame may not be kept)", async () => {
    const b = new MemoryBackend();
    const chunks = [1, 2, 3, 4].map((s) => randomBytes(s, 5000));
    await writeBlobs(b, chunks, []);
    const reader = new ChunkReader(b, (await loadMasterIndex(b)).blobs, 6000);
    expect(Buffer.from(await reader.chunk(hashId(chunks[0]!))).equals(Buffer.from(chunks[0]!))).toBe(true);
    expect(reader.framesRead).toBe(1);
  });
});

describe("tree cache", () => {
  test("loads a forest, with the empty tree always present", async () => {
    const b = new MemoryBackend();
    const meta = { type: "posix" as const, mode: 0o40755, uid: 0, gid: 0, atime: 1n, mtime: 2n };
    const leaf: Tree = new Map([["empty", { contents: { kind: "dir" as const, tree: EMPTY_TREE_ID }, metadata: meta }]]);
    const leafId = hashId<"blob">(encodeTree(leaf));
    const root: Tree = new Map([["sub", { contents: { kind: "dir" as const, tree: leafId }, metadata: meta }]]);
    await writeBlobs(b, [], [leaf, root]);
    const forest = await loadForest(hashId(encodeTree(root)), new TreeCache(b, (await loadMasterIndex(b)).blobs));
    expect([...forest.keys()].sort()).toEqual([EMPTY_TREE_ID, leafId, hashId<"blob">(encodeTree(root))].sort());
  });
});
