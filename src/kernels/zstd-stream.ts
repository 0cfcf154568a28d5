/**
 * zstd decompression in pieces: a stream (one or more frames) is handed on a bounded piece at a
 * time, so a big object (an index) is read without ever being held decompressed whole.
 */
import { once } from "node:events";
import zlib from "node:zlib";
import { BackpakError } from "../lib/errors.ts";

/** The size of the pieces handed on: big enough that the per-piece cost is lost in the work, small beside a big index. */
const PIECE_BYTES = 256 << 10;
/** The size of the slices of compressed input it is fed. */
const FEED_BYTES = 1 << 20;

/**
 * The decompressed bytes of `data`, piece by piece; past `atMost` bytes in all it stops with an
 * error (a hostile frame can't balloon), as it does on bytes that are not zstd. `what` names the
 * object in the error. Each piece is the caller's to keep.
 */
export async function* zstdPieces(data: Uint8Array, what: string, atMost: number): AsyncGenerator<Uint8Array> {
  const z = zlib.createZstdDecompress({ chunkSize: PIECE_BYTES });
  // Fed in copied slices as it asks for them: the stream keeps what it was given until it is
  // collected, and `data` itself is often a whole file the caller means to drop.
  const feed = async (): Promise<void> => {
    for (let at = 0; at < data.length; at += FEED_BYTES) if (!z.write(data.slice(at, at + FEED_BYTES))) await once(z, "drain");
    z.end();
  };
  void feed().catch(() => {}); // an error in the stream is thrown to the reader below
  let total = 0;
  try {
    for await (const piece of z as AsyncIterable<Uint8Array>) {
      total += piece.length;
      if (total > atMost) throw new BackpakError("corrupt", `${what} decompresses to more than ${atMost} bytes`, { hint: "run `backpak check` to see which objects are damaged" });
      yield piece;
    }
  } catch (err) {
    if (err instanceof BackpakError) throw err;
    throw new BackpakError("corrupt", `${what} is not valid zstd data`, { cause: err });
  } finally {
    z.destroy();
  }
}
