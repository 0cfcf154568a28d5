/** Reading packs on the workers: wanted blobs verified and written at their offsets, damage named, unsplittable packs refused. */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import type { BlobId } from "../../src/format/id.ts";
import { PACK_MAGIC } from "../../src/format/magic.ts";
import { encodeManifest } from "../../src/format/manifest.ts";
import { concatBytes, u32BE } from "../../src/lib/bytes.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { zstdCompress } from "../../src/kernels/zstd.ts";
import { BlobPipeline, UnsplittablePack, type BlobTarget, type PackTask } from "../../src/pipeline/blob-pipeline.ts";
import { WorkerPool } from "../../src/pipeline/pool.ts";
import { Packer, type FinishedPack } from "../../src/repo/packer.ts";
import { readPackColumnsFrom } from "../../src/repo/pack-file.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";
import { streamedFrame } from "../helpers/zstd-stream.ts";

cleanUpAfterThisFile();

const MiB = 1 << 20;
const blobs = Array.from({ length: 40 }, (_, i) => randomBytes(i + 7, 1000 + i * 30_000));
const ids = blobs.map((b) => hashId<"blob">(b));

async function packFile(frameSize: number): Promise<{ file: Uint8Array; pack: FinishedPack }> {
  let done: FinishedPack | undefined;
  const packer = new Packer({ scratchDir: tempDir("bp"), packSize: 1e9, frameSize, onPack: async (p) => void (done = p) });
  for (const [i, b] of blobs.entries()) await packer.add("chunk", ids[i]!, b);
  await packer.flush();
  return { file: new Uint8Array(fs.readFileSync(done!.path)), pack: done! };
}

/** Positioned reads of a pack held in memory. */
function fileReader(file: Uint8Array): PackTask["reader"] {
  return { size: file.length, readInto: (t, p) => (t.set(file.subarray(p, p + t.length)), Math.min(t.length, file.length - p)) };
}

function task(file: Uint8Array, wanted: Map<number, BlobTarget[]>, onBlob?: PackTask["onBlob"]): PackTask {
  const reader = fileReader(file);
  const layout = readPackColumnsFrom(reader, hashId<"pack">(encodeManifest(blobs.map((b, i) => ({ type: "chunk", length: b.length, id: ids[i]! })))));
  return {
    label: "pack test",
    reader,
    blobsStart: PACK_MAGIC.length,
    blobsEnd: layout.blobsEnd,
    blobs: layout.blobs,
    wanted,
    ...(onBlob ? { onBlob } : {}),
  };
}

async function withPipeline<T>(fn: (p: BlobPipeline) => Promise<T>): Promise<T> {
  const pool = new WorkerPool({ workers: 2, dataBytes: 16 * MiB });
  try {
    return await fn(new BlobPipeline(pool, 16 * MiB));
  } finally {
    pool.close();
  }
}

describe("blob pipeline", () => {
  test("writes every wanted blob (some twice) at its offsets, and reports each once", async () => {
    const { file } = await packFile(256 * 1024);
    const dir = tempDir("bp-out");
    const out = path.join(dir, "out");
    const wanted = [3, 0, 17, 39, 17];
    const size = wanted.reduce((n, b) => n + blobs[b]!.length, 0);
    fs.writeFileSync(out, new Uint8Array(size));
    const targets = new Map<number, BlobTarget[]>();
    let off = 0;
    for (const b of wanted) {
      targets.set(b, [...(targets.get(b) ?? []), { path: out, offset: off }]);
      off += blobs[b]!.length;
    }
    const reported: number[] = [];
    await withPipeline(async (p) => {
      await p.run(task(file, targets, (i) => reported.push(i)));
      await p.finish();
    });
    expect(reported.sort((a, b) => a - b)).toEqual([0, 3, 17, 39]);
    expect(Buffer.from(fs.readFileSync(out)).equals(Buffer.concat(wanted.map((b) => Buffer.from(blobs[b]!))))).toBe(true);
  });

  test("a damaged frame fails naming the pack and the blob; settle() collects instead of throwing", async () => {
    const { file } = await packFile(256 * 1024);
    const bad = file.slice();
    bad[Math.floor(bad.length / 2)] = bad[Math.floor(bad.length / 2)]! ^ 0xff;
    const all = new Map(blobs.map((_, i) => [i, [] as BlobTarget[]]));
    const errors = await withPipeline(async (p) => {
      // The failure surfaces from run() if it is noticed while feeding, else from settle().
      const caught: Error[] = [];
      await p.run(task(bad, all)).catch((e: Error) => void caught.push(e));
      return [...caught, ...(await p.settle())];
    });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.message).toContain("pack test");
  });

  test("with onDamage, a damaged frame's blobs are handed to it instead of throwing; every other blob is reported", async () => {
    const { file } = await packFile(256 * 1024);
    const bad = file.slice();
    bad[Math.floor(bad.length / 2)] = bad[Math.floor(bad.length / 2)]! ^ 0xff;
    const all = new Map(blobs.map((_, i) => [i, [] as BlobTarget[]]));
    const good: number[] = [];
    const damaged: number[] = [];
    const messages: string[] = [];
    await withPipeline(async (p) => {
      await p.run({
        ...task(bad, all, (i) => good.push(i)),
        onDamage: (err, indexes) => {
          messages.push(err.message);
          damaged.push(...indexes);
        },
      });
      await p.finish();
    });
    expect(damaged.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.startsWith("Couldn't read pack test"))).toBe(true);
    expect([...good, ...damaged].sort((a, b) => a - b)).toEqual(blobs.map((_, i) => i));
  });

  test("a pack cut short fails alone: its ring space is freed, so the packs after it still go through", async () => {
    const { file } = await packFile(256 * 1024);
    const all = new Map(blobs.map((_, i) => [i, [] as BlobTarget[]]));
    const short: PackTask = { ...task(file, all), reader: { size: file.length, readInto: () => 0 } };
    const reported: number[] = [];
    await withPipeline(async (p) => {
      // More failures than the ring has windows: each must give its window back.
      for (let i = 0; i < 4; i++) await expect(p.run(short)).rejects.toThrow("pack test is shorter than its manifest says");
      await p.run(task(file, all, (b) => reported.push(b)));
      await p.finish();
    });
    expect(reported.length).toBe(blobs.length);
  });

  test("a pack whose blob stream is one streamed frame is refused as unsplittable", async () => {
    const stream = await streamedFrame(blobs.slice(0, 3));
    const cbor = encodeManifest(blobs.slice(0, 3).map((b, i) => ({ type: "chunk", length: b.length, id: ids[i]! as BlobId })));
    const zm = zstdCompress(cbor);
    const file = concatBytes([Buffer.from(PACK_MAGIC), stream, zm, u32BE(zm.length)]);
    const reader = fileReader(file);
    const layout = readPackColumnsFrom(reader, hashId<"pack">(cbor));
    const t: PackTask = {
      label: "pack single",
      reader,
      blobsStart: PACK_MAGIC.length,
      blobsEnd: layout.blobsEnd,
      blobs: layout.blobs,
      wanted: new Map([[0, []]]),
    };
    await withPipeline(async (p) => {
      await expect(p.run(t)).rejects.toBeInstanceOf(UnsplittablePack);
    });
  });
});
