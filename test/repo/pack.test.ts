/** Packs: written as concatenated frames, read back verified; backpak's single-frame packs read too; damage is named. */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import { PACK_MAGIC } from "../../src/format/magic.ts";
import { decodeManifest, encodeManifest, type ManifestEntry } from "../../src/format/manifest.ts";
import type { BlobId, PackId } from "../../src/format/id.ts";
import { concatBytes, u32BE } from "../../src/lib/bytes.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { zstdCompress } from "../../src/kernels/zstd.ts";
import { readPackLayout, unpackBlobs } from "../../src/repo/pack-file.ts";
import { Packer, type FinishedPack } from "../../src/repo/packer.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";
import { streamedFrame } from "../helpers/zstd-stream.ts";

cleanUpAfterThisFile();

const blobs = Array.from({ length: 12 }, (_, i) => {
  const bytes = randomBytes(i + 1, 1000 + i * 40_000);
  return { id: hashId<"blob">(bytes), bytes };
});

/** The packs a Packer finishes, with their manifests decoded from the CBOR it hands on. */
async function pack(packSize: number, frameSize?: number): Promise<(Omit<FinishedPack, "manifest"> & { manifest: ManifestEntry[] })[]> {
  const done: (Omit<FinishedPack, "manifest"> & { manifest: ManifestEntry[] })[] = [];
  const onPack = async (f: FinishedPack): Promise<void> => void done.push({ ...f, manifest: decodeManifest(f.manifest, f.id) });
  const p = new Packer({ scratchDir: tempDir("packer"), packSize, ...(frameSize ? { frameSize } : {}), onPack });
  for (const b of blobs) await p.add("chunk", b.id, b.bytes);
  await p.flush();
  return done;
}

/** A pack laid out as backpak writes it: all blobs in ONE zstd frame. */
function singleFramePack(entries: { id: BlobId; bytes: Uint8Array }[]): { id: PackId; file: Uint8Array; manifest: ManifestEntry[] } {
  const manifest: ManifestEntry[] = entries.map((e) => ({ type: "chunk", length: e.bytes.length, id: e.id }));
  const cbor = encodeManifest(manifest);
  const zm = zstdCompress(cbor);
  const file = concatBytes([Buffer.from(PACK_MAGIC), zstdCompress(concatBytes(entries.map((e) => e.bytes))), zm, u32BE(zm.length)]);
  return { id: hashId<"pack">(cbor), file, manifest };
}

describe("packer", () => {
  test("round-trips every blob, in order, through one pack of several frames", async () => {
    const [only, ...rest] = await pack(1e9, 64 * 1024);
    expect(rest).toEqual([]);
    const file = new Uint8Array(fs.readFileSync(only!.path));
    expect(Buffer.from(file.subarray(0, 9)).toString()).toBe("MKBAKPAK1");
    expect(file.length).toBe(only!.size);
    const out = unpackBlobs(file, only!.id, only!.manifest);
    expect(out.map((b) => b.entry.id)).toEqual(blobs.map((b) => b.id));
    out.forEach((b, i) => expect(Buffer.from(b.bytes).equals(Buffer.from(blobs[i]!.bytes))).toBe(true));
    // The pack ID is the hash of its manifest, which sits at its end.
    expect(readPackLayout(file, only!.id).manifest).toEqual(only!.manifest);
  });

  test("splits into several packs once the file reaches the size target", async () => {
    const packs = await pack(150_000);
    expect(packs.length).toBeGreaterThan(2);
    expect(packs.flatMap((p) => p.manifest.map((e) => e.id))).toEqual(blobs.map((b) => b.id));
    for (const p of packs.slice(0, -1)) expect(p.size).toBeGreaterThanOrEqual(150_000);
  });

  test("a failed hand-off leaves the packer refusing more work", async () => {
    const p = new Packer({ scratchDir: tempDir("packer"), packSize: 1, onPack: async () => Promise.reject(new Error("disk full")) });
    await p.add("chunk", blobs[0]!.id, blobs[0]!.bytes);
    await expect(p.flush()).rejects.toThrow("disk full");
    await expect(p.add("chunk", blobs[1]!.id, blobs[1]!.bytes)).rejects.toThrow(/refuses more work/);
    await expect(p.addFrame([], new Uint8Array(0))).rejects.toThrow(/refuses more work/);
  });

  test("after a failed hand-off, abandon leaves only finished packs in the working directory", async () => {
    const workDir = tempDir("packer");
    const p = new Packer({ scratchDir: workDir, packSize: 60_000, onPack: async () => Promise.reject(new Error("disk full")) });
    // Each frame fills a pack: the first pack's hand-off fails while the second is being finished.
    const frames = blobs.slice(4, 8).map((b) => ({ entry: { type: "chunk" as const, length: b.bytes.length, id: b.id }, z: zstdCompress(b.bytes) }));
    const err = await (async () => {
      for (const f of frames) await p.addFrame([f.entry], f.z);
      await p.flush();
    })().catch((e: unknown) => e);
    expect(String(err)).toContain("disk full");
    p.abandon();
    const left = fs.readdirSync(workDir);
    expect(left.filter((n) => n.startsWith("temp-backpak-"))).toEqual([]);
    expect(left.length).toBeGreaterThan(0);
    for (const n of left) expect(n).toMatch(/^[0-9a-v]{45}\.pack$/);
  });
});

describe("pack reader", () => {
  test("reads backpak's single-frame packs", () => {
    const { id, file, manifest } = singleFramePack(blobs.slice(0, 4));
    const out = unpackBlobs(file, id, manifest);
    expect(out.map((b) => Buffer.from(b.bytes).equals(Buffer.from(blobs[out.indexOf(b)]!.bytes)))).toEqual([true, true, true, true]);
  });

  test("reads a streamed blob frame without a content size and with mid-stream flushes", async () => {
    const entries = blobs.slice(0, 5);
    const stream = await streamedFrame(entries.map((e) => e.bytes));
    expect(stream[4]! & 0xc0).toBe(0); // frame header: no content size field
    const manifest: ManifestEntry[] = entries.map((e) => ({ type: "chunk", length: e.bytes.length, id: e.id }));
    const cbor = encodeManifest(manifest);
    const zm = zstdCompress(cbor);
    const file = concatBytes([Buffer.from(PACK_MAGIC), stream, zm, u32BE(zm.length)]);
    expect(unpackBlobs(file, hashId<"pack">(cbor), manifest).map((b) => b.entry.id)).toEqual(entries.map((e) => e.id));
  });

  test("names the pack when it is truncated, has the wrong magic, or a blob was altered", () => {
    const { id, file, manifest } = singleFramePack(blobs.slice(0, 3));
    expect(() => readPackLayout(file.subarray(0, file.length - 10), id)).toThrow(new RegExp(id));
    const badMagic = file.slice();
    badMagic[0] = 0x58;
    expect(() => readPackLayout(badMagic, id)).toThrow(/Wrong magic bytes for packfile/);
    // Store the blobs uncompressed-looking by flipping a byte inside the zstd data: decoding or hashing fails.
    const flipped = file.slice();
    flipped[200] = flipped[200]! ^ 0xff;
    expect(() => unpackBlobs(flipped, id, manifest)).toThrow(new RegExp(`pack ${id}|Pack ${id}`));
  });
});
