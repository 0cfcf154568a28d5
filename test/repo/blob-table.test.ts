/** The blob table: lookups by ID and by digest, manifests given back as indexed, a blob in two packs known in both, and its size per blob. */
import { expect, test } from "bun:test";
import { idFromDigest, idToDigest, type BlobId, type PackId } from "../../src/format/id.ts";
import type { Manifest } from "../../src/format/manifest.ts";
import { BlobTable } from "../../src/repo/blob-table.ts";
import { PackManifests } from "../../src/repo/pack-manifests.ts";
import { randomBytes } from "../helpers/random.ts";

const blobId = (seed: number): BlobId => idFromDigest<"blob">(randomBytes(seed, 28));
const packId = (seed: number): PackId => idFromDigest<"pack">(randomBytes(1_000_000 + seed, 28));
/** Pack `p`'s manifest: `n` blobs, every third a tree, with lengths from their number. */
const manifest = (p: number, n: number): Manifest =>
  Array.from({ length: n }, (_, i) => ({ type: i % 3 === 0 ? "tree" : "chunk", length: p * 1000 + i, id: blobId(p * 1000 + i) }) as const);

test("every blob is found with its pack, type and length, by ID and by digest; others are not", () => {
  const t = new BlobTable();
  for (let p = 0; p < 20; p++) expect(t.addManifest(packId(p), manifest(p, 50))).toBe(true);
  expect(t.size).toBe(1000);
  expect(t.packCount).toBe(20);
  for (let p = 0; p < 20; p++) {
    for (const e of manifest(p, 50)) {
      expect(t.get(e.id)).toEqual({ pack: packId(p), type: e.type, length: e.length });
      expect(t.has(e.id)).toBe(true);
      const inPlace = new Uint8Array(40);
      inPlace.set(idToDigest(e.id), 7);
      expect(t.hasDigest(inPlace, 7)).toBe(true);
    }
  }
  expect(t.get(blobId(999_999))).toBeUndefined();
  expect(t.has(blobId(999_999))).toBe(false);
  expect(t.hasDigest(idToDigest(blobId(999_998)))).toBe(false);
});

test("each pack's manifest comes back as it was added, in order, and packs iterate in the order added", () => {
  const t = new BlobTable();
  const sizes = [3, 1, 7, 2];
  sizes.forEach((n, p) => t.addManifest(packId(p), manifest(p, n)));
  const packs = new PackManifests(t);
  expect(packs.size).toBe(4);
  expect([...packs.keys()]).toEqual(sizes.map((_, p) => packId(p)));
  sizes.forEach((n, p) => expect(packs.get(packId(p))).toEqual(manifest(p, n)));
  expect([...packs.values()].map((m) => m.length)).toEqual(sizes);
  expect(packs.has(packId(9))).toBe(false);
  expect(packs.get(packId(9))).toBeUndefined();
});

test("a blob stored in two packs is in both manifests, answers with the first pack, and is counted once", () => {
  const t = new BlobTable();
  const shared = blobId(42);
  t.addManifest(packId(1), [{ type: "chunk", length: 5, id: blobId(1) }, { type: "chunk", length: 9, id: shared }]);
  t.addPack(idToDigest(packId(2)));
  expect(t.addBlob("chunk", 9, idToDigest(shared))).toBe(false);
  expect(t.addBlob("tree", 3, idToDigest(blobId(2)))).toBe(true);
  expect(t.get(shared)?.pack).toBe(packId(1));
  expect(t.packsOf(shared)).toEqual([packId(1), packId(2)]);
  expect(t.packsOf(blobId(2))).toEqual([packId(2)]);
  expect(t.size).toBe(3);
  expect(t.duplicates).toBe(1);
  const packs = new PackManifests(t);
  expect(packs.get(packId(2))!.map((e) => e.id)).toEqual([shared, blobId(2)]);
});

test("a pack listed twice (in two indexes) is kept once", () => {
  const t = new BlobTable();
  expect(t.addManifest(packId(1), manifest(1, 4))).toBe(true);
  expect(t.addManifest(packId(1), manifest(1, 4))).toBe(false);
  expect(t.packCount).toBe(1);
  expect(t.size).toBe(4);
  expect(t.duplicates).toBe(0);
});

test("a blob before any pack is refused", () => {
  expect(() => new BlobTable().addBlob("chunk", 1, idToDigest(blobId(1)))).toThrow("before any pack");
});

test("trimmed, 100,000 blobs in 100 packs take under 48 bytes each", () => {
  const t = new BlobTable();
  const ids = randomBytes(7, 100_000 * 28);
  for (let p = 0; p < 100; p++) {
    t.addPack(idToDigest(packId(p)));
    for (let i = p * 1000; i < (p + 1) * 1000; i++) t.addBlob("chunk", i, ids, i * 28);
  }
  t.trim();
  expect(t.byteLength / 100_000).toBeLessThan(48);
  expect(t.get(idFromDigest<"blob">(ids.subarray(54_321 * 28, 54_322 * 28)))).toEqual({ pack: packId(54), type: "chunk", length: 54_321 });
});

test("a table made for the blobs and packs to come doesn't grow while they are added, and under 48 bytes each", () => {
  const t = new BlobTable({ blobs: 50_000, packs: 50 });
  const made = t.byteLength;
  const ids = randomBytes(8, 50_000 * 28);
  for (let p = 0; p < 50; p++) {
    t.addPack(idToDigest(packId(p)));
    for (let i = p * 1000; i < (p + 1) * 1000; i++) t.addBlob(i % 2 ? "tree" : "chunk", i, ids, i * 28);
  }
  expect(t.byteLength).toBe(made);
  t.trim();
  expect(t.byteLength).toBe(made);
  expect(made / 50_000).toBeLessThan(48);
  expect(t.get(idFromDigest<"blob">(ids.subarray(777 * 28, 778 * 28)))).toEqual({ pack: packId(0), type: "tree", length: 777 });
});

test("room reserved for blobs is used as they are added: the table doesn't grow, and finds them all", () => {
  const t = new BlobTable();
  t.addManifest(packId(0), manifest(0, 10));
  t.reserve(1000);
  const reserved = t.byteLength;
  for (let p = 1; p <= 10; p++) t.addManifest(packId(p), manifest(p, 100));
  expect(t.byteLength).toBe(reserved);
  for (let p = 0; p <= 10; p++) for (const e of manifest(p, p === 0 ? 10 : 100)) expect(t.get(e.id)).toEqual({ pack: packId(p), type: e.type, length: e.length });
  t.trim();
  expect(t.byteLength).toBeLessThan(reserved);
});
