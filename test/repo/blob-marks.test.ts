/** Blob marks beside the blob table: a blob is marked once, whichever pack copy lookups answer with; blobs the index lacks are marked too, and only listed ones count towards the bytes. */
import { expect, test } from "bun:test";
import { idFromDigest, type BlobId, type PackId } from "../../src/format/id.ts";
import { EMPTY_TREE_ID } from "../../src/format/tree.ts";
import { BlobMarks } from "../../src/repo/blob-marks.ts";
import { BlobTable } from "../../src/repo/blob-table.ts";
import { randomBytes } from "../helpers/random.ts";

const blobId = (seed: number): BlobId => idFromDigest<"blob">(randomBytes(seed, 28));
const packId = (seed: number): PackId => idFromDigest<"pack">(randomBytes(1_000_000 + seed, 28));

test("marks answer like a Set of IDs, and sum the listed blobs' lengths once each", () => {
  const t = new BlobTable();
  t.addManifest(packId(1), [1, 2, 3].map((s) => ({ type: "chunk", length: s * 10, id: blobId(s) })));
  t.addManifest(packId(2), [{ type: "chunk", length: 20, id: blobId(2) }]); // a second copy of blob 2
  const marks = new BlobMarks(t);
  expect(marks.has(blobId(2))).toBe(false);
  marks.add(blobId(2)).add(blobId(3)).add(blobId(2)).add(EMPTY_TREE_ID).add(blobId(99));
  expect([1, 2, 3, 99].map((s) => marks.has(blobId(s)))).toEqual([false, true, true, true]);
  expect(marks.has(EMPTY_TREE_ID)).toBe(true);
  expect(marks.listedBytes()).toBe(20 + 30);
});
