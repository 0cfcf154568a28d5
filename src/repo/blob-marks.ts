/**
 * A set of blobs kept as one byte per entry of the master index's table, instead of a Set of ID
 * strings (about 100 bytes a blob): on a million blobs, 1 MB instead of ~100 MB plus the garbage
 * of building it. Blobs the index doesn't list (the empty tree, never packed) go in a small Set.
 */
import type { BlobId } from "../format/id.ts";
import type { BlobTable } from "./blob-table.ts";

export class BlobMarks {
  readonly #marked: Uint8Array;
  readonly #unlisted = new Set<BlobId>();
  /** The blob last asked about and its entry: `has` then `add` of one blob look it up once. */
  #lastId: BlobId | undefined;
  #lastEntry = -1;

  constructor(readonly table: BlobTable) {
    this.#marked = new Uint8Array(table.entryCount);
  }

  #entryOf(id: BlobId): number {
    if (id !== this.#lastId) {
      this.#lastId = id;
      this.#lastEntry = this.table.entryOfId(id);
    }
    return this.#lastEntry;
  }

  has(id: BlobId): boolean {
    const e = this.#entryOf(id);
    return e < 0 ? this.#unlisted.has(id) : this.#marked[e] === 1;
  }

  add(id: BlobId): this {
    const e = this.#entryOf(id);
    if (e < 0) this.#unlisted.add(id);
    else this.#marked[e] = 1;
    return this;
  }

  /** Bytes the index gives for the marked blobs it lists. */
  listedBytes(): number {
    let n = 0;
    for (let e = 0; e < this.#marked.length; e++) if (this.#marked[e] === 1) n += this.table.lengthOfEntry(e);
    return n;
  }
}
