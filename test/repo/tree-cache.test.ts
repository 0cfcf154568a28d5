/**
 * The tree cache is bounded by the trees' reckoned decoded size: hits read nothing, a frame is
 * decompressed once for the trees in it, the least recently used trees are evicted past the budget
 * (which resident trees never exceed, also during a walk), and a tree read again after its
 * eviction is read from its pack and verified again; a tree read without keeping it isn't cached.
 */
import { expect, test } from "bun:test";
import { MemoryBackend } from "../../src/backend/index.ts";
import type { BlobId } from "../../src/format/id.ts";
import { encodeTree, type Node, type Tree } from "../../src/format/tree.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { packKey } from "../../src/repo/keys.ts";
import { loadMasterIndex } from "../../src/repo/master-index.ts";
import { EMPTY_INDEX } from "../../src/repo/resume.ts";
import { TreeCache, decodedTreeBytes, treeCacheBudget } from "../../src/repo/tree-cache.ts";
import { loadForest } from "../helpers/load-forest.ts";
import { streamTree } from "../../src/repo/tree-walk.ts";
import { RepoWriter } from "../../src/repo/writer.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

const meta = (mode: number): Node["metadata"] => ({ type: "posix", mode, uid: 0, gid: 0, atime: 1n, mtime: 2n, size: 1 });
const file = (seed: string): Node => ({ contents: { kind: "file", chunks: [hashId<"blob">(new TextEncoder().encode(seed))] }, metadata: meta(0o100644) });
const dir = (tree: BlobId): Node => ({ contents: { kind: "dir", tree }, metadata: meta(0o40755) });

/** A tree of `n` files whose names and chunks depend on `tag`. */
const filesTree = (tag: string, n = 40): Tree => new Map(Array.from({ length: n }, (_, i) => [`${tag}-file-${String(i).padStart(3, "0")}`, file(`${tag} ${i}`)] as [string, Node]));

/** Stores the trees in packs of about `packSize` bytes; returns their IDs in order. */
async function storeTrees(b: MemoryBackend, trees: Tree[], packSize: number): Promise<BlobId[]> {
  const w = new RepoWriter({ backend: b, scratchDir: tempDir("tc"), packSize, packed: new Set(), start: EMPTY_INDEX, dryRun: false, uploads: 1 });
  const ids: BlobId[] = [];
  for (const t of trees) {
    const bytes = encodeTree(t);
    ids.push(hashId(bytes));
    await w.add("tree", hashId(bytes), bytes);
  }
  await w.finish();
  return ids;
}

const treeBytes = (t: Tree): number => decodedTreeBytes(encodeTree(t).length);

test("the budget is 8 MiB unless BACKPAK_TREE_CACHE_MIB says otherwise", () => {
  expect(treeCacheBudget({})).toBe(8 << 20);
  expect(treeCacheBudget({ BACKPAK_TREE_CACHE_MIB: "3" })).toBe(3 << 20);
  expect(treeCacheBudget({ BACKPAK_TREE_CACHE_MIB: "lots" })).toBe(8 << 20);
});

test("a hit reads nothing; a miss decompresses its frame once for every tree in it", async () => {
  const b = new MemoryBackend();
  const trees = [0, 1, 2, 3].map((i) => filesTree(`t${i}`));
  const ids = await storeTrees(b, trees, 1e9);
  const cache = new TreeCache(b, (await loadMasterIndex(b)).blobs);
  expect(await cache.tree(ids[2]!)).toEqual(trees[2]!);
  expect([cache.framesRead, cache.decoded]).toEqual([1, 1]);
  for (const i of [0, 1, 2, 3, 2]) expect(await cache.tree(ids[i]!)).toEqual(trees[i]!);
  expect([cache.framesRead, cache.decoded]).toEqual([1, 4]);
  expect(cache.residentBytes).toBe(trees.reduce((n, t) => n + treeBytes(t), 0));
});

test("a tree read without keeping it is decoded but not cached, and one already cached is a hit", async () => {
  const b = new MemoryBackend();
  const trees = [0, 1].map((i) => filesTree(`k${i}`));
  const ids = await storeTrees(b, trees, 1e9);
  const cache = new TreeCache(b, (await loadMasterIndex(b)).blobs);
  expect(await cache.tree(ids[0]!, false)).toEqual(trees[0]!);
  expect(await cache.tree(ids[0]!, false)).toEqual(trees[0]!);
  expect([cache.decoded, cache.residentBytes]).toEqual([2, 0]);
  await cache.tree(ids[1]!);
  expect(await cache.tree(ids[1]!, false)).toEqual(trees[1]!);
  expect([cache.decoded, cache.residentBytes]).toEqual([3, treeBytes(trees[1]!)]);
});

test("past the budget the least recently used trees are evicted, and reading one again reads (and verifies) it again", async () => {
  const b = new MemoryBackend();
  // Big enough that the frames kept encoded (at least 2 MiB) can't hold them all either.
  const trees = Array.from({ length: 16 }, (_, i) => filesTree(`t${i}`, 2000));
  expect(trees.reduce((n, t) => n + encodeTree(t).length, 0)).toBeGreaterThan(2 * 2 ** 20 + 2 * encodeTree(trees[0]!).length);
  // One tree per pack: each miss reads exactly the tree asked for.
  const ids: BlobId[] = [];
  for (const t of trees) ids.push(...(await storeTrees(b, [t], 1e9)));
  const one = treeBytes(trees[0]!);
  const cache = new TreeCache(b, (await loadMasterIndex(b)).blobs, 3 * one + one / 2);
  for (const [i, id] of ids.entries()) {
    expect(await cache.tree(id)).toEqual(trees[i]!);
    expect(cache.residentBytes).toBeLessThanOrEqual(cache.budget);
  }
  expect([cache.framesRead, cache.decoded]).toEqual([16, 16]);
  // The last three are held; touching the oldest of them keeps it over the next one read.
  await cache.tree(ids[13]!);
  expect([cache.framesRead, cache.decoded]).toEqual([16, 16]);
  await cache.tree(ids[0]!);
  expect([cache.framesRead, cache.decoded]).toEqual([17, 17]);
  await cache.tree(ids[13]!);
  expect(cache.decoded).toBe(17);
  await cache.tree(ids[14]!);
  expect(cache.decoded).toBe(18);

  // Evicted, then damaged in the repository: the re-read finds the damage instead of trusting a stale copy.
  const key = packKey((await loadMasterIndex(b)).blobs.get(ids[1]!)!.pack);
  const damaged = Uint8Array.from(b.objects.get(key)!);
  damaged[damaged.length >> 1]! ^= 0xff;
  b.objects.set(key, damaged);
  await expect(cache.tree(ids[1]!)).rejects.toThrow(/Couldn't read pack/);
});

test("a walk through a cache smaller than the snapshot's trees lists every path, never holding more than the budget", async () => {
  const b = new MemoryBackend();
  // 30 directories of 40 files each, under a root; trees in packs of a few trees each.
  const subs = Array.from({ length: 30 }, (_, i) => filesTree(`d${i}`));
  const subIds = subs.map((t) => hashId<"blob">(encodeTree(t)));
  const root: Tree = new Map(subIds.map((id, i) => [`dir-${String(i).padStart(2, "0")}`, dir(id)] as [string, Node]));
  const [rootId] = (await storeTrees(b, [root, ...subs], 4 * encodeTree(subs[0]!).length)).slice(0, 1);
  const blobs = (await loadMasterIndex(b)).blobs;
  const whole: string[] = [];
  for await (const [p] of streamTree("", await loadForest(rootId!, new TreeCache(b, blobs)), rootId!)) whole.push(p);
  expect(whole).toHaveLength(30 + 30 * 40);

  const all = [root, ...subs].reduce((n, t) => n + treeBytes(t), 0);
  const cache = new TreeCache(b, blobs, Math.floor(all / 5));
  const streamed: string[] = [];
  for await (const [p] of streamTree("", cache, rootId!)) {
    streamed.push(p);
    expect(cache.residentBytes).toBeLessThanOrEqual(cache.budget);
  }
  expect(streamed).toEqual(whole);
  expect(cache.residentBytes).toBeGreaterThan(0);
});
