/**
 * Builds pack files in the scratch directory: blobs are batched into zstd frames written one after
 * another (concatenated frames form one valid zstd stream, so backpak reads them), then the
 * compressed manifest and its length. A pack is finished once its file reaches the size target.
 * Finished packs are fsynced, renamed to `<id>.pack`, and re-read to check their ID before
 * they are handed on; that happens in the background while the next pack fills (one at a time,
 * in order). After any write error the packer refuses more work.
 */
import fs from "node:fs";
import path from "node:path";
import { encodeManifest, type BlobType, type ManifestEntry } from "../format/manifest.ts";
import { PACK_MAGIC, magicBytes } from "../format/magic.ts";
import type { BlobId, PackId } from "../format/id.ts";
import { u32BE } from "../lib/bytes.ts";
import { BackpakError } from "../lib/errors.ts";
import { openFileRange, PRIVATE_FILE } from "../lib/fsutil.ts";
import { hashId } from "../kernels/sha224.ts";
import { zstdCompress } from "../kernels/zstd.ts";
import { readPackLayoutFrom } from "./pack-file.ts";
import { scratchWrite, scratchWriteError, workTempPath } from "./work-temps.ts";

/** A finished pack file in the scratch directory, ready to store. */
export interface FinishedPack {
  readonly id: PackId;
  /** The manifest's CBOR, which the ID hashes. */
  readonly manifest: Uint8Array;
  readonly path: string;
  readonly size: number;
}

export interface PackerOptions {
  readonly scratchDir: string;
  /** Finish a pack once its file reaches this many bytes. */
  readonly packSize: number;
  /** Batch small blobs until a frame holds this many uncompressed bytes. */
  readonly frameSize?: number;
  readonly level?: number;
  /** Called with each finished pack, in order; the packer waits for it. */
  readonly onPack: (pack: FinishedPack) => Promise<void>;
}

export const DEFAULT_FRAME_SIZE = 1 << 20;

interface OpenPack {
  fd: number;
  tmp: string;
  written: number;
  manifest: ManifestEntry[];
}

export class Packer {
  #open: OpenPack | undefined;
  #batch: Uint8Array[] = [];
  #batchEntries: ManifestEntry[] = [];
  #batchBytes = 0;
  #broken: unknown;
  /** The pack being finished in the background, if any. */
  #finishing: Promise<void> = Promise.resolve();
  #reported = false;
  /** Bytes written by the blob encoders (excluding magic and manifests). */
  compressedBytes = 0;

  constructor(readonly opts: PackerOptions) {}

  /** Adds a blob, compressing batches of blobs on this thread; may finish (and hand on) a pack. */
  async add(type: BlobType, id: BlobId, bytes: Uint8Array): Promise<void> {
    this.#check();
    this.#batch.push(bytes);
    this.#batchEntries.push({ type, length: bytes.length, id });
    this.#batchBytes += bytes.length;
    if (this.#batchBytes >= (this.opts.frameSize ?? DEFAULT_FRAME_SIZE)) await this.#compressBatch();
  }

  /**
   * Appends a frame compressed elsewhere (a worker) holding the blobs `entries` lists, in order;
   * may finish (and hand on) a pack.
   */
  async addFrame(entries: readonly ManifestEntry[], compressed: Uint8Array): Promise<void> {
    this.#check();
    try {
      const pack = this.#open ?? this.#start();
      scratchWrite(pack.tmp, () => fs.writeSync(pack.fd, compressed));
      pack.written += compressed.length;
      this.compressedBytes += compressed.length;
      pack.manifest.push(...entries);
      if (pack.written >= this.opts.packSize) {
        // The previous pack is handed on first; until this one is, abandon() can still delete it.
        await this.#finishing;
        this.#check();
        this.#open = undefined;
        this.#finishing = this.#finish(pack).catch((err: unknown) => {
          this.#broken = err;
        });
      }
    } catch (err) {
      this.#broken = err;
      this.#reported = true;
      throw err;
    }
  }

  async #compressBatch(): Promise<void> {
    if (this.#batchBytes === 0) return;
    const data = this.#batch.length === 1 ? this.#batch[0]! : Buffer.concat(this.#batch);
    const entries = this.#batchEntries;
    this.#batch = [];
    this.#batchEntries = [];
    this.#batchBytes = 0;
    await this.addFrame(entries, zstdCompress(data, this.opts.level));
  }

  /** Finishes the pending pack, if any, and waits until every pack is handed on. */
  async flush(): Promise<void> {
    this.#check();
    await this.#compressBatch();
    await this.#finishing;
    this.#check();
    const pack = this.#open;
    if (!pack) return;
    this.#open = undefined;
    try {
      await this.#finish(pack);
    } catch (err) {
      this.#broken = err;
      this.#reported = true;
      throw err;
    }
  }

  /** Closes and deletes an unfinished pack file (after a failure elsewhere). */
  abandon(): void {
    if (!this.#open) return;
    closeAndRemove(this.#open);
    this.#open = undefined;
  }

  #check(): void {
    if (this.#broken !== undefined) {
      // A failure in the background surfaces as itself the first time, then as a refusal.
      if (!this.#reported) {
        this.#reported = true;
        throw this.#broken;
      }
      throw new BackpakError("internal", "The packer failed earlier and refuses more work", { cause: this.#broken });
    }
  }

  #start(): OpenPack {
    const tmp = workTempPath(this.opts.scratchDir, "pack");
    const fd = scratchWrite(tmp, () => fs.openSync(tmp, "wx", PRIVATE_FILE));
    // Open before its first write, so that abandon() deletes it if that fails.
    const pack: OpenPack = { fd, tmp, written: 0, manifest: [] };
    this.#open = pack;
    const magic = magicBytes(PACK_MAGIC);
    scratchWrite(tmp, () => fs.writeSync(fd, magic));
    pack.written = magic.length;
    return pack;
  }

  /** Writes the manifest, makes the file durable (off this thread), names it, checks it, hands it on. */
  async #finish(pack: OpenPack): Promise<void> {
    const manifestCbor = encodeManifest(pack.manifest);
    const id = hashId<"pack">(manifestCbor);
    const z = zstdCompress(manifestCbor, this.opts.level);
    const named = path.join(this.opts.scratchDir, `${id}.pack`);
    try {
      fs.writeSync(pack.fd, z);
      fs.writeSync(pack.fd, u32BE(z.length));
      await new Promise<void>((resolve, reject) => fs.fsync(pack.fd, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      // An unfinished pack is of no use to a resumed run: delete it rather than leave it behind.
      closeAndRemove(pack);
      throw scratchWriteError(pack.tmp, err);
    }
    fs.closeSync(pack.fd);
    fs.renameSync(pack.tmp, named);
    const size = pack.written + z.length + 4;
    verifyFinishedPack(named, id);
    await this.opts.onPack({ id, manifest: manifestCbor, path: named, size });
  }
}

/** Closes an unfinished pack's file and deletes it. */
function closeAndRemove(pack: OpenPack): void {
  try {
    fs.closeSync(pack.fd);
  } catch {
    // already closed
  }
  fs.rmSync(pack.tmp, { force: true });
}

/** Re-reads a finished pack's tail and checks its manifest still hashes to its ID. */
function verifyFinishedPack(file: string, id: PackId): void {
  const reader = openFileRange(file);
  try {
    readPackLayoutFrom(reader, id);
  } finally {
    reader.close();
  }
}
