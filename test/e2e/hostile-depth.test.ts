/**
 * Trees nested 10,000 deep: every command that walks trees (ls, check, diff, dump, snapshots
 * --sizes, usage, prune, filter-snapshot, restore) works with an explicit stack instead of recursion;
 * restore creates paths far past PATH_MAX, and a tree nested as deep as PATH_MAX allows restores whole.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { craftedRepo, dirNode, fileNode, treeOf, writeSnapshotOf } from "../helpers/craft-repo.ts";
import { inDeepDir, removeDeep } from "../helpers/deep-tree.ts";
import { cleanUpAfterThisFile, cli, lines, ok } from "./harness.ts";

cleanUpAfterThisFile();

/** Trees `data/d/d/…/f` with `depth` directories (named `dir` below data), deepest first, then the root. */
function chain(depth: number, leaf: Uint8Array, dir = "d"): Uint8Array[] {
  const trees = [treeOf({ f: fileNode([leaf]) })];
  for (let i = 1; i < depth; i++) trees.push(treeOf({ [dir]: dirNode(trees.at(-1)!) }));
  trees.push(treeOf({ data: dirNode(trees.at(-1)!) }));
  return trees;
}

const deepPath = (depth: number): string => ["data", ...Array<string>(depth - 1).fill("d"), "f"].join("/");

test("a tree nested 10,000 deep: ls, check, diff, dump, sizes, restore, prune and filter-snapshot work", async () => {
  const depth = 10_000;
  const { base, repo, work } = craftedRepo("hostile-depth");
  const before = new TextEncoder().encode("before\n");
  const after = new TextEncoder().encode("after\n");
  await writeSnapshotOf(repo, ["/backed/up/data"], [before], chain(depth, before));
  await writeSnapshotOf(repo, ["/backed/up/data"], [after], chain(depth, after));
  const leaf = deepPath(depth);

  const listed = lines(ok(cli(work, repo, ["ls", "LAST"])).stdout);
  expect(listed.length).toBe(depth + 1);
  expect(listed.at(-1)).toBe(leaf);
  ok(cli(work, repo, ["check", "--read-packs"]));
  expect(lines(ok(cli(work, repo, ["diff", "LAST~", "LAST"])).stdout)).toEqual([`C ${leaf}`]);
  expect(ok(cli(work, repo, ["dump", "LAST", leaf])).stdout).toBe("after\n");
  expect(ok(cli(work, repo, ["snapshots", "--sizes", "--stat", "LAST"])).stdout).toContain(`C ${leaf}`);
  ok(cli(work, repo, ["usage"]));

  // Its 20,000-byte paths are created a hop at a time.
  const out = path.join(base, "out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(inDeepDir(out, Array<string>(depth - 1).fill("d"), (at) => fs.readFileSync(at("f"), "utf8"))).toBe("after\n");
  removeDeep(out);

  ok(cli(work, repo, ["forget", "LAST~"]));
  ok(cli(work, repo, ["prune"]));
  ok(cli(work, repo, ["check", "--read-packs"]));
  expect(lines(ok(cli(work, repo, ["ls", "LAST"])).stdout).at(-1)).toBe(leaf);

  // Filtering the leaf out rebuilds every tree of the chain.
  ok(cli(work, repo, ["filter-snapshot", "--skip", "/f$", "LAST"]));
  const filtered = lines(ok(cli(work, repo, ["ls", "LAST"])).stdout);
  expect(filtered.length).toBe(depth);
  expect(filtered.at(-1)).toBe(leaf.slice(0, -"f".length));
});

test("a tree whose deepest path is as long as PATH_MAX allows restores whole", async () => {
  const { base, repo, work } = craftedRepo("hostile-deep-ok");
  const out = path.join(base, "o");
  // Each level adds "/" and a long name; the file's path stays within PATH_MAX (4096 bytes with its NUL).
  const name = "n".repeat(99);
  const depth = Math.floor((4095 - out.length - "/f".length) / 100) + 1;
  const leaf = new TextEncoder().encode("deep\n");
  await writeSnapshotOf(repo, ["/backed/up/data"], [leaf], chain(depth, leaf, name));
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  const file = path.join(out, ...Array<string>(depth - 1).fill(name), "f");
  expect(Buffer.byteLength(file)).toBeGreaterThan(4000);
  expect(Buffer.byteLength(file)).toBeLessThanOrEqual(4095);
  expect(fs.readFileSync(file, "utf8")).toBe("deep\n");
  // Again over what is there: the disk is scanned as deep, and nothing differs.
  expect(lines(ok(cli(work, repo, ["restore", "--output", out, "LAST"])).stdout)).toEqual([]);
  fs.rmSync(out, { recursive: true });
});
