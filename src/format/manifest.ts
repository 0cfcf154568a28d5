/**
 * Pack manifests: a CBOR array of { "type": "chunk"|"tree", "length": u32, "id": 28 bytes },
 * one entry per blob in the order the blobs sit in the pack. Pack ID = SHA-224 of this CBOR.
 */
import { CborWriter } from "./cbor.ts";
import { CborCursor } from "./cbor-cursor.ts";
import { ID_BYTES, idFromDigest, type BlobId } from "./id.ts";

export type BlobType = "chunk" | "tree";

export interface ManifestEntry {
  readonly type: BlobType;
  readonly length: number;
  readonly id: BlobId;
}

export type Manifest = readonly ManifestEntry[];

/** What every entry of a type starts with, up to its length: `{"type": <type>, "length": `. */
const ENTRY_HEADS: Readonly<Record<BlobType, Uint8Array>> = {
  chunk: new CborWriter().map(3).text("type").text("chunk").text("length").finish(),
  tree: new CborWriter().map(3).text("type").text("tree").text("length").finish(),
};
const ID_KEY = new CborWriter().text("id").finish();

/** Writes a manifest's CBOR: each entry's constant keys are copied in, its ID decoded in place. */
export function writeManifest(w: CborWriter, manifest: Manifest): void {
  w.array(manifest.length);
  for (const e of manifest) w.raw(ENTRY_HEADS[e.type]).int(e.length).raw(ID_KEY).idBytes(e.id);
}

/**
 * The fewest bytes a manifest entry's CBOR takes: a 3-entry map of "type" ("tree" at shortest),
 * "length" (a one-byte int at shortest) and "id" (28 bytes behind a 2-byte header).
 */
const SMALLEST_ENTRY_BYTES = 1 + 5 + 5 + 7 + 1 + 3 + 30;

/** The most manifest entries `cborBytes` of CBOR can hold: room to make for them before they are read. */
export function mostEntriesIn(cborBytes: number): number {
  return Math.floor(cborBytes / SMALLEST_ENTRY_BYTES);
}

export function encodeManifest(manifest: Manifest): Uint8Array {
  const w = new CborWriter(16 + manifest.length * 56);
  writeManifest(w, manifest);
  return w.finish();
}

/** Called for each manifest entry, in order, with its ID's digest in place (28 bytes at `at` of `data`). */
export type ManifestVisitor = (type: BlobType, length: number, data: Uint8Array, at: number) => void;

/** A manifest entry's fields as read in place (its ID is the 28 bytes at `at` of the cursor's data); one object serves every entry. */
export interface EntryFields {
  type: BlobType;
  length: number;
  at: number;
}

/** Reads the manifest entry at the cursor, the `n`th of its manifest (for errors), into `out`, making no object. */
export function readManifestEntry(c: CborCursor, n: number, out: EntryFields): void {
  let type: string | undefined;
  let length: number | undefined;
  let at: number | undefined;
  const fields = c.map();
  for (let i = 0; fields < 0 ? !c.atBreak() : i < fields; i++) {
    switch (c.key()) {
      case "type":
        type = c.key(); // "chunk" or "tree": key() reuses one string for each instead of making one per entry
        break;
      case "length":
        length = c.uint();
        break;
      case "id":
        at = c.digestAt();
        break;
      default:
        c.skip();
    }
  }
  if (type !== "chunk" && type !== "tree") return c.fail(`manifest entry ${n} has type ${JSON.stringify(type)}`);
  if (length === undefined || length > 0xffffffff) return c.fail(`manifest entry ${n} has a bad length`);
  if (at === undefined) return c.fail(`manifest entry ${n} has no ID`);
  out.type = type;
  out.length = length;
  out.at = at;
}

/** Reads a manifest array at the cursor, handing each entry to `each` without making objects of it. */
function visitManifest(c: CborCursor, each: ManifestVisitor): void {
  const entry: EntryFields = { type: "chunk", length: 0, at: 0 };
  const n = c.array();
  for (let i = 0; n < 0 ? !c.atBreak() : i < n; i++) {
    readManifestEntry(c, i, entry);
    each(entry.type, entry.length, c.data, entry.at);
  }
}

/** Reads a manifest array at the cursor. */
export function readManifest(c: CborCursor): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  visitManifest(c, (type, length, data, at) => out.push({ type, length, id: idFromDigest<"blob">(data, at) }));
  return out;
}

/**
 * A manifest as columns, one row per blob: what a pack's readers need of a large manifest (100k
 * blobs or more) without an object and an ID string per blob. Blob `i`'s ID is the 28 bytes at
 * `i * ID_BYTES` of `digests`.
 */
export interface ManifestColumns {
  readonly count: number;
  /** Per blob, 1 for a tree, 0 for a chunk. */
  readonly trees: Uint8Array;
  readonly lengths: Uint32Array;
  readonly digests: Uint8Array;
}

/** Decodes a manifest's CBOR into columns. */
export function decodeManifestColumns(bytes: Uint8Array, what: string): ManifestColumns {
  const most = mostEntriesIn(bytes.length);
  const trees = new Uint8Array(most);
  const lengths = new Uint32Array(most);
  const digests = new Uint8Array(most * ID_BYTES);
  let count = 0;
  const c = new CborCursor(bytes, what);
  visitManifest(c, (type, length, data, at) => {
    trees[count] = type === "tree" ? 1 : 0;
    lengths[count] = length;
    digests.set(data.subarray(at, at + ID_BYTES), count * ID_BYTES);
    count++;
  });
  if (!c.done) c.fail("trailing bytes after the manifest");
  // Views, not copies: `most` overshoots a real manifest's count by under a tenth.
  return { count, trees: trees.subarray(0, count), lengths: lengths.subarray(0, count), digests: digests.subarray(0, count * ID_BYTES) };
}

export function decodeManifest(bytes: Uint8Array, what: string): ManifestEntry[] {
  const c = new CborCursor(bytes, what);
  const m = readManifest(c);
  if (!c.done) c.fail("trailing bytes after the manifest");
  return m;
}
