/**
 * Hostile bytes the decoders meet: a tree that names itself (possible only through a forged
 * index and pack), a CBOR array claiming 2^60 entries, and every kind of object cut short at
 * several lengths. Each gives a clean error naming the object: no crash, no hang, no huge
 * allocation, and restore writes nothing.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { hashId } from "../../src/kernels/sha224.ts";
import { blobId, craftedRepo, dirNode, fileNode, treeOf, writeIndex, writePack, writePackOf, writeSnapshot, writeSnapshotOf } from "../helpers/craft-repo.ts";
import { streamedFrame } from "../helpers/zstd-stream.ts";
import { cleanUpAfterThisFile, cli, errorReport, fails, objectIds, ok, setup, tempDir, type RunResult } from "./harness.ts";

cleanUpAfterThisFile();

const T = 1_700_000_000_000_000_000n;

/** A failure reported as a user error, not a crash of the runtime. */
function cleanFailure(r: RunResult): string {
  fails(r);
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(/RangeError|TypeError|Maximum call stack|panic|Segmentation/);
  return errorReport(r);
}

test("a tree that contains itself through a forged index entry is refused by ls, restore and check", async () => {
  const { base, repo, work } = craftedRepo("hostile-cycle");
  // The tree names the ID the index gives it, though its bytes hash to something else.
  const forged = hashId<"blob">(new TextEncoder().encode("forged"));
  const loop = treeOf({ loop: dirNode(forged) });
  const cyclePack = writePackOf(repo, await streamedFrame([loop]), [{ type: "tree", length: loop.length, id: forged }]);
  const root = treeOf({ data: dirNode(forged) });
  const rootPack = await writePack(repo, [root], "tree");
  writeIndex(repo, [cyclePack, rootPack]);
  writeSnapshot(repo, { time: T, tz: "UTC", author: "mallory", tags: [], paths: ["/backed/up/data"], tree: blobId(root) });
  const out = path.join(base, "out");
  for (const args of [["ls", "LAST"], ["restore", "--output", out, "LAST"], ["check"], ["check", "--read-packs"]]) {
    expect(cleanFailure(cli(work, repo, args))).toContain(forged);
  }
  expect(fs.existsSync(out)).toBe(false);
});

test("a tree whose chunk list claims 2^60 entries is refused without allocating them", async () => {
  const { base, repo, work } = craftedRepo("hostile-length");
  const honest = treeOf({ f: fileNode([]) });
  // An empty definite array (0x80) becomes one of 2^60 entries (0x9b + 8 bytes), with nothing after it.
  const at = Buffer.from(honest).indexOf(Buffer.from([0x66, ...new TextEncoder().encode("chunks"), 0x80])) + 7;
  const huge = new Uint8Array([...honest.subarray(0, at), 0x9b, 0x10, 0, 0, 0, 0, 0, 0, 0, ...honest.subarray(at + 1)]);
  await writeSnapshotOf(repo, ["/backed/up/data"], [], [huge, treeOf({ data: dirNode(huge) })]);
  const out = path.join(base, "out");
  for (const args of [["ls", "LAST"], ["restore", "--output", out, "LAST"], ["check"]]) {
    expect(cleanFailure(cli(work, repo, args))).toContain(`tree ${blobId(huge)}`);
  }
  expect(fs.existsSync(out)).toBe(false);
});

test("every kind of object cut short, at several lengths, gives an error naming it", () => {
  const { work, repo } = setup("hostile-truncated");
  const data = tempDir("hostile-truncated-data");
  fs.writeFileSync(path.join(data, "a.txt"), "some text\n".repeat(100));
  ok(cli(work, repo, ["backup", data]));
  const objects = (["packs", "indexes", "snapshots"] as const).flatMap((folder) =>
    objectIds(repo, folder).map((id) => ({ id, file: path.join(repo, folder, `${id}.${folder === "indexes" ? "index" : folder.slice(0, -1)}`) })),
  );
  expect(objects.length).toBe(4);
  for (const { id, file } of objects) {
    const whole = fs.readFileSync(file);
    for (const length of [0, 5, 9, 10, whole.length >> 1, whole.length - 1]) {
      fs.writeFileSync(file, whole.subarray(0, length));
      expect(cleanFailure(cli(work, repo, ["check", "--read-packs"]))).toContain(id);
    }
    fs.writeFileSync(file, whole);
  }
  const config = path.join(repo, "config.toml");
  fs.writeFileSync(config, fs.readFileSync(config).subarray(0, 12));
  expect(cleanFailure(cli(work, repo, ["check"]))).toContain(config);
});
