/** zstd decoding with an expected size or a cap: sizes within it pass, and a frame that would grow past it stops there with an error naming the object. */
import { expect, test } from "bun:test";
import { asPlainBytes } from "../../src/lib/bytes.ts";
import { zstdCompress, zstdDecompress } from "../../src/kernels/zstd.ts";
import { concatBytes } from "../../src/lib/bytes.ts";
import { randomBytes } from "../helpers/random.ts";
import { streamedFrame } from "../helpers/zstd-stream.ts";

const data = randomBytes(7, 300_000);

test("one frame or several, with or without a content size, decode to the expected size", async () => {
  const several = concatBytes([zstdCompress(data.subarray(0, 1000)), zstdCompress(data.subarray(1000))]);
  const streamed = await streamedFrame([data.subarray(0, 5), data.subarray(5)]);
  for (const z of [zstdCompress(data), several, streamed]) {
    expect(Buffer.from(zstdDecompress(z, "x", { exactly: data.length })).equals(Buffer.from(data))).toBe(true);
    expect(Buffer.from(zstdDecompress(z, "x", { atMost: data.length })).equals(Buffer.from(data))).toBe(true);
  }
  expect(zstdDecompress(zstdCompress(new Uint8Array(0)), "x", { exactly: 0 }).length).toBe(0);
});

test("a frame that would decompress past the expected size fails without producing it all", async () => {
  // 1 GiB of zeros squeezes into a few tens of KB: a hostile pack could claim it is one small blob.
  const bomb = await streamedFrame([new Uint8Array(256 << 20), new Uint8Array(256 << 20), new Uint8Array(256 << 20), new Uint8Array(256 << 20)]);
  expect(bomb.length).toBeLessThan(1 << 20);
  expect(() => zstdDecompress(bomb, "pack p's frame at byte 9", { exactly: 4096 })).toThrow("pack p's frame at byte 9 decompresses to more than 4096 bytes");
  expect(() => zstdDecompress(bomb, "index i", { atMost: 1 << 20 })).toThrow(`index i decompresses to more than ${1 << 20} bytes`);
});

test("a cap lets anything up to it through, by its frame header or by decoding", async () => {
  expect(zstdDecompress(zstdCompress(data), "x", { atMost: data.length }).length).toBe(data.length);
  expect(() => zstdDecompress(zstdCompress(data), "index i", { atMost: data.length - 1 })).toThrow(`index i decompresses to more than ${data.length - 1} bytes`);
  const streamed = await streamedFrame([data]);
  expect(() => zstdDecompress(streamed, "index i", { atMost: data.length - 1 })).toThrow(`index i decompresses to more than ${data.length - 1} bytes`);
});

test("a frame shorter than expected, or not zstd, fails naming the object", () => {
  expect(() => zstdDecompress(zstdCompress(data), "pack p's blobs", { exactly: data.length + 1 })).toThrow(`pack p's blobs decompressed to ${data.length} bytes, not ${data.length + 1}`);
  expect(() => zstdDecompress(new Uint8Array([1, 2, 3, 4, 5]), "pack p's blobs", { exactly: 10 })).toThrow("pack p's blobs is not valid zstd data");
});

test("a frame whose header understates its size is refused, not decoded past it", () => {
  const z = zstdCompress(new Uint8Array(8 << 20), 1);
  // Frame header: magic, descriptor (a 4-byte content size, no dictionary), window, then the size.
  expect(z[4]! >> 6).toBe(2);
  expect(z[4]! & 0x23).toBe(0);
  new DataView(z.buffer, z.byteOffset).setUint32(6, 4096, true);
  expect(() => zstdDecompress(z, "pack p's frame at byte 9", { exactly: 4096 })).toThrow("pack p's frame at byte 9 is not valid zstd data");
});

test("zstd's output is used in place, not copied, unless it is a slice of a larger buffer", () => {
  const whole = Buffer.alloc(1 << 20, 7);
  const inPlace = asPlainBytes(whole);
  expect(inPlace.buffer).toBe(whole.buffer);
  expect(Object.getPrototypeOf(inPlace)).toBe(Uint8Array.prototype);
  const pooled = Buffer.alloc(64).fill("tiny", 8, 12).subarray(8, 12);
  const copied = asPlainBytes(pooled);
  expect(copied.buffer).not.toBe(pooled.buffer);
  expect(new TextDecoder().decode(copied)).toBe("tiny");
});
