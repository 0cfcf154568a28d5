/**
 * Hostile file entries: a chunk list naming a tree blob (whose CBOR restore would write as file
 * contents) and a recorded size that differs from the sum of the chunks' lengths. `check` names
 * the snapshot, tree and file from the index alone; restore and dump refuse the file and write
 * nothing for it.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { blobId, craftedRepo, dirNode, fileNode, treeOf, writeSnapshotOf } from "../helpers/craft-repo.ts";
import { cleanUpAfterThisFile, cli, errorReport, fails, objectIds } from "./harness.ts";

cleanUpAfterThisFile();

const payload = new TextEncoder().encode("twelve bytes");

async function crafted(label: string, trees: Uint8Array[]): Promise<{ base: string; repo: string; work: string; snapshot: string }> {
  const { base, repo, work } = craftedRepo(label);
  await writeSnapshotOf(repo, ["/backed/up/data"], [payload], trees);
  return { base, repo, work, snapshot: objectIds(repo, "snapshots")[0]! };
}

function refusedEverywhere(c: { base: string; repo: string; work: string; snapshot: string }, dataTree: Uint8Array, why: string): void {
  const out = path.join(c.base, "out");
  const restore = errorReport(fails(cli(c.work, c.repo, ["restore", "--output", out, "LAST"])));
  expect(restore).toContain(`${out}/f`);
  expect(restore).toContain(why);
  expect(fs.existsSync(path.join(out, "f"))).toBe(false);
  expect(errorReport(fails(cli(c.work, c.repo, ["dump", "LAST", "data/f"])))).toContain(why);
  for (const args of [["check"], ["check", "--read-packs"]]) {
    const report = errorReport(fails(cli(c.work, c.repo, args)));
    expect(report).toContain(`Snapshot ${c.snapshot}: tree ${blobId(dataTree)}: file "f"`);
    expect(report).toContain(why);
  }
}

test("a file whose chunk list names a tree blob is refused by restore and dump and reported by check", async () => {
  const inner = treeOf({ g: fileNode([payload]) });
  const data = treeOf({ f: fileNode([inner]), sub: dirNode(inner) });
  const c = await crafted("hostile-tree-chunk", [inner, data, treeOf({ data: dirNode(data) })]);
  refusedEverywhere(c, data, `names ${blobId(inner)}, which is a tree, not a chunk`);
});

test("a file whose recorded size differs from its chunks' lengths is refused by restore and dump and reported by check", async () => {
  const data = treeOf({ f: fileNode([payload], 4096) });
  const c = await crafted("hostile-size", [data, treeOf({ data: dirNode(data) })]);
  refusedEverywhere(c, data, "records a size of 4096 bytes, but its chunks add up to 12");
});
