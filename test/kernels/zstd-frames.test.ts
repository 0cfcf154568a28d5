/** Frame boundaries found from headers alone match how the frames were written, for one-shot and streamed frames. */
import { expect, test } from "bun:test";
import zlib from "node:zlib";
import { scanFrame, scanFrames } from "../../src/kernels/zstd-frames.ts";
import { concatBytes } from "../../src/lib/bytes.ts";
import { randomBytes } from "../helpers/random.ts";

test("splits concatenated frames and reads their content sizes", () => {
  const inputs = [new Uint8Array(300_000).fill(1), new TextEncoder().encode("hello hello hello"), randomBytes(7, 500_000), new Uint8Array(0)];
  const frames = inputs.map((d) => new Uint8Array(Bun.zstdCompressSync(d)));
  const streamed = new Uint8Array(zlib.zstdCompressSync(new Uint8Array(5_000_000).fill(3)));
  const all = concatBytes([...frames, streamed]);
  const found = scanFrames(all);
  expect(found.map((f) => f.end - f.start)).toEqual([...frames, streamed].map((f) => f.length));
  expect(found.slice(0, 4).map((f) => f.contentSize)).toEqual(inputs.map((d) => d.length));
  for (const f of found) expect(new Uint8Array(Bun.zstdDecompressSync(all.subarray(f.start, f.end))).length).toBeGreaterThanOrEqual(0);
});

test("asks for more bytes when a frame is cut off, and refuses what is not zstd", () => {
  const frame = new Uint8Array(Bun.zstdCompressSync(randomBytes(1, 100_000)));
  for (const cut of [3, 10, frame.length - 1]) expect(scanFrame(frame, 0, cut)).toBeUndefined();
  expect(scanFrame(frame, 0, frame.length)?.end).toBe(frame.length);
  expect(() => scanFrames(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(/no zstd frame/);
});
