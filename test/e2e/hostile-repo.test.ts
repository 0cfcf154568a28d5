/**
 * Hostile (or damaged) repositories: a tree naming an entry "../escaped" is refused before
 * anything is written, naming the tree; a pack whose small blob decompresses into gigabytes is
 * refused without decompressing them, and so is an index or a pack manifest that would.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { INDEX_MAGIC } from "../../src/format/magic.ts";
import { encodeTree, type Node, type Tree } from "../../src/format/tree.ts";
import { concatBytes, u32BE } from "../../src/lib/bytes.ts";
import { blobId, craftRepo, writeIndex, writePack, writePackOf, writeSnapshot } from "../helpers/craft-repo.ts";
import { streamedFrame } from "../helpers/zstd-stream.ts";
import { cleanUpAfterThisFile, cli, errorReport, fails, filesIn, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const T = 1_700_000_000_000_000_000n;
const meta = (mode: number, size?: number) => ({ type: "posix" as const, mode, ...(size === undefined ? {} : { size }), uid: 0, gid: 0, atime: T, mtime: T });

test("an entry named ../escaped is refused by restore, ls and check, and nothing is written outside the output", async () => {
  const base = tempDir("hostile");
  const repo = path.join(base, "repo");
  craftRepo(repo);
  const payload = new TextEncoder().encode("pwned\n");
  const evil: Tree = new Map<string, Node>([
    ["../escaped", { contents: { kind: "file", chunks: [blobId(payload)] }, metadata: meta(0o100644, payload.length) }],
    ["fine", { contents: { kind: "file", chunks: [blobId(payload)] }, metadata: meta(0o100644, payload.length) }],
  ]);
  const evilBytes = encodeTree(evil);
  const top: Tree = new Map([["data", { contents: { kind: "dir", tree: blobId(evilBytes) }, metadata: meta(0o40755) }]]);
  const topBytes = encodeTree(top);
  const chunks = await writePack(repo, [payload], "chunk");
  const trees = await writePack(repo, [evilBytes, topBytes], "tree");
  writeIndex(repo, [chunks, trees]);
  writeSnapshot(repo, { time: T, tz: "UTC", author: "mallory", tags: [], paths: ["/backed/up/data"], tree: blobId(topBytes) });

  const work = path.join(base, "work");
  const out = path.join(base, "nested", "out");
  fs.mkdirSync(work);
  fs.mkdirSync(path.join(base, "nested"));
  const refusal = `tree ${blobId(evilBytes)} failed at byte`;
  const restore = fails(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(restore.stderr).toContain(refusal);
  expect(restore.stderr).toContain(`entry "../escaped" isn't a file name (one path component)`);
  expect(fs.existsSync(path.join(base, "nested", "escaped"))).toBe(false);
  expect(filesIn(path.join(base, "nested"))).toEqual([]);

  expect(fails(cli(work, repo, ["ls", "LAST"])).stderr).toContain(refusal);
  expect(fails(cli(work, repo, ["check"])).stderr).toContain(blobId(evilBytes));
});

test("a pack whose blob stream would decompress into a gigabyte is refused, naming the pack, before it is all produced", async () => {
  const base = tempDir("hostile-bomb");
  const repo = path.join(base, "repo");
  craftRepo(repo);
  const claimed = new TextEncoder().encode("ten bytes\n");
  const zeros = new Uint8Array(256 << 20);
  const bomb = writePackOf(repo, await streamedFrame([zeros, zeros, zeros, zeros]), [{ type: "chunk", length: claimed.length, id: blobId(claimed) }]);
  const dataBytes = encodeTree(new Map([["f", { contents: { kind: "file", chunks: [blobId(claimed)] }, metadata: meta(0o100644, claimed.length) }]]));
  const topBytes = encodeTree(new Map([["data", { contents: { kind: "dir", tree: blobId(dataBytes) }, metadata: meta(0o40755) }]]));
  const trees = await writePack(repo, [dataBytes, topBytes], "tree");
  writeIndex(repo, [bomb, trees]);
  writeSnapshot(repo, { time: T, tz: "UTC", author: "mallory", tags: [], paths: ["/backed/up/data"], tree: blobId(topBytes) });

  const work = path.join(base, "work");
  fs.mkdirSync(work);
  const out = path.join(base, "out");
  for (const args of [["restore", "--output", out, "LAST"], ["dump", "LAST", "data/f"], ["check", "--read-packs"]]) {
    const r = fails(cli(work, repo, args));
    expect(r.stderr).toContain(bomb.id);
    expect(r.stderr).toContain("decompresses to more than 10 bytes");
  }
  expect(filesIn(out)).toEqual([]);
});

test("an index or a pack manifest that is a zstd bomb is refused, naming it, without decompressing it all", async () => {
  const base = tempDir("hostile-cbor-bomb");
  const repo = path.join(base, "repo");
  craftRepo(repo);
  const zeros = new Uint8Array(256 << 20);
  const bomb = await streamedFrame([zeros, zeros, zeros, zeros]);
  const payload = new TextEncoder().encode("fine\n");
  const { id: packId } = await writePack(repo, [payload], "chunk");
  const packFile = path.join(repo, "packs", `${packId}.pack`);
  const honest = fs.readFileSync(packFile);
  const manifestLength = honest.readUInt32BE(honest.length - 4);
  fs.writeFileSync(packFile, Buffer.concat([honest.subarray(0, honest.length - 4 - manifestLength), bomb, u32BE(bomb.length)]));
  writeIndex(repo, [{ id: packId, manifest: [{ type: "chunk", length: payload.length, id: blobId(payload) }] }]);
  const work = path.join(base, "work");
  fs.mkdirSync(work);
  const packReport = errorReport(fails(cli(work, repo, ["check", "--read-packs"])));
  expect(packReport).toContain(`pack ${packId}'s manifest decompresses to more than`);

  const indexId = "0".repeat(45);
  fs.writeFileSync(path.join(repo, "indexes", `${indexId}.index`), concatBytes([Buffer.from(INDEX_MAGIC), bomb]));
  expect(errorReport(fails(cli(work, repo, ["check"])))).toContain(`Index ${indexId} can't be used: indexes/${indexId}.index is damaged: index ${indexId} decompresses to more than`);
  expect(errorReport(fails(cli(work, repo, ["snapshots", "--sizes"])))).toContain(`index ${indexId} decompresses to more than`);
});
