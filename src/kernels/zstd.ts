/** zstd on Bun's native implementation: one-shot frames, and decoding of one or more concatenated frames. */
import zlib from "node:zlib";
import { asPlainBytes } from "../lib/bytes.ts";
import { BackpakError } from "../lib/errors.ts";
import { scanFrames } from "./zstd-frames.ts";

/** zstd's default level, the one backpak writes with (indexes and pack manifests use it). */
export const DEFAULT_ZSTD_LEVEL = 3;

/**
 * The level for packs' blob frames. On the Linux sources level 1 compresses 1.4x faster than
 * level 3 and the repository is 7% larger (223 MB against 208 MB; borg with zstd,3 needs 268 MB,
 * restic 276 MB), and compression is most of a first backup's work.
 */
export const PACK_ZSTD_LEVEL = 1;

/** Compresses `data` into one zstd frame (with its content size in the header). */
export function zstdCompress(data: Uint8Array, level = DEFAULT_ZSTD_LEVEL): Uint8Array {
  return asPlainBytes(Bun.zstdCompressSync(data, { level }));
}

/**
 * How much a decompression may produce: `exactly` a size the caller knows (a pack's blobs, from its
 * manifest), or `atMost` a cap (indexes and manifests, whose size nothing states beforehand).
 * Either way decompression stops past it, so a hostile frame can't balloon into more memory than that.
 */
export type OutputLimit = { readonly exactly: number } | { readonly atMost: number };

/**
 * Decompresses one frame or several concatenated frames (a valid zstd stream either way) within
 * `limit`. `what` names the object in the error when the bytes are not zstd or say too much.
 */
export function zstdDecompress(data: Uint8Array, what: string, limit: OutputLimit): Uint8Array {
  const cap = "exactly" in limit ? limit.exactly : limit.atMost;
  let out: Uint8Array;
  try {
    // Frames whose headers state sizes that fit decode straight into a buffer of that size (the
    // fast path); others (backpak's streamed frames say no size) are decoded with a cap.
    out = asPlainBytes(fitsByHeaders(data, limit) ? Bun.zstdDecompressSync(data) : zlib.zstdDecompressSync(data, { maxOutputLength: Math.max(cap, 1) }));
  } catch (err) {
    if ((err as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new BackpakError("corrupt", `${what} decompresses to more than ${cap} bytes`, { hint: "run `backpak check` to see which objects are damaged" });
    }
    throw new BackpakError("corrupt", `${what} is not valid zstd data`, { cause: err });
  }
  if ("exactly" in limit && out.length !== cap) throw new BackpakError("corrupt", `${what} decompressed to ${out.length} bytes, not ${cap}`);
  return out;
}

/** True when `data` is whole frames whose headers all state their sizes, adding up to the exact size or within the cap. */
function fitsByHeaders(data: Uint8Array, limit: OutputLimit): boolean {
  let total = 0;
  for (const f of scanFrames(data)) {
    if (f.contentSize < 0) return false;
    total += f.contentSize;
  }
  return "exactly" in limit ? total === limit.exactly : total <= limit.atMost;
}
