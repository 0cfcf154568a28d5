/**
 * Chunk contents by ID: a miss reads the chunk's whole pack and keeps its verified chunks in an
 * LRU cache bounded to twice the most chunk data any one pack has held, so reading files in
 * order decodes each pack about once.
 */
import type { Backend } from "../backend/index.ts";
import type { BlobId, PackId } from "../format/id.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import type { BlobLocation } from "./master-index.ts";
import { readPackBlobs } from "./pack-reader.ts";

export class ChunkReader {
  readonly #cache = new Map<BlobId, Uint8Array>();
  #cached = 0;
  #limit = 0;
  /** Packs read so far (for counters and tests). */
  packsRead = 0;

  constructor(
    readonly backend: Backend,
    readonly blobs: ReadonlyMap<BlobId, BlobLocation>,
  ) {}

  async chunk(id: BlobId): Promise<Uint8Array> {
    const hit = this.#cache.get(id);
    if (hit) {
      this.#cache.delete(id); // re-insert: most recently used last
      this.#cache.set(id, hit);
      return hit;
    }
    const loc = this.blobs.get(id);
    if (!loc) throw new BackpakError("not-found", `Couldn't find chunk ${id} in the index`, { hint: "run `backpak check`" });
    await this.#load(loc.pack);
    const found = this.#cache.get(id);
    if (!found) throw new BackpakError("corrupt", `Pack ${loc.pack} doesn't hold chunk ${id} though the index says it does`);
    return found;
  }

  async #load(pack: PackId): Promise<void> {
    let packBytes = 0;
    this.packsRead++;
    for (const { entry, bytes } of await readPackBlobs(this.backend, pack)) {
      if (entry.type !== "chunk") {
        log.warn(`Pack ${pack} holds tree ${entry.id} beside chunks; skipping it`);
        continue;
      }
      packBytes += bytes.length;
      if (!this.#cache.has(entry.id)) {
        this.#cache.set(entry.id, bytes);
        this.#cached += bytes.length;
      }
    }
    this.#limit = Math.max(this.#limit, 2 * packBytes);
    for (const [k, v] of this.#cache) {
      if (this.#cached <= this.#limit) break;
      this.#cache.delete(k);
      this.#cached -= v.length;
    }
  }
}
