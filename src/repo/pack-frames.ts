/**
 * The frames of a pack's blob stream, found from their headers with windowed reads: where each
 * frame lies in the file, which blobs it holds. Readers then decompress just the frame a blob is
 * in. Undefined for packs that can't be split that way (backpak's single streamed frame).
 */
import type { RangeReader } from "../backend/index.ts";
import { PACK_MAGIC } from "../format/magic.ts";
import type { Manifest } from "../format/manifest.ts";
import { scanFrame } from "../kernels/zstd-frames.ts";

export interface FrameSpan {
  /** Byte range of the frame in the pack file. */
  readonly start: number;
  readonly end: number;
  /** Decompressed size, and where it starts in the blob stream. */
  readonly rawSize: number;
  readonly rawStart: number;
  /** Blobs [firstBlob, firstBlob + blobCount) of the manifest. */
  readonly firstBlob: number;
  readonly blobCount: number;
}

const WINDOW = 8 << 20;

export function packFrames(reader: Pick<RangeReader, "readInto">, manifest: Manifest, blobsEnd: number): FrameSpan[] | undefined {
  const frames: FrameSpan[] = [];
  let pos = PACK_MAGIC.length;
  let raw = 0;
  let blob = 0;
  let blobRaw = 0;
  const buf = new Uint8Array(WINDOW);
  while (pos < blobsEnd) {
    const want = Math.min(WINDOW, blobsEnd - pos);
    const view = buf.subarray(0, reader.readInto(buf.subarray(0, want), pos));
    let off = 0;
    for (let f; (f = scanFrameOrUndefined(view, off)); off = f.end) {
      if (f.contentSize < 0) return undefined;
      const first = blob;
      while (blob < manifest.length && blobRaw + manifest[blob]!.length <= raw + f.contentSize) blobRaw += manifest[blob++]!.length;
      if (blob < manifest.length && blobRaw < raw + f.contentSize) return undefined; // a blob spans frames
      frames.push({ start: pos + f.start, end: pos + f.end, rawSize: f.contentSize, rawStart: raw, firstBlob: first, blobCount: blob - first });
      raw += f.contentSize;
    }
    if (off === 0) return undefined; // a frame larger than the window
    pos += off;
  }
  return blob === manifest.length ? frames : undefined;
}

function scanFrameOrUndefined(view: Uint8Array, off: number): ReturnType<typeof scanFrame> {
  try {
    return scanFrame(view, off, view.length);
  } catch {
    return undefined;
  }
}
