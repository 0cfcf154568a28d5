/**
 * Opens packs for the blob pipeline: positioned reads, the verified manifest, and each blob's length
 * and digest; and opens the next few packs of a list ahead of time, so that downloading them from a
 * remote repository overlaps with the work on earlier ones.
 */
import type { PackId } from "../format/id.ts";
import { PACK_MAGIC } from "../format/magic.ts";
import type { ManifestColumns } from "../format/manifest.ts";
import type { RangeReader } from "../backend/index.ts";
import type { BlobTarget, PackTask } from "../pipeline/blob-pipeline.ts";
import { packKey } from "./keys.ts";
import { readPackColumnsFrom } from "./pack-file.ts";
import { transfersAtOnce, type Repository } from "./repository.ts";

export interface OpenPack {
  /** The pack's own manifest. */
  readonly blobs: ManifestColumns;
  readonly blobsEnd: number;
  /** A pipeline task for this pack, reading the given blobs. */
  task(wanted: ReadonlyMap<number, readonly BlobTarget[]>, on?: Pick<PackTask, "onBlob" | "onDamage">): PackTask;
}

/**
 * Runs `fn` with pack `id` open (its manifest checked against its ID), closing it afterwards; the
 * pack comes from `ahead` if given (which must list it), else it is opened now.
 */
export async function withPack<T>(repo: Repository, id: PackId, fn: (pack: OpenPack) => Promise<T>, ahead?: PacksAhead): Promise<T> {
  const reader: RangeReader = await (ahead ? ahead.take(id) : repo.backend.openRange(packKey(id)));
  try {
    const { blobs, blobsEnd } = readPackColumnsFrom(reader, id);
    return await fn({
      blobs,
      blobsEnd,
      task: (wanted, on = {}) => ({ label: `pack ${id}`, reader, blobsStart: PACK_MAGIC.length, blobsEnd, blobs, wanted, ...on }),
    });
  } finally {
    reader.close();
  }
}

/**
 * Opens the packs of `order` in that order, keeping up to the repository's transfersAtOnce opened (or
 * being opened) ahead of the one taken last. Each must be taken in order, or the rest closed with `close`.
 */
export class PacksAhead {
  readonly #opening: { id: PackId; reader: Promise<RangeReader> }[] = [];
  #next = 0;

  constructor(
    readonly repo: Repository,
    readonly order: readonly PackId[],
    readonly depth = transfersAtOnce(repo.config),
  ) {
    this.#fill();
  }

  /** The next pack of the list, which must be `id`; its failure to open is thrown here, not before. */
  take(id: PackId): Promise<RangeReader> {
    const head = this.#opening.shift();
    if (head?.id !== id) throw new Error(`packs taken out of order: ${id} instead of ${head?.id ?? "none"}`);
    this.#fill();
    return head.reader;
  }

  /** Closes every pack opened ahead and not taken (once its opening settles). */
  close(): void {
    for (const { reader } of this.#opening.splice(0)) reader.then((r) => r.close(), () => {});
    this.#next = this.order.length;
  }

  #fill(): void {
    while (this.#opening.length < this.depth && this.#next < this.order.length) {
      const id = this.order[this.#next++]!;
      const reader = this.repo.backend.openRange(packKey(id));
      // Failures are thrown by take(); until then, this keeps them from counting as unhandled.
      reader.catch(() => {});
      this.#opening.push({ id, reader });
    }
  }
}
