/**
 * A repository laid out as backpak 0.3.0 writes it (each pack's blobs in one streamed zstd frame
 * without a content size, a legacy version-1 snapshot beside a version-2 one) reads back through
 * the binary: listing, check --read-packs, restore and dump.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import type { BlobId } from "../../src/format/id.ts";
import type { Snapshot } from "../../src/format/snapshot.ts";
import { encodeTree, type Node, type Tree } from "../../src/format/tree.ts";
import { chunkLengths } from "../../src/kernels/fastcdc/index.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { craftRepo, writeIndex, writePack, writeSnapshot } from "../helpers/craft-repo.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, lines, ok, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const T = 1_700_000_000_123_456_789n;
const meta = (mode: number, size?: number) => ({ type: "posix" as const, mode, ...(size === undefined ? {} : { size }), uid: 0, gid: 0, atime: T, mtime: T });

test("a backpak-written repository: one-frame packs and a version-1 snapshot", async () => {
  const repo = tempDir("bprepo");
  craftRepo(repo);

  const big = randomBytes(5, 3 * 1024 * 1024 + 17);
  const small = new TextEncoder().encode("small file\n");
  let off = 0;
  const bigChunks = chunkLengths("js", big).map((n) => big.subarray(off, (off += n)));
  expect(bigChunks.length).toBeGreaterThan(1);
  const ids = (bs: Uint8Array[]): BlobId[] => bs.map((b) => hashId<"blob">(b));
  const file = (chunks: Uint8Array[], size: number): Node => ({ contents: { kind: "file", chunks: ids(chunks) }, metadata: meta(0o100644, size) });
  const sub: Tree = new Map([["c.txt", file([small], small.length)]]);
  const subBytes = encodeTree(sub);
  const data: Tree = new Map<string, Node>([
    ["a.txt", file([small], small.length)],
    ["big.bin", file(bigChunks, big.length)],
    ["empty", file([], 0)],
    ["link", { contents: { kind: "symlink", target: "a.txt" }, metadata: meta(0o120777) }],
    ["sub", { contents: { kind: "dir", tree: hashId<"blob">(subBytes) }, metadata: meta(0o40755) }],
  ]);
  const dataBytes = encodeTree(data);
  const top: Tree = new Map([["data", { contents: { kind: "dir", tree: hashId<"blob">(dataBytes) }, metadata: meta(0o40755) }]]);
  const topBytes = encodeTree(top);

  const chunkPack = await writePack(repo, [small, ...bigChunks], "chunk");
  const treePack = await writePack(repo, [subBytes, dataBytes, topBytes], "tree");
  writeIndex(repo, [chunkPack, treePack]);
  const snap = (time: bigint): Snapshot => ({ time, tz: "UTC", author: "backpak", tags: ["old"], paths: ["/backed/up/data"], tree: hashId<"blob">(topBytes) });
  writeSnapshot(repo, snap(T), "1");
  writeSnapshot(repo, snap(T + 60_000_000_000n), "2");

  const work = tempDir("bprepo-work");
  expect(lines(ok(cli(work, repo, ["snapshots"])).stdout).filter((l) => l.startsWith("snapshot ")).length).toBe(2);
  ok(cli(work, repo, ["check", "--read-packs"]));
  expect(lines(ok(cli(work, repo, ["ls", "LAST~1"])).stdout)).toEqual(["data/", "data/a.txt", "data/big.bin", "data/empty", "data/link -> a.txt", "data/sub/", "data/sub/c.txt"]);
  expect(Buffer.from(ok(cli(work, repo, ["dump", "LAST", "data/big.bin"])).stdoutBytes).equals(Buffer.from(big))).toBe(true);
  const out = tempDir("bprepo-out");
  ok(cli(work, repo, ["restore", "--output", out, "--times", "LAST"]));
  expect(Buffer.from(fs.readFileSync(path.join(out, "big.bin"))).equals(Buffer.from(big))).toBe(true);
  expect(fs.readFileSync(path.join(out, "sub", "c.txt"), "utf8")).toBe("small file\n");
  expect(fs.statSync(path.join(out, "empty")).size).toBe(0);
  expect(fs.readlinkSync(path.join(out, "link"))).toBe("a.txt");
  expect(fs.statSync(path.join(out, "big.bin"), { bigint: true }).mtimeNs).toBe(T);
  // The version-1 snapshot shows its time as backpak wrote it.
  expect((JSON.parse(ok(cli(work, repo, ["cat", "snapshot", "LAST~1"])).stdout) as { time: string }).time).toBe("2023-11-14T22:13:20.123456789+00:00[UTC]");
});
