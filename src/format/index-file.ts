/**
 * Index files: CBOR map { "supersedes": [index IDs, sorted], "packs": { pack ID → manifest, sorted } }.
 * On disk: "MKBAKIDX1" + zstd(CBOR). Index ID = SHA-224 of the uncompressed CBOR.
 */
import { CborWriter, headLength } from "./cbor.ts";
import { CborCursor, NeedMore } from "./cbor-cursor.ts";
import { idFromDigest, type IndexId, type PackId } from "./id.ts";
import { readManifestEntry, writeManifest, type EntryFields, type Manifest, type ManifestEntry, type ManifestVisitor } from "./manifest.ts";

export interface IndexContents {
  readonly supersedes: ReadonlySet<IndexId>;
  readonly packs: ReadonlyMap<PackId, Manifest>;
}

/**
 * What an index is encoded from: as IndexContents, except that a pack's manifest may be its CBOR
 * already encoded (what the pack's ID hashes), written as it is.
 */
export interface EncodableIndex {
  readonly supersedes: ReadonlySet<IndexId>;
  readonly packs: ReadonlyMap<PackId, Manifest | Uint8Array>;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The CBOR's size: exact when every manifest is already encoded (so the writer's buffer is the result, not copied), else an estimate. */
function encodedSize(index: EncodableIndex): number {
  const s = index.supersedes.size;
  let size = 1 + 11 + headLength(s) + 30 * s + 6 + headLength(index.packs.size);
  for (const m of index.packs.values()) size += 30 + (m instanceof Uint8Array ? m.length : 16 + m.length * 58);
  return size;
}

/** Writes what comes before the packs' entries: the superseded indexes, sorted, and the head of the packs' map; returns the pack IDs in the order their entries go. */
function writeHead(w: CborWriter, index: { readonly supersedes: ReadonlySet<IndexId>; readonly packs: ReadonlyMap<PackId, unknown> }): PackId[] {
  w.map(2).text("supersedes");
  const supersedes = [...index.supersedes].sort(byText);
  w.array(supersedes.length);
  for (const id of supersedes) w.idBytes(id);
  w.text("packs");
  const packs = [...index.packs.keys()].sort(byText);
  w.map(packs.length);
  return packs;
}

export function encodeIndex(index: EncodableIndex): Uint8Array {
  const w = new CborWriter(encodedSize(index));
  const packs = writeHead(w, index);
  for (const id of packs) {
    w.idBytes(id);
    const m = index.packs.get(id)!;
    if (m instanceof Uint8Array) w.raw(m);
    else writeManifest(w, m);
  }
  return w.finish();
}

/**
 * The CBOR `encodeIndex` gives for an index whose manifests are all encoded already, in pieces:
 * the head, then each pack's ID and its manifest (the very bytes held, not copied), so that the
 * CBOR is never held whole and next to nothing is made to hand it on.
 */
export function* encodeIndexPieces(index: { readonly supersedes: ReadonlySet<IndexId>; readonly packs: ReadonlyMap<PackId, Uint8Array> }): Generator<Uint8Array> {
  const head = new CborWriter(64 + 30 * index.supersedes.size);
  const packs = writeHead(head, index);
  yield head.finish();
  for (const id of packs) {
    yield new CborWriter(30).idBytes(id).finish();
    yield index.packs.get(id)!;
  }
}

/** What reading an index hands on: its superseded indexes, then each pack and its blobs, without making objects of them. */
export interface IndexVisitor {
  /** The CBOR's size, first, to make room by (see mostEntriesIn). */
  size?(cborBytes: number): void;
  supersedes(id: IndexId): void;
  /** A pack's ID (28 bytes at `at` of `data`); false skips its manifest. */
  pack(data: Uint8Array, at: number): boolean;
  blob: ManifestVisitor;
}

/** Reads an index's CBOR, handing what it lists to `v` in the order it is written. */
export function visitIndex(bytes: Uint8Array, what: string, v: IndexVisitor): void {
  v.size?.(bytes.length);
  const r = new IndexReader(what, v);
  r.push(bytes);
  r.end();
}

/** Where an IndexReader is in the index: what the next item is. */
const TOP = 0;
const KEY = 1;
const SUPERSEDES = 2;
const PACKS = 3;
const ENTRIES = 4;
const DONE = 5;

/**
 * Reads an index's CBOR as it arrives in pieces (`push`, then `end`), handing what it lists to the
 * visitor as `visitIndex` does. It goes item by item (a key, an ID, a pack, a manifest entry): an
 * item that runs past the bytes pushed so far is read again once more come, so only the bytes of
 * an unfinished item are held between pieces, and no object is made per entry.
 */
export class IndexReader {
  /** Bytes pushed and not yet read: the start of an unfinished item. */
  #held = new Uint8Array(0);
  #heldLength = 0;
  /** Bytes of the CBOR read so far (where `#held` starts in it). */
  #base = 0;
  #state = TOP;
  /** Entries left in the top-level map, in the list being read (supersedes or packs), and in the manifest being read; -1 for an indefinite container. */
  #top = 0;
  #list = 0;
  #entries = 0;
  /** The number of the next entry in the manifest being read, and whether the visitor wants its entries. */
  #entry = 0;
  #wanted = true;
  readonly #fields: EntryFields = { type: "chunk", length: 0, at: 0 };

  constructor(
    readonly what: string,
    readonly v: IndexVisitor,
  ) {}

  /** Reads what it can of the CBOR so far, with `bytes` the next piece of it. */
  push(bytes: Uint8Array): void {
    this.#read(bytes, true);
  }

  /** Finishes: what is left must complete the index, with nothing after it. */
  end(): void {
    this.#read(new Uint8Array(0), false);
  }

  #read(bytes: Uint8Array, partial: boolean): void {
    let data = bytes;
    if (this.#heldLength > 0) {
      if (this.#heldLength + bytes.length > this.#held.length) {
        const grown = new Uint8Array(Math.max(this.#heldLength + bytes.length, 2 * this.#held.length));
        grown.set(this.#held.subarray(0, this.#heldLength));
        this.#held = grown;
      }
      this.#held.set(bytes, this.#heldLength);
      data = this.#held.subarray(0, this.#heldLength + bytes.length);
    }
    const c = new CborCursor(data, this.what, { base: this.#base, partial });
    for (;;) {
      const start = c.pos;
      try {
        if (!this.#step(c)) break;
      } catch (err) {
        if (!(err instanceof NeedMore)) throw err;
        c.pos = start;
        break;
      }
    }
    const left = data.length - c.pos;
    if (left > this.#held.length) this.#held = new Uint8Array(left);
    this.#held.set(data.subarray(c.pos), 0);
    this.#heldLength = left;
    this.#base += c.pos;
  }

  /** Whether the container with `left` entries (-1: until a break) is done; consumes its break. */
  static #ended(c: CborCursor, left: number): boolean {
    return left === 0 || (left < 0 && c.atBreak());
  }

  /** Reads one item and hands it on; false once the index is read and the bytes are all used. */
  #step(c: CborCursor): boolean {
    switch (this.#state) {
      case TOP:
        this.#top = c.map();
        this.#state = KEY;
        return true;
      case KEY: {
        if (IndexReader.#ended(c, this.#top)) {
          this.#state = DONE;
          return true;
        }
        const key = c.key();
        if (key === "supersedes") {
          this.#list = c.array();
          this.#state = SUPERSEDES;
        } else if (key === "packs") {
          this.#list = c.map();
          this.#state = PACKS;
        } else c.skip();
        if (this.#top > 0) this.#top--;
        return true;
      }
      case SUPERSEDES:
        if (IndexReader.#ended(c, this.#list)) this.#state = KEY;
        else {
          this.v.supersedes(c.id<"index">());
          if (this.#list > 0) this.#list--;
        }
        return true;
      case PACKS: {
        if (IndexReader.#ended(c, this.#list)) {
          this.#state = KEY;
          return true;
        }
        const at = c.digestAt();
        this.#entries = c.array();
        this.#entry = 0;
        this.#wanted = this.v.pack(c.data, at);
        if (this.#list > 0) this.#list--;
        this.#state = ENTRIES;
        return true;
      }
      case ENTRIES:
        if (IndexReader.#ended(c, this.#entries)) this.#state = PACKS;
        else {
          if (this.#wanted) {
            readManifestEntry(c, this.#entry, this.#fields);
            this.v.blob(this.#fields.type, this.#fields.length, c.data, this.#fields.at);
          } else c.skip();
          this.#entry++;
          if (this.#entries > 0) this.#entries--;
        }
        return true;
      default:
        if (c.done) return false;
        return c.fail("trailing bytes after the index");
    }
  }
}

export function decodeIndex(bytes: Uint8Array, what: string): IndexContents {
  const supersedes = new Set<IndexId>();
  const packs = new Map<PackId, Manifest>();
  let manifest: ManifestEntry[] = [];
  visitIndex(bytes, what, {
    supersedes: (id) => void supersedes.add(id),
    pack: (data, at) => {
      packs.set(idFromDigest<"pack">(data, at), (manifest = []));
      return true;
    },
    blob: (type, length, data, at) => void manifest.push({ type, length, id: idFromDigest<"blob">(data, at) }),
  });
  return { supersedes, packs };
}
