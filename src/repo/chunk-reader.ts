/**
 * Blob contents by ID, each verified against its ID: a miss finds the blob's frame in its pack
 * (frame boundaries come from the frame headers) and decompresses that frame alone, keeping its
 * blobs in an LRU cache of a bounded size, so reading files in order decodes each frame about once
 * and memory stays bounded whatever the pack size. Packs that can't be split into frames (backpak's
 * single streamed frame) are decoded whole.
 */
import type { Backend } from "../backend/index.ts";
import type { BlobId, PackId } from "../format/id.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { hashId } from "../kernels/sha224.ts";
import { zstdDecompress } from "../kernels/zstd.ts";
import { packKey } from "./keys.ts";
import type { BlobLookup } from "./blob-table.ts";
import { packFrames, type FrameSpan } from "./pack-frames.ts";
import { readPackLayoutFrom, unpackBlobs, type PackLayout } from "./pack-file.ts";

interface PackInfo {
  readonly layout: PackLayout;
  /** Undefined when the pack is one frame (or otherwise unsplittable). */
  readonly frames: FrameSpan[] | undefined;
  readonly frameOf: Map<BlobId, number>;
}

export class ChunkReader {
  readonly #packs = new Map<PackId, PackInfo>();
  readonly #cache = new Map<BlobId, Uint8Array>();
  #cached = 0;
  /** Frames decompressed so far (for tests). */
  framesRead = 0;

  constructor(
    readonly backend: Backend,
    readonly blobs: BlobLookup,
    /** Bytes of decompressed blobs to keep (at least one frame's worth is always kept). */
    readonly cacheBytes = 64 << 20,
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
    try {
      await this.#load(loc.pack, id);
    } catch (err) {
      throw context("corrupt", `Couldn't read pack ${loc.pack}`, err, "run `backpak check --read-packs` to see which objects are damaged");
    }
    const found = this.#cache.get(id);
    if (!found) throw new BackpakError("corrupt", `Pack ${loc.pack} doesn't hold blob ${id} though the index says it does`);
    return found;
  }

  async #load(pack: PackId, id: BlobId): Promise<void> {
    const reader = await this.backend.openRange(packKey(pack));
    try {
      let info = this.#packs.get(pack);
      if (!info) {
        const layout = readPackLayoutFrom(reader, pack);
        const frames = packFrames(reader, layout.manifest, layout.blobsEnd);
        const frameOf = new Map<BlobId, number>();
        frames?.forEach((f, i) => {
          for (let b = f.firstBlob; b < f.firstBlob + f.blobCount; b++) frameOf.set(layout.manifest[b]!.id, i);
        });
        info = { layout, frames, frameOf };
        this.#packs.set(pack, info);
      }
      const { layout, frames } = info;
      const fi = info.frameOf.get(id);
      if (!frames || fi === undefined) {
        // Unsplittable: decode the whole pack.
        const file = await this.backend.read(packKey(pack));
        let wanted: Uint8Array | undefined;
        for (const { entry, bytes } of unpackBlobs(file, pack, layout.manifest, layout)) {
          if (entry.id === id) wanted = bytes;
          else this.#keep(entry.id, bytes);
        }
        if (wanted) this.#keep(id, wanted); // last, so eviction can't drop it
        return;
      }
      const f = frames[fi]!;
      const zframe = new Uint8Array(f.end - f.start);
      reader.readInto(zframe, f.start);
      const raw = zstdDecompress(zframe, `pack ${pack}'s frame at byte ${f.start}`, { exactly: f.rawSize });
      this.framesRead++;
      let off = 0;
      let wanted: Uint8Array | undefined;
      for (let b = f.firstBlob; b < f.firstBlob + f.blobCount; b++) {
        const e = layout.manifest[b]!;
        const bytes = raw.subarray(off, off + e.length);
        off += e.length;
        const actual = hashId(bytes);
        if (actual !== e.id) throw new BackpakError("corrupt", `Pack ${pack}: ${e.type} ${e.id} hashes to ${actual}`);
        if (e.id === id) wanted = bytes;
        else this.#keep(e.id, bytes);
      }
      // Last, so that a cache smaller than the frame can't evict it.
      if (wanted) this.#keep(id, wanted);
    } finally {
      reader.close();
    }
  }

  #keep(id: BlobId, bytes: Uint8Array): void {
    if (this.#cache.has(id)) return;
    this.#cache.set(id, bytes);
    this.#cached += bytes.length;
    for (const [k, v] of this.#cache) {
      if (this.#cached <= this.cacheBytes || k === id) break;
      this.#cache.delete(k);
      this.#cached -= v.length;
    }
  }
}
