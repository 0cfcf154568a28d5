/** zstd on Bun's native implementation: one-shot frames, and decoding of one or more concatenated frames. */
import { BackpakError } from "../lib/errors.ts";

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
  return new Uint8Array(Bun.zstdCompressSync(data, { level }));
}

/**
 * Decompresses one frame or several concatenated frames (a valid zstd stream either way).
 * `what` names the object in the error when the bytes are not zstd.
 */
export function zstdDecompress(data: Uint8Array, what: string): Uint8Array {
  try {
    return new Uint8Array(Bun.zstdDecompressSync(data));
  } catch (err) {
    throw new BackpakError("corrupt", `${what} is not valid zstd data`, { cause: err });
  }
}
