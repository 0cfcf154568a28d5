/** Index files on disk: "MKBAKIDX1" + zstd(CBOR); loading verifies the ID, writing goes through the scratch directory. */
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import { cborCapFor } from "../format/cbor-cap.ts";
import { decodeIndex, encodeIndex, encodeIndexPieces, IndexReader, type EncodableIndex, type IndexContents, type IndexVisitor } from "../format/index-file.ts";
import { INDEX_MAGIC, hasMagic, magicBytes } from "../format/magic.ts";
import type { IndexId, PackId } from "../format/id.ts";
import { concatBytes } from "../lib/bytes.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { writeStreamAtomic } from "../lib/fsutil.ts";
import { hashId, IdHasher } from "../kernels/sha224.ts";
import { zstdCompress, zstdDecompress } from "../kernels/zstd.ts";
import { scanFrame } from "../kernels/zstd-frames.ts";
import { zstdCompressPieces } from "../kernels/zstd-compress-stream.ts";
import { zstdPieces } from "../kernels/zstd-stream.ts";
import { indexKey } from "./keys.ts";
import { scratchWriteError } from "./work-temps.ts";

/**
 * Writes the file of the index listing `packs` (each with its manifest's CBOR) that supersedes
 * `supersedes` as `<id>.index` in `dir`, atomically, never holding its CBOR or the compressed
 * copy whole: one pass over the CBOR's pieces finds its ID and size, a second compresses them
 * into the file. Its bytes are those buildIndexFile gives for the same contents.
 */
export async function writeIndexStreamed(dir: string, index: { readonly supersedes: ReadonlySet<IndexId>; readonly packs: ReadonlyMap<PackId, Uint8Array> }): Promise<{ id: IndexId; path: string }> {
  const hasher = new IdHasher();
  let size = 0;
  for (const piece of encodeIndexPieces(index)) {
    hasher.update(piece);
    size += piece.length;
  }
  const id = hasher.finish<"index">();
  const out = indexFileName(dir, id);
  async function* file(): AsyncGenerator<Uint8Array> {
    yield magicBytes(INDEX_MAGIC);
    yield* zstdCompressPieces(encodeIndexPieces(index), size);
  }
  await writeStreamAtomic(out, file()).catch((err: unknown) => {
    throw scratchWriteError(out, err);
  });
  return { id, path: out };
}

/** Encodes an index whole; returns its ID and the bytes of the file (the magic, then the compressed CBOR). */
export function buildIndexFile(index: EncodableIndex): { id: IndexId; file: Uint8Array } {
  const cbor = encodeIndex(index);
  return { id: hashId<"index">(cbor), file: concatBytes([magicBytes(INDEX_MAGIC), zstdCompress(cbor)]) };
}

/** Decompresses an index file's bytes to its CBOR; returns the ID that CBOR hashes to too. */
function unpackIndexFile(file: Uint8Array, what: string): { id: IndexId; cbor: Uint8Array } {
  if (!hasMagic(file, INDEX_MAGIC)) throw new BackpakError("corrupt", `Wrong magic bytes for index file ${what}`);
  const compressed = file.subarray(INDEX_MAGIC.length);
  const cbor = zstdDecompress(compressed, what, { atMost: cborCapFor(compressed.length) });
  return { id: hashId<"index">(cbor), cbor };
}

/** Decodes an index file's bytes, checking them against `id` when one is expected. */
export function parseIndexFile(file: Uint8Array, what: string): { id: IndexId; index: IndexContents } {
  const { id, cbor } = unpackIndexFile(file, what);
  return { id, index: decodeIndex(cbor, what) };
}

/** What to do about an index file that doesn't load: the packs hold everything it says. */
export const REBUILD_INDEX_HINT = "run `backpak rebuild-index`: it rebuilds the index from the packs' own manifests, naming any pack it can't read";

/**
 * The CBOR of index `id`'s file, checked to hash to its ID; a damaged one is an error naming its
 * file, saying how to rebuild it.
 */
function indexCbor(id: IndexId, file: Uint8Array): Uint8Array {
  let unpacked: { id: IndexId; cbor: Uint8Array };
  try {
    unpacked = unpackIndexFile(file, `index ${id}`);
  } catch (err) {
    throw damagedIndex(id, err);
  }
  if (unpacked.id !== id) throw hashMismatch(id, unpacked.id);
  return unpacked.cbor;
}

/** The error for index `id`, whose contents hash to `found`. */
function hashMismatch(id: IndexId, found: IndexId): BackpakError {
  return new BackpakError("corrupt", `Index ${id} can't be used: ${indexKey(id)} is damaged: its contents now hash to ${found}`, { hint: REBUILD_INDEX_HINT });
}

/** The error for index `id`, whose file failed to decode with `err`. */
function damagedIndex(id: IndexId, err: unknown): BackpakError {
  return context("corrupt", `Index ${id} can't be used: ${indexKey(id)} is damaged`, err, REBUILD_INDEX_HINT);
}

/**
 * Indexes whose frame states a CBOR size up to this are decompressed in one go (into a buffer of
 * that size), bigger ones or those that don't state it as a stream. On a million files (a 52 MB
 * CBOR) the stream took the load's own peak from 190 to 165 MB, but `ls`'s walk after it then
 * peaked 100-150 MB higher in 5 of 8 runs (the memory the stream's pieces took is not reused
 * as readily), so it pays only where the CBOR held whole would cost more than that.
 */
const ONE_SHOT_UP_TO = 64 << 20;

/** How many CBOR bytes an index whose frame doesn't state its size is reckoned to hold per stored byte (indexes compress under 2:1). */
const CBOR_PER_STORED = 2;

/**
 * Hands what index `id`'s file lists to `v` (see visitIndex) as it is decompressed, a big one
 * (past `oneShotUpTo` bytes of CBOR) piece by piece, so its CBOR is never held whole; a damaged
 * one is an error as `loadIndex` gives. What `v` was handed before the file turns out damaged
 * (its contents don't hash to its ID, or stop short) is the caller's to undo.
 */
export async function visitIndexFile(id: IndexId, file: Uint8Array, v: IndexVisitor, oneShotUpTo = ONE_SHOT_UP_TO): Promise<void> {
  const what = `index ${id}`;
  const hasher = new IdHasher();
  let unreadable: unknown;
  try {
    if (!hasMagic(file, INDEX_MAGIC)) throw new BackpakError("corrupt", `Wrong magic bytes for index file ${what}`);
    const compressed = file.subarray(INDEX_MAGIC.length);
    const cap = cborCapFor(compressed.length);
    const stated = statedSize(compressed);
    v.size?.(stated ?? compressed.length * CBOR_PER_STORED);
    const reader = new IndexReader(what, v);
    const pieces = stated !== undefined && stated <= oneShotUpTo ? [zstdDecompress(compressed, what, { atMost: cap })] : zstdPieces(compressed, what, cap);
    // A CBOR error doesn't stop the hashing: damage that changed the hash is reported as such, as loadIndex does.
    for await (const piece of pieces) {
      hasher.update(piece);
      unreadable ??= failureOf(() => reader.push(piece));
    }
    unreadable ??= failureOf(() => reader.end());
  } catch (err) {
    throw damagedIndex(id, err);
  }
  const found = hasher.finish<"index">();
  if (found !== id) throw hashMismatch(id, found);
  if (unreadable !== undefined) throw damagedIndex(id, unreadable);
}

/** What `f` throws, or undefined if it returns. */
function failureOf(f: () => void): unknown {
  try {
    f();
    return undefined;
  } catch (err) {
    return err;
  }
}

/** The CBOR size the zstd frame at the start of `compressed` states, if it is the only frame and states it. */
function statedSize(compressed: Uint8Array): number | undefined {
  try {
    const frame = scanFrame(compressed, 0, compressed.length);
    return frame && frame.end === compressed.length && frame.contentSize >= 0 ? frame.contentSize : undefined;
  } catch {
    return undefined; // not zstd: decompressing it says so
  }
}

/** Loads index `id`, checking it hashes to its ID; a damaged one is an error naming its file, saying how to rebuild it. */
export async function loadIndex(backend: Backend, id: IndexId): Promise<IndexContents> {
  const cbor = indexCbor(id, await backend.read(indexKey(id)));
  try {
    return decodeIndex(cbor, `index ${id}`);
  } catch (err) {
    throw damagedIndex(id, err);
  }
}

/** The local file name an index is written to before upload. */
export function indexFileName(scratchDir: string, id: IndexId): string {
  return path.join(scratchDir, `${id}.index`);
}
