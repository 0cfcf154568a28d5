/**
 * Builds the master index's blob table for many synthetic blobs (random 28-byte IDs, 1000 to a
 * pack by default) and prints what it costs: bytes per blob (its own typed arrays, and the growth
 * of the heap and of the process's RSS), build time, and lookups per second for hits and misses,
 * by digest and by text ID. Run with `npm run bench:index` (options: --blobs N, --per-pack N).
 */
import { heapStats } from "bun:jsc";
import { parseArgs } from "node:util";
import { idFromDigest } from "../src/format/id.ts";
import { BlobTable } from "../src/repo/blob-table.ts";

const { values: args } = parseArgs({ options: { blobs: { type: "string", default: "10000000" }, "per-pack": { type: "string", default: "1000" } } });
const BLOBS = Number(args.blobs);
const PER_PACK = Number(args["per-pack"]);
const PACKS = Math.ceil(BLOBS / PER_PACK);
const ID = 28;
const SAMPLE = 1_000_000;

/**
 * Fills `out` with the words fmix32(first), fmix32(first + 1), …: murmur3's finalizer is a
 * bijection, so words made from distinct counters never repeat, and neither do IDs.
 */
function fill(out: Uint8Array, first: number): Uint8Array {
  const words = new Uint32Array(out.buffer, out.byteOffset, out.byteLength >>> 2);
  for (let i = 0; i < words.length; i++) {
    let h = (first + i) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    words[i] = (h ^ (h >>> 16)) >>> 0;
  }
  return out;
}
const WORDS = ID / 4;
/** Counters: blob IDs from 0, pack IDs from 2^31, missing IDs from 3 × 2^30. */
const blobsOf = (p: number): number => p * PER_PACK * WORDS;
const PACK_BASE = 2 ** 31;
const MISS_BASE = 3 * 2 ** 30;

/** Memory after a full collection (run again after a turn of the event loop, which is when freed array buffers are counted out). */
async function memory(): Promise<{ rss: number; heap: number; objects: number; extra: number }> {
  Bun.gc(true);
  await new Promise((resolve) => setImmediate(resolve));
  Bun.gc(true);
  const h = heapStats();
  return { rss: process.memoryUsage.rss(), heap: h.heapSize, objects: h.objectCount, extra: h.extraMemorySize };
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const perBlob = (bytes: number): string => (bytes / BLOBS).toFixed(1);
const rate = (n: number, ms: number): string => `${((n / ms) * 1000 / 1e6).toFixed(2)} M/s`;

const before = await memory();
const t0 = performance.now();
const table = new BlobTable({ blobs: BLOBS, packs: PACKS }); // as the master index makes it, having counted the indexes' blobs
const ids = new Uint8Array(PER_PACK * ID);
const packId = new Uint8Array(ID);
for (let p = 0; p < PACKS; p++) {
  table.addPack(fill(packId, PACK_BASE + p * WORDS));
  const n = Math.min(PER_PACK, BLOBS - p * PER_PACK);
  fill(ids, blobsOf(p));
  for (let i = 0; i < n; i++) table.addBlob("chunk", 1000 + i, ids, i * ID);
}
table.trim();
const buildMs = performance.now() - t0;
const after = await memory();

// Hits: every blob of packs picked evenly; misses: IDs from seeds no pack used.
const hits = new Uint8Array(SAMPLE * ID);
const step = Math.max(1, Math.floor(PACKS / (SAMPLE / PER_PACK)));
for (let k = 0, p = 0; k < SAMPLE; p = (p + step) % PACKS) {
  const n = Math.min(PER_PACK, BLOBS - p * PER_PACK, SAMPLE - k);
  hits.set(fill(ids, blobsOf(p)).subarray(0, n * ID), k * ID);
  k += n;
}
const misses = fill(new Uint8Array(SAMPLE * ID), MISS_BASE);
const time = (what: Uint8Array, expected: boolean): number => {
  const t = performance.now();
  for (let k = 0; k < SAMPLE; k++) if (table.hasDigest(what, k * ID) !== expected) throw new Error(`lookup ${k} answered ${!expected}`);
  return performance.now() - t;
};
const hitMs = time(hits, true);
const missMs = time(misses, false);
const texts = Array.from({ length: SAMPLE / 10 }, (_, k) => idFromDigest<"blob">(hits.subarray(k * ID, (k + 1) * ID)));
const t1 = performance.now();
for (const id of texts) if (table.get(id) === undefined) throw new Error(`${id} not found`);
const textMs = performance.now() - t1;

console.log(`blobs ${BLOBS.toLocaleString("en")} in ${PACKS.toLocaleString("en")} packs (${table.size.toLocaleString("en")} distinct)`);
console.log(`typed arrays       ${mib(table.byteLength)}, ${perBlob(table.byteLength)} bytes per blob`);
console.log(`heap growth        ${mib(after.heap - before.heap)}, ${perBlob(after.heap - before.heap)} bytes per blob, ${after.objects - before.objects} more objects (heapStats: heapSize, array buffers counted in, after a full GC)`);
console.log(`extra memory       ${mib(after.extra - before.extra)}, ${perBlob(after.extra - before.extra)} bytes per blob (heapStats: array buffers as JSC accounts them, freed ones included until it sweeps)`);
console.log(`RSS growth         ${mib(after.rss - before.rss)}, ${perBlob(after.rss - before.rss)} bytes per blob (after a full GC; the process's peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)`);
console.log(`build              ${(buildMs / 1000).toFixed(2)} s, ${rate(BLOBS, buildMs)}`);
console.log(`lookups by digest  hits ${rate(SAMPLE, hitMs)}, misses ${rate(SAMPLE, missMs)} (${SAMPLE.toLocaleString("en")} each)`);
console.log(`get by text ID     ${rate(texts.length, textMs)} (${texts.length.toLocaleString("en")}, each decoding the ID and making a location)`);
