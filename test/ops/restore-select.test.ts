/**
 * The part of a snapshot a partial restore selects, built from a tree source that records what it
 * is asked for: directories where nothing can be selected are never read, what is selected whole
 * keeps its tree IDs, and what lost entries gets new ones.
 */
import { expect, test } from "bun:test";
import type { BlobId, SnapshotId } from "../../src/format/id.ts";
import { encodeTree, type Node, type Tree } from "../../src/format/tree.ts";
import { RestoreFilter } from "../../src/fs/restore-filter.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { selectView } from "../../src/ops/restore-select.ts";
import type { StoredSnapshot } from "../../src/repo/snapshots.ts";
import type { TreeSource } from "../../src/repo/tree-cache.ts";
import { streamTree } from "../../src/repo/tree-walk.ts";

const meta = (mode: number): Node["metadata"] => ({ type: "posix", mode, uid: 0, gid: 0, atime: 1n, mtime: 1n, size: 0 });
const file = (): Node => ({ contents: { kind: "file", chunks: [] }, metadata: meta(0o100644) });

/** Trees by ID, and the IDs read. */
class Recording implements TreeSource {
  readonly trees = new Map<BlobId, Tree>();
  readonly read: BlobId[] = [];
  async tree(id: BlobId): Promise<Tree> {
    this.read.push(id);
    return this.trees.get(id)!;
  }
  /** Stores a directory of `entries`, returning its node. */
  dir(entries: Record<string, Node>): Node {
    const tree: Tree = new Map(Object.entries(entries));
    const id = hashId<"blob">(encodeTree(tree));
    this.trees.set(id, tree);
    return { contents: { kind: "dir", tree: id }, metadata: meta(0o40755) };
  }
}

const treeOf = (n: Node): BlobId => (n.contents.kind === "dir" ? n.contents.tree : ("" as BlobId));

/** /home/me backed up: me/{keep/{a.c,b.h}, cache/{big/{x}}, deep/{er/{z.c}}}. */
function snapshot(): { source: Recording; stored: StoredSnapshot; keep: Node; cache: Node; big: Node; er: Node } {
  const source = new Recording();
  const keep = source.dir({ "a.c": file(), "b.h": file() });
  const big = source.dir({ x: file() });
  const cache = source.dir({ big });
  const er = source.dir({ "z.c": file() });
  const deep = source.dir({ er });
  const root = source.dir({ me: source.dir({ keep, cache, deep }) });
  const stored: StoredSnapshot = { id: "s" as SnapshotId, size: 0, snapshot: { time: 0n, tz: "UTC", author: "t", tags: [], paths: ["/home/me"], tree: treeOf(root) } };
  source.read.length = 0;
  return { source, stored, keep, cache, big, er };
}

const paths = async (stored: StoredSnapshot, source: TreeSource, filter: RestoreFilter, subPath?: string): Promise<string[]> => {
  const view = await selectView(stored, source, subPath === undefined ? { filter } : { filter, subPath });
  return (await Array.fromAsync(streamTree("", view.trees, view.root))).map(([p, n]) => (n.contents.kind === "dir" ? `${p}/` : p));
};
const pattern = (p: string) => ({ pattern: p, ignoreCase: false, source: "--test" });

test("an excluded directory is never read, and a directory selected whole keeps its tree", async () => {
  const { source, stored, keep, cache, big } = snapshot();
  const view = await selectView(stored, source, { filter: new RestoreFilter([], [pattern("cache")]) });
  expect(source.read).not.toContain(treeOf(cache));
  expect(source.read).not.toContain(treeOf(big));
  expect(await view.trees.tree(treeOf(keep))).toBe(source.trees.get(treeOf(keep))!);
  expect((await Array.fromAsync(streamTree("", view.trees, view.root))).map(([p]) => p)).toEqual(["me", "me/deep", "me/deep/er", "me/deep/er/z.c", "me/keep", "me/keep/a.c", "me/keep/b.h"]);
});

test("an anchored include reads only the trees on its way; one that matches names reads them all", async () => {
  const { source, stored, cache, er } = snapshot();
  expect(await paths(stored, source, new RestoreFilter([pattern("/home/me/keep/a.c")], []))).toEqual(["me/", "me/keep/", "me/keep/a.c"]);
  expect(source.read).not.toContain(treeOf(cache));
  expect(source.read).not.toContain(treeOf(er));
  source.read.length = 0;
  expect(await paths(stored, source, new RestoreFilter([pattern("/home/*/deep/**/z.c")], []))).toEqual(["me/", "me/deep/", "me/deep/er/", "me/deep/er/z.c"]);
  expect(source.read).not.toContain(treeOf(cache));
  source.read.length = 0;
  expect(await paths(stored, source, new RestoreFilter([pattern("z.c")], []))).toEqual(["me/", "me/deep/", "me/deep/er/", "me/deep/er/z.c"]);
  expect(source.read).toContain(treeOf(cache));
});

test("a sub-path view is one top-level entry named after it, backed up from its own path", async () => {
  const { source, stored } = snapshot();
  const view = await selectView(stored, source, { subPath: "me/deep" });
  expect(view.paths).toEqual(["/home/me/deep"]);
  expect((await Array.fromAsync(streamTree("", view.trees, view.root))).map(([p]) => p)).toEqual(["deep", "deep/er", "deep/er/z.c"]);
  expect(await paths(stored, source, new RestoreFilter([pattern("/home/me/keep/*.h")], []), "/home/me/keep")).toEqual(["keep/", "keep/b.h"]);
});

test("a chain 20,000 deep is selected without recursion, with patterns that match paths and names", async () => {
  const source = new Recording();
  let node = source.dir({ "leaf.c": file(), "leaf.o": file() });
  for (let i = 0; i < 20_000; i++) node = source.dir({ d: node });
  const stored: StoredSnapshot = { id: "s" as SnapshotId, size: 0, snapshot: { time: 0n, tz: "UTC", author: "t", tags: [], paths: ["/top"], tree: treeOf(source.dir({ top: node })) } };
  const view = await selectView(stored, source, { filter: new RestoreFilter([pattern("*.c")], [pattern("/top/x"), pattern("*.o")]) });
  // Followed by hand: streamTree joins each path whole, which costs seconds at this depth.
  let tree = await view.trees.tree(view.root);
  let depth = -1;
  for (let next = tree.get("top"); next?.contents.kind === "dir"; next = tree.get("d"), depth++) tree = await view.trees.tree(next.contents.tree);
  expect(depth).toBe(20_000);
  expect([...tree.keys()]).toEqual(["leaf.c"]);
});
