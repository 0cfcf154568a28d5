/**
 * The master index's blobs and packs in typed arrays: each blob is its 28-byte ID, a length and
 * its pack number with its type (36 bytes, plus about 7 of hash slots), packs a table of their own.
 * Blobs sit in pack order, so a pack's manifest is a run of entries, made into objects only when
 * asked for. A blob stored in two packs has an entry in each; lookups answer with the first pack.
 */
import { ID_BYTES, idFromDigest, idToDigest, type BlobId, type PackId } from "../format/id.ts";
import type { BlobType, Manifest, ManifestEntry } from "../format/manifest.ts";
import { BackpakError } from "../lib/errors.ts";
import { DigestTable } from "./digest-table.ts";

export interface BlobLocation {
  readonly pack: PackId;
  readonly type: BlobType;
  readonly length: number;
}

/** Where blobs are, by ID (a BlobTable; a Map in tests). */
export interface BlobLookup {
  has(id: BlobId): boolean;
  get(id: BlobId): BlobLocation | undefined;
  /** Just the length, where the lookup can give it without the rest. */
  lengthOf?(id: BlobId): number | undefined;
}

/** Blobs a writer needn't pack again: asked by ID, or by digest where the caller has one. */
export interface KnownBlobs {
  has(id: BlobId): boolean;
  hasDigest?(digest: Uint8Array, at?: number): boolean;
}

const TREE = 1;

export class BlobTable implements BlobLookup, KnownBlobs {
  readonly #ids: DigestTable;
  #lengths: Uint32Array<ArrayBuffer>;
  /** Per entry: its pack number << 1, | 1 for a tree. */
  #where: Uint32Array<ArrayBuffer>;
  readonly #packIds: DigestTable;
  /** Per pack, its first entry. */
  #starts: Uint32Array<ArrayBuffer>;
  /** A text ID's digest, decoded for one lookup: a lookup makes no garbage (a walk looks up every chunk). */
  readonly #digest = new Uint8Array(ID_BYTES);

  /** Room is made for the blobs and packs expected (copies included), so the table needn't grow while they are added. */
  constructor(expected: { readonly blobs: number; readonly packs: number } = { blobs: 0, packs: 0 }) {
    this.#ids = new DigestTable(expected.blobs);
    this.#lengths = new Uint32Array(Math.max(expected.blobs, 16));
    this.#where = new Uint32Array(Math.max(expected.blobs, 16));
    this.#packIds = new DigestTable(expected.packs);
    this.#starts = new Uint32Array(Math.max(expected.packs, 16));
  }

  /** Distinct blobs. */
  get size(): number {
    return this.#ids.count - this.#ids.copyCount;
  }

  /** Entries whose blob an earlier pack holds too. */
  get duplicates(): number {
    return this.#ids.copyCount;
  }

  get packCount(): number {
    return this.#packIds.count;
  }

  /** Bytes of the typed arrays behind the table. */
  get byteLength(): number {
    return this.#ids.byteLength + this.#lengths.byteLength + this.#where.byteLength + this.#packIds.byteLength + this.#starts.byteLength;
  }

  /** Starts a pack (its ID's 28 bytes at `at`); its blobs follow with `addBlob`. False if the table has it already: skip its blobs. */
  addPack(digest: Uint8Array, at = 0): boolean {
    if (this.#packIds.find(digest, at) >= 0) return false;
    const p = this.#packIds.add(digest, at);
    this.#starts = fitted(this.#starts, p + 1);
    this.#starts[p] = this.#ids.count;
    return true;
  }

  /** Adds a blob (its ID's 28 bytes at `at`) to the pack last started; false if a pack added before holds it too. */
  addBlob(type: BlobType, length: number, digest: Uint8Array, at = 0): boolean {
    if (this.#packIds.count === 0) throw new BackpakError("internal", "a blob was added to the blob table before any pack");
    const copies = this.#ids.copyCount;
    const e = this.#ids.add(digest, at);
    this.#lengths = fitted(this.#lengths, e + 1);
    this.#where = fitted(this.#where, e + 1);
    this.#lengths[e] = length;
    this.#where[e] = ((this.#packIds.count - 1) << 1) | (type === "tree" ? TREE : 0);
    return this.#ids.copyCount === copies;
  }

  /** Makes room for `more` blobs beyond those added, so adding them needn't grow the table. */
  reserve(more: number): void {
    this.#ids.reserve(more);
    this.#lengths = fitted(this.#lengths, this.#ids.count + more, 1);
    this.#where = fitted(this.#where, this.#ids.count + more, 1);
  }

  /** Adds a pack and its manifest, given as objects. False if the table has the pack already. */
  addManifest(pack: PackId, manifest: Manifest): boolean {
    if (!this.addPack(idToDigest(pack))) return false;
    for (const e of manifest) this.addBlob(e.type, e.length, idToDigest(e.id));
    return true;
  }

  /** Gives back the room left for growth, once everything is added. */
  trim(): void {
    this.#ids.trim();
    this.#packIds.trim();
    this.#lengths = fittedDown(this.#lengths, this.#ids.count);
    this.#where = fittedDown(this.#where, this.#ids.count);
    this.#starts = fittedDown(this.#starts, this.#packIds.count);
  }

  has(id: BlobId): boolean {
    return this.#ids.find(idToDigest(id, this.#digest)) >= 0;
  }

  hasDigest(digest: Uint8Array, at = 0): boolean {
    return this.#ids.find(digest, at) >= 0;
  }

  get(id: BlobId): BlobLocation | undefined {
    const e = this.#ids.find(idToDigest(id, this.#digest));
    return e < 0 ? undefined : { pack: this.packId(this.#where[e]! >>> 1), type: this.#typeOf(e), length: this.#lengths[e]! };
  }

  /** Entries, copies included: `entryOf` answers below this. */
  get entryCount(): number {
    return this.#ids.count;
  }

  /** `entryOf` for a text ID: lets a caller keep a mark per blob in an array beside the table. */
  entryOfId(id: BlobId): number {
    return this.#ids.find(idToDigest(id, this.#digest));
  }

  /** The blob's length, or undefined; unlike `get`, without making its pack's ID. */
  lengthOf(id: BlobId): number | undefined {
    const e = this.entryOfId(id);
    return e < 0 ? undefined : this.#lengths[e];
  }

  /** Every pack holding the blob, the one lookups answer with first. */
  packsOf(id: BlobId): PackId[] {
    return this.#ids.copies(idToDigest(id)).map((e) => this.packId(this.#where[e]! >>> 1));
  }

  /** The entry number of a blob's first copy (its ID's 28 bytes at `at`), or -1: a key for it that costs no string. */
  entryOf(digest: Uint8Array, at = 0): number {
    return this.#ids.find(digest, at);
  }

  /** Entry `e`'s pack number (see `packId`). */
  packOfEntry(e: number): number {
    return this.#where[e]! >>> 1;
  }

  /** Entry `e`'s length. */
  lengthOfEntry(e: number): number {
    return this.#lengths[e]!;
  }

  /** Pack `p`'s first entry: its blobs are the entries from there on, in the order of its manifest. */
  packStart(p: number): number {
    return this.#starts[p]!;
  }

  /** The entry after pack `p`'s last. */
  packEnd(p: number): number {
    return p + 1 < this.#packIds.count ? this.#starts[p + 1]! : this.#ids.count;
  }

  isChunkEntry(e: number): boolean {
    return (this.#where[e]! & TREE) === 0;
  }

  packId(p: number): PackId {
    return idFromDigest<"pack">(this.#packIds.key(p));
  }

  /** A pack's number, or -1 if no index lists it. */
  findPack(id: PackId): number {
    return this.#packIds.find(idToDigest(id));
  }

  /** Pack `p`'s manifest, as its index gives it. */
  manifest(p: number): ManifestEntry[] {
    const out: ManifestEntry[] = [];
    for (let e = this.#starts[p]!, end = this.packEnd(p); e < end; e++) out.push({ type: this.#typeOf(e), length: this.#lengths[e]!, id: idFromDigest<"blob">(this.#ids.key(e)) });
    return out;
  }

  #typeOf(e: number): BlobType {
    return (this.#where[e]! & TREE) !== 0 ? "tree" : "chunk";
  }
}

/** `a`, or a copy of its first `n` elements when it has more. */
function fittedDown(a: Uint32Array<ArrayBuffer>, n: number): Uint32Array<ArrayBuffer> {
  return a.length > n ? a.slice(0, n) : a;
}

/** `a`, or a copy `growth` times `n` long (half as big again by default) when it has fewer than `n` elements. */
function fitted(a: Uint32Array<ArrayBuffer>, n: number, growth = 1.5): Uint32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const grown = new Uint32Array(Math.ceil(n * growth));
  grown.set(a);
  return grown;
}
