/** The FastCDC conformance suite, written once and run for every kernel: crate vectors, streaming invariance, edge lengths. */
import { describe, expect, test } from "bun:test";
import { BACKPAK_CDC, type CdcKernelKind, type CdcParams, chunkLengths, createChunker, type Cut } from "../../src/kernels/fastcdc/index.ts";
import { cdcTables } from "../../src/kernels/fastcdc/params.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { readVector } from "../vectors.ts";
import { randomBytes } from "../helpers/random.ts";

interface VectorCase { name: string; min: number; avg: number; max: number; normalization: number; seed: number; chunks: { length: number; hash: string }[] }

const SMALL: CdcParams = { min: 4096, avg: 16384, max: 65535, normalization: 1, seed: 0n };
const MiB = 1 << 20;


/** The crate's `cut` transcribed literally with BigInt, applied to the whole input: the oracle. */
function oracle(data: Uint8Array, p: CdcParams): Cut[] {
  const t = cdcTables(p);
  const cuts: Cut[] = [];
  for (let off = 0; off < data.length; ) {
    const src = data.subarray(off);
    let remaining = src.length;
    let center = p.avg;
    let hash = 0n;
    let cut = -1;
    if (remaining <= p.min) cut = remaining;
    else {
      if (remaining > p.max) remaining = p.max;
      else if (remaining < center) center = remaining;
      let i = Math.floor(p.min / 2);
      for (const [stop, m] of [[Math.floor(center / 2), t.maskS], [Math.floor(remaining / 2), t.maskL]] as const) {
        for (; cut < 0 && i < stop; i++) {
          hash = BigInt.asUintN(64, (hash << 2n) + t.gearLs[src[2 * i]!]!);
          if ((hash & (m << 1n)) === 0n) cut = 2 * i;
          else {
            hash = BigInt.asUintN(64, hash + t.gear[src[2 * i + 1]!]!);
            if ((hash & m) === 0n) cut = 2 * i + 1;
          }
        }
      }
      if (cut < 0) cut = remaining;
    }
    cuts.push({ length: cut, hash });
    off += cut;
  }
  return cuts;
}

/** Pushes `data` in pieces whose sizes cycle through `sizes`, then finishes. */
function cutsInPieces(kind: CdcKernelKind, data: Uint8Array, sizes: number[], p: CdcParams = BACKPAK_CDC): Cut[] {
  const chunker = createChunker(kind, p);
  const cuts: Cut[] = [];
  for (let off = 0, k = 0; off < data.length; k++) {
    const n = sizes[k % sizes.length]!;
    cuts.push(...chunker.push(data.subarray(off, off + n)));
    off += n;
  }
  return [...cuts, ...chunker.finish()];
}

const allCuts = (kind: CdcKernelKind, data: Uint8Array, p: CdcParams = BACKPAK_CDC): Cut[] => cutsInPieces(kind, data, [data.length || 1], p);

/** Seeded piece sizes in [1, max]. */
function randomSizes(count: number, max: number, seed: number): number[] {
  return Array.from(new Uint32Array(randomBytes(seed, 4 * count).buffer, 0, count), (x) => (x % max) + 1);
}

export function chunkerSuite(kind: CdcKernelKind): void {
  const other: CdcKernelKind = kind === "wasm" ? "js" : "wasm";

  describe(`FastCDC v2020 (${kind} kernel)`, () => {
    test("matches every case of fastcdc-v2020.json (lengths and hashes), whole and in pieces", () => {
      const jpg = readVector("SekienAkashita.jpg");
      const cases = (JSON.parse(new TextDecoder().decode(readVector("fastcdc-v2020.json"))) as { cases: VectorCase[] }).cases;
      expect(cases.length).toBeGreaterThan(0);
      for (const c of cases) {
        const p: CdcParams = { min: c.min, avg: c.avg, max: c.max, normalization: c.normalization, seed: BigInt(c.seed) };
        const want = c.chunks.map((ch) => ({ length: ch.length, hash: BigInt(ch.hash) }));
        expect({ name: c.name, cuts: allCuts(kind, jpg, p) }).toEqual({ name: c.name, cuts: want });
        expect({ name: c.name, cuts: cutsInPieces(kind, jpg, [1, 2, 3, 7, 4096], p) }).toEqual({ name: c.name, cuts: want });
      }
    });

    test("sr71.txt is one chunk with backpak's ID", () => {
      const text = readVector("backpak/sr71.txt");
      expect(chunkLengths(kind, text)).toEqual([6934]);
      expect(hashId(text.subarray(0, 6934)) as string).toBe("3klf09rvhih97ev102hos4g0hq6cr2b0o74mvhthli7oq");
    });

    test("empty input gives no chunks; finish() resets for a new stream", () => {
      const chunker = createChunker(kind, SMALL);
      expect(chunker.finish()).toEqual([]);
      expect(chunker.push(new Uint8Array(0))).toEqual([]);
      expect(chunker.finish()).toEqual([]);
      expect(chunkLengths(kind, new Uint8Array(0))).toEqual([]);
      const data = randomBytes(7, 600_001);
      const want = oracle(data, SMALL);
      expect(want.length).toBeGreaterThan(10);
      expect([...chunker.push(data.subarray(0, 12_345)), ...chunker.finish()]).toEqual(oracle(data.subarray(0, 12_345), SMALL));
      expect([...chunker.push(data), ...chunker.finish()]).toEqual(want);
    });

    test("edge lengths (min, min+1, avg-1, odd) match the crate", () => {
      const data = randomBytes(11, BACKPAK_CDC.avg);
      const { min, avg } = BACKPAK_CDC;
      for (const n of [1, 2, 3, min - 1, min, min + 1, min + 2, min + 3, avg - 1]) {
        const input = data.subarray(0, n);
        expect(allCuts(kind, input)).toEqual(oracle(input, BACKPAK_CDC));
      }
    });

    test("input ending next to a cut (even or odd offset) matches the crate", () => {
      const data = randomBytes(13, 400_000);
      const cuts = oracle(data, SMALL).slice(0, -1);
      expect(new Set(cuts.map((c) => c.length % 2))).toEqual(new Set([0, 1]));
      for (let k = 0, start = 0; k < 12; start += cuts[k]!.length, k++) {
        for (const d of [-1, 0, 1, 2]) {
          const input = data.subarray(start, start + cuts[k]!.length + d);
          expect(allCuts(kind, input, SMALL)).toEqual(oracle(input, SMALL));
          expect(cutsInPieces(kind, input, [1], SMALL)).toEqual(oracle(input, SMALL));
        }
      }
    });

    test("odd sizes and seeds match the crate on random data", () => {
      const data = randomBytes(3, 700_001);
      const params: CdcParams[] = [
        SMALL,
        { min: 64, avg: 256, max: 1024, normalization: 3, seed: 666n },
        { min: 8191, avg: 16383, max: 40001, normalization: 0, seed: (1n << 64n) - 1n },
        { min: 1023, avg: 4097, max: 5001, normalization: 2, seed: 12345678901234567n },
      ];
      for (const p of params) {
        const want = oracle(data, p);
        expect(allCuts(kind, data, p)).toEqual(want);
        expect(cutsInPieces(kind, data, [1, 2, 3, 7], p)).toEqual(want);
        expect(cutsInPieces(kind, data, randomSizes(64, 9000, 5), p)).toEqual(want);
      }
    });

    test("cuts are the same whatever the piece sizes", () => {
      const data = randomBytes(42, 20 * MiB + 1);
      const want = allCuts(kind, data);
      for (const sizes of [[4096], [65537], [1 << 20, 1], [3 * MiB + 1, 2, 5 * MiB], randomSizes(200, 300_000, 9), randomSizes(50, 9 * MiB, 10)]) {
        expect(cutsInPieces(kind, data, sizes)).toEqual(want);
      }
    });

    test("the sink sees each chunk's exact bytes, fed in pieces of any size", () => {
      const data = randomBytes(77, 12 * MiB + 3);
      for (const piece of [1 << 20, 4_000_001, 9 * MiB]) {
        const chunker = createChunker(kind);
        const seen: Uint8Array[] = [];
        const sink = (bytes: Uint8Array): void => void seen.push(bytes.slice());
        const lengths: number[] = [];
        for (let off = 0; off < data.length; off += piece) lengths.push(...chunker.push(data.subarray(off, off + piece), sink).map((c) => c.length));
        lengths.push(...chunker.finish(sink).map((c) => c.length));
        expect(seen.map((b) => b.length)).toEqual(lengths);
        expect(Buffer.concat(seen).equals(Buffer.from(data))).toBe(true);
      }
    });

    test("two live chunkers interleaved don't disturb each other", () => {
      const a = randomBytes(1, 6 * MiB);
      const b = randomBytes(2, 5 * MiB + 7);
      const [ca, cb] = [createChunker(kind), createChunker(kind, SMALL)];
      const got: Cut[] = [];
      const gotB: Cut[] = [];
      for (let off = 0; off < a.length || off < b.length; off += 100_003) {
        got.push(...ca.push(a.subarray(off, off + 100_003)));
        gotB.push(...cb.push(b.subarray(off, off + 100_003)));
      }
      got.push(...ca.finish());
      gotB.push(...cb.finish());
      expect(got).toEqual(allCuts(kind, a));
      expect(gotB).toEqual(allCuts(kind, b, SMALL));
      expect(gotB).toEqual(oracle(b, SMALL));
    });

    test(`40 MB of random data: same cuts as the ${other} kernel, sizes within [min, max]`, () => {
      const data = randomBytes(2024, 40_000_000);
      const cuts = allCuts(kind, data);
      expect(cuts).toEqual(allCuts(other, data));
      expect(cuts.reduce((sum, c) => sum + c.length, 0)).toBe(data.length);
      for (const c of cuts.slice(0, -1)) {
        expect(c.length).toBeGreaterThanOrEqual(BACKPAK_CDC.min);
        expect(c.length).toBeLessThanOrEqual(BACKPAK_CDC.max);
      }
      expect(chunkLengths(kind, data)).toEqual(cuts.map((c) => c.length));
    });

    test("all zeros cut at max (8 MiB) every time, whole or in pieces", () => {
      const { max } = BACKPAK_CDC;
      const zeros = new Uint8Array(3 * max + MiB + 5);
      const cuts = allCuts(kind, zeros);
      expect(cuts.map((c) => c.length)).toEqual([max, max, max, MiB + 5]);
      expect(new Set(cuts.slice(0, 3).map((c) => c.hash)).size).toBe(1);
      expect(cuts).toEqual(allCuts(other, zeros));
      expect(cutsInPieces(kind, zeros, [65537, 3])).toEqual(cuts);
      const small = zeros.subarray(0, 200_001);
      expect(cutsInPieces(kind, small, [7], SMALL)).toEqual(oracle(small, SMALL));
    });
  });
}
