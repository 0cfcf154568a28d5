/** Index files on disk: "MKBAKIDX1" + zstd(CBOR); loading verifies the ID, writing goes through the scratch directory. */
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import { cborCapFor } from "../format/cbor-cap.ts";
import { decodeIndex, encodeIndex, visitIndex, type IndexContents, type IndexVisitor } from "../format/index-file.ts";
import { INDEX_MAGIC, hasMagic, magicBytes } from "../format/magic.ts";
import type { IndexId } from "../format/id.ts";
import { concatBytes } from "../lib/bytes.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { hashId } from "../kernels/sha224.ts";
import { DEFAULT_ZSTD_LEVEL, zstdCompress, zstdDecompress } from "../kernels/zstd.ts";
import { indexKey } from "./keys.ts";

/** Encodes an index (compressed at zstd `level`); returns its ID and the bytes of the whole file. */
export function buildIndexFile(index: IndexContents, level = DEFAULT_ZSTD_LEVEL): { id: IndexId; file: Uint8Array } {
  const cbor = encodeIndex(index);
  return { id: hashId<"index">(cbor), file: concatBytes([magicBytes(INDEX_MAGIC), zstdCompress(cbor, level)]) };
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
  if (unpacked.id !== id) {
    throw new BackpakError("corrupt", `Index ${id} can't be used: ${indexKey(id)} is damaged: its contents now hash to ${unpacked.id}`, { hint: REBUILD_INDEX_HINT });
  }
  return unpacked.cbor;
}

/** The error for index `id`, whose file failed to decode with `err`. */
function damagedIndex(id: IndexId, err: unknown): BackpakError {
  return context("corrupt", `Index ${id} can't be used: ${indexKey(id)} is damaged`, err, REBUILD_INDEX_HINT);
}

/** Hands what index `id`'s file lists to `v` (see visitIndex), once it is checked to hash to its ID; a damaged one is an error as `loadIndex` gives. */
export function visitIndexFile(id: IndexId, file: Uint8Array, v: IndexVisitor): void {
  const cbor = indexCbor(id, file);
  try {
    visitIndex(cbor, `index ${id}`, v);
  } catch (err) {
    throw damagedIndex(id, err);
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
