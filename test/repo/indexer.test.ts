/** The Indexer: the index it writes from manifests held as CBOR is the one the format encodes, and it keeps no object per blob. */
import { heapStats } from "bun:jsc";
import { expect, test } from "bun:test";
import fs from "node:fs";
import { encodeManifest, type ManifestEntry } from "../../src/format/manifest.ts";
import type { BlobId, IndexId, PackId } from "../../src/format/id.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { encodeIndex, encodeIndexPieces } from "../../src/format/index-file.ts";
import { zstdDecompress } from "../../src/kernels/zstd.ts";
import { scanFrame } from "../../src/kernels/zstd-frames.ts";
import { buildIndexFile, writeIndexStreamed } from "../../src/repo/index-file.ts";
import { concatBytes } from "../../src/lib/bytes.ts";
import { Indexer } from "../../src/repo/indexer.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

/** `n` manifest entries, chunks and trees mixed, with lengths of every CBOR integer size. */
function entries(seed: string, n: number): ManifestEntry[] {
  return Array.from({ length: n }, (_, i) => ({ type: i % 7 === 0 ? "tree" : "chunk", length: [3, 200, 70_000, 5_000_000][i % 4]! + i, id: hashId<"blob">(`${seed}/${i}`) as BlobId }));
}

test.each([false, true])("the index file is byte for byte the one encoded from manifest entries (resumable: %p)", async (resumable) => {
  const start = new Map<PackId, ManifestEntry[]>([[hashId<"pack">("s1") as PackId, entries("s1", 40)], [hashId<"pack">("s2") as PackId, entries("s2", 3)]]);
  const supersedes = new Set([hashId<"index">("old") as IndexId]);
  const indexer = new Indexer(tempDir("indexer"), { packs: start, supersedes }, resumable);
  const added = new Map<PackId, ManifestEntry[]>();
  for (let p = 0; p < 5; p++) {
    const manifest = entries(`p${p}`, 100 + p);
    const id = hashId<"pack">(`p${p}`) as PackId;
    added.set(id, manifest);
    indexer.addPack(id, encodeManifest(manifest), 1000);
  }
  const done = (await indexer.finish())!;
  const expected = buildIndexFile({ packs: new Map([...start, ...added]), supersedes });
  expect(done.id).toBe(expected.id);
  expect(Buffer.from(fs.readFileSync(done.path)).equals(Buffer.from(expected.file))).toBe(true);
});

test("the index streamed piece by piece is encodeIndex's CBOR, in one zstd frame stating its size", async () => {
  const packs = new Map(Array.from({ length: 300 }, (_, p) => [hashId<"pack">(`z${p}`) as PackId, encodeManifest(entries(`z${p}`, 1 + (p % 40)))]));
  const index = { packs, supersedes: new Set([hashId<"index">("a") as IndexId, hashId<"index">("b") as IndexId]) };
  const whole = encodeIndex(index);
  // The head, then each pack's ID and manifest: the manifests handed on as they are held, not copied.
  const pieces = [...encodeIndexPieces(index)];
  expect(pieces.length).toBe(1 + 2 * packs.size);
  const held = new Set(packs.values());
  expect(pieces.filter((p) => held.has(p)).length).toBe(packs.size);
  expect(Buffer.from(concatBytes(pieces)).equals(Buffer.from(whole))).toBe(true);
  const written = await writeIndexStreamed(tempDir("indexer-stream"), index);
  expect(written.id).toBe(hashId<"index">(whole) as IndexId);
  const compressed = new Uint8Array(fs.readFileSync(written.path)).subarray("MKBAKIDX1".length);
  const frame = scanFrame(compressed, 0, compressed.length)!;
  expect([frame.end, frame.contentSize]).toEqual([compressed.length, whole.length]);
  expect(Buffer.from(zstdDecompress(compressed, "the index", { atMost: whole.length })).equals(Buffer.from(whole))).toBe(true);
});

test("100,000 blobs listed leave no object per blob on the heap", () => {
  const indexer = new Indexer(tempDir("indexer-heap"), { packs: new Map(), supersedes: new Set() }, false);
  const manifests = Array.from({ length: 10 }, (_, p) => encodeManifest(entries(`h${p}`, 10_000)));
  Bun.gc(true);
  const before = heapStats().objectCount;
  manifests.forEach((m, p) => indexer.addPack(hashId<"pack">(`h${p}`) as PackId, m, 1000));
  manifests.length = 0;
  Bun.gc(true);
  expect(heapStats().objectCount - before).toBeLessThan(1000);
  expect(indexer.packs.size).toBe(10);
});

test("journaling each pack leaves no buffers behind", () => {
  const indexer = new Indexer(tempDir("indexer-wip"), { packs: new Map(), supersedes: new Set() }, true);
  const manifests = Array.from({ length: 12 }, (_, p) => encodeManifest(entries(`w${p}`, 20_000)));
  Bun.gc(true);
  const before = process.memoryUsage().arrayBuffers;
  manifests.forEach((m, p) => indexer.addPack(hashId<"pack">(`w${p}`) as PackId, m, 1000));
  // Each rewrite makes the CBOR (up to 13 MB here), its compressed copy and the file's bytes; left
  // to the runtime, 33 MB of them were still held after the last.
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 << 20);
});

test("a failed write of the index names the index file, and a full disk's hint names the scratch directory", async () => {
  const dir = tempDir("indexer-fail");
  const indexer = new Indexer(dir, { packs: new Map(), supersedes: new Set() }, false);
  indexer.addPack(hashId<"pack">("f") as PackId, encodeManifest(entries("f", 3)), 1000);
  fs.rmSync(dir, { recursive: true });
  const err = await indexer.finish().then(() => undefined, (e: unknown) => e as Error);
  expect(err?.message).toMatch(new RegExp(`^Couldn't write ${dir}/[0-9a-v]{45}\\.index in the scratch directory`));
});
