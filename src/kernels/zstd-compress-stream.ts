/**
 * zstd compression in pieces: input handed over a piece at a time comes out as one ordinary zstd
 * frame (stating its content size, as a one-shot compression does), so a big object (an index)
 * is written without its whole bytes or their compressed copy ever being held.
 */
import zlib from "node:zlib";
import { DEFAULT_ZSTD_LEVEL } from "./zstd.ts";

/** The size of the compressed pieces handed on: few enough that handing them on costs little. */
const PIECE_BYTES = 256 << 10;

/**
 * The compressed bytes of `pieces`, `size` bytes in all (stated in the frame's header), piece by
 * piece, at `level`.
 */
export async function* zstdCompressPieces(pieces: Iterable<Uint8Array>, size: number, level = DEFAULT_ZSTD_LEVEL): AsyncGenerator<Uint8Array> {
  const z = zlib.createZstdCompress({ chunkSize: PIECE_BYTES, pledgedSrcSize: size, params: { [zlib.constants.ZSTD_c_compressionLevel]: level } });
  const feed = async (): Promise<void> => {
    // Each piece once the compressor is done with it, so that it is never holding more than one.
    for (const piece of pieces) await new Promise<void>((done, fail) => z.write(piece, (err) => (err ? fail(err) : done())));
    z.end();
  };
  let failed: unknown;
  const fed = feed().catch((err: unknown) => {
    failed = err;
    z.destroy(err as Error);
  });
  for await (const out of z as AsyncIterable<Uint8Array>) yield out;
  await fed;
  if (failed !== undefined) throw failed;
}
