/**
 * A repository laid out as backpak 0.3.0 writes it (each pack's blobs in one streamed zstd frame
 * without a content size, a legacy version-1 snapshot beside a version-2 one) reads back through
 * the binary: listing, check --read-packs, restore and dump.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import type { BlobId, IndexId, PackId } from "../../src/format/id.ts";
import { INDEX_MAGIC, PACK_MAGIC } from "../../src/format/magic.ts";
import { encodeIndex } from "../../src/format/index-file.ts";
import { encodeManifest, type Manifest } from "../../src/format/manifest.ts";
import { encodeSnapshotBody, encodeSnapshotFile, type Snapshot } from "../../src/format/snapshot.ts";
import { encodeTree, type Node, type Tree } from "../../src/format/tree.ts";
import { chunkLengths } from "../../src/kernels/fastcdc/index.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { zstdCompress } from "../../src/kernels/zstd.ts";
import { concatBytes, u32BE } from "../../src/lib/bytes.ts";
import { randomBytes } from "../helpers/random.ts";
import { streamedFrame } from "../helpers/zstd-stream.ts";
import { cleanUpAfterThisFile, cli, lines, ok, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const T = 1_700_000_000_123_456_789n;
const meta = (mode: number, size?: number) => ({ type: "posix" as const, mode, ...(size === undefined ? {} : { size }), uid: 0, gid: 0, atime: T, mtime: T });

/** Writes a pack whose blob stream is one streamed frame, as backpak's encoder leaves it. */
async function writePack(repo: string, blobs: Uint8Array[], type: "chunk" | "tree"): Promise<{ id: PackId; manifest: Manifest }> {
  const manifest: Manifest = blobs.map((b) => ({ type, length: b.length, id: hashId<"blob">(b) }));
  const cbor = encodeManifest(manifest);
  const zm = zstdCompress(cbor);
  const id = hashId<"pack">(cbor);
  fs.writeFileSync(path.join(repo, "packs", `${id}.pack`), concatBytes([Buffer.from(PACK_MAGIC), await streamedFrame(blobs), zm, u32BE(zm.length)]));
  return { id, manifest };
}

test("a backpak-written repository: one-frame packs and a version-1 snapshot", async () => {
  const repo = tempDir("bprepo");
  for (const d of ["packs", "indexes", "snapshots"]) fs.mkdirSync(path.join(repo, d));
  fs.writeFileSync(path.join(repo, "config.toml"), 'pack_size = "100 MB"\n\n[backend]\ntype = "Filesystem"\nforce_cache = false\n');

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
  const indexCbor = encodeIndex({ supersedes: new Set(), packs: new Map([[chunkPack.id, chunkPack.manifest], [treePack.id, treePack.manifest]]) });
  fs.writeFileSync(path.join(repo, "indexes", `${hashId<"index">(indexCbor) as IndexId}.index`), concatBytes([Buffer.from(INDEX_MAGIC), zstdCompress(indexCbor)]));
  const snap = (time: bigint): Snapshot => ({ time, tz: "UTC", author: "backpak", tags: ["old"], paths: ["/backed/up/data"], tree: hashId<"blob">(topBytes) });
  for (const [s, version] of [[snap(T), "1"], [snap(T + 60_000_000_000n), "2"]] as const) {
    const body = encodeSnapshotBody(s, version);
    fs.writeFileSync(path.join(repo, "snapshots", `${hashId(body)}.snapshot`), encodeSnapshotFile(body, version));
  }

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
