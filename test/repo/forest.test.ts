/** Loading a forest: a cycle among trees (only a forged tree source can make one) is refused, naming the tree; deep chains load without recursion. */
import { expect, test } from "bun:test";
import type { BlobId } from "../../src/format/id.ts";
import type { Node, Tree } from "../../src/format/tree.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { BackpakError } from "../../src/lib/errors.ts";
import type { TreeSource } from "../../src/repo/tree-cache.ts";
import { loadForest } from "../helpers/load-forest.ts";

const T = 1n;
const id = (n: number): BlobId => hashId<"blob">(new TextEncoder().encode(`tree ${n}`));
const dir = (tree: BlobId): Node => ({ contents: { kind: "dir", tree }, metadata: { type: "posix", mode: 0o40755, uid: 0, gid: 0, atime: T, mtime: T } });
const source = (trees: Map<BlobId, Tree>): TreeSource => ({ tree: async (i) => trees.get(i)! });

test("a tree reached again beneath itself is a cycle, named; one reached twice side by side is not", async () => {
  const shared = new Map<BlobId, Tree>([
    [id(0), new Map([["a", dir(id(1))], ["b", dir(id(1))]])],
    [id(1), new Map()],
  ]);
  expect((await loadForest(id(0), source(shared))).size).toBe(2);
  const cyclic = new Map<BlobId, Tree>([
    [id(0), new Map([["a", dir(id(1))]])],
    [id(1), new Map([["x", dir(id(2))]])],
    [id(2), new Map([["back", dir(id(1))]])],
  ]);
  const err = await loadForest(id(0), source(cyclic)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BackpakError);
  expect((err as BackpakError).message).toBe(`Cycle detected! Tree ${id(1)} contains itself`);
});

test("a chain 100,000 trees deep loads", async () => {
  const trees = new Map<BlobId, Tree>();
  for (let i = 0; i < 100_000; i++) trees.set(id(i), new Map([["d", dir(id(i + 1))]]));
  trees.set(id(100_000), new Map());
  expect((await loadForest(id(0), source(trees))).size).toBe(100_001);
});
