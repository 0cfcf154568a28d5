/** Index files on disk: "MKBAKIDX1" + zstd(CBOR); loading verifies the ID, writing goes through the scratch directory. */
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import { cborCapFor } from "../format/cbor-cap.ts";
import { decodeIndex, encodeIndex, type IndexContents } from "../format/index-file.ts";
import { INDEX_MAGIC, hasMagic, magicBytes } from "../format/magic.ts";
import type { IndexId } from "../format/id.ts";
import { concatBytes } from "../lib/bytes.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { hashId } from "../kernels/sha224.ts";
import { zstdCompress, zstdDecompress } from "../kernels/zstd.ts";
import { indexKey } from "./keys.ts";

/** Encodes an index; returns its ID and the bytes of the whole file. */
export function buildIndexFile(index: IndexContents): { id: IndexId; file: Uint8Array } {
  const cbor = encodeIndex(index);
  return { id: hashId<"index">(cbor), file: concatBytes([magicBytes(INDEX_MAGIC), zstdCompress(cbor)]) };
}

/** Decodes an index file's bytes, checking them against `id` when one is expected. */
export function parseIndexFile(file: Uint8Array, what: string): { id: IndexId; index: IndexContents } {
  if (!hasMagic(file, INDEX_MAGIC)) throw new BackpakError("corrupt", `Wrong magic bytes for index file ${what}`);
  const compressed = file.subarray(INDEX_MAGIC.length);
  const cbor = zstdDecompress(compressed, what, { atMost: cborCapFor(compressed.length) });
  return { id: hashId<"index">(cbor), index: decodeIndex(cbor, what) };
}

/** What to do about an index file that doesn't load: the packs hold everything it says. */
export const REBUILD_INDEX_HINT = "run `backpak rebuild-index`: it rebuilds the index from the packs' own manifests, naming any pack it can't read";

/** Loads index `id`, checking it hashes to its ID; a damaged one is an error naming its file, saying how to rebuild it. */
export async function loadIndex(backend: Backend, id: IndexId): Promise<IndexContents> {
  const key = indexKey(id);
  const file = await backend.read(key);
  let parsed: { id: IndexId; index: IndexContents };
  try {
    parsed = parseIndexFile(file, `index ${id}`);
  } catch (err) {
    throw context("corrupt", `Index ${id} can't be used: ${key} is damaged`, err, REBUILD_INDEX_HINT);
  }
  if (parsed.id !== id) {
    throw new BackpakError("corrupt", `Index ${id} can't be used: ${key} is damaged: its contents now hash to ${parsed.id}`, { hint: REBUILD_INDEX_HINT });
  }
  return parsed.index;
}

/** The local file name an index is written to before upload. */
export function indexFileName(scratchDir: string, id: IndexId): string {
  return path.join(scratchDir, `${id}.index`);
}
