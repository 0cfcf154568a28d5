/**
 * Finds zstd frame boundaries without decompressing (RFC 8878 §3.1): walks frame headers and
 * block headers. Lets readers split a pack's blob stream into frames that decompress in parallel.
 */

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

export interface FrameInfo {
  /** Offset of the frame in the scanned bytes. */
  readonly start: number;
  /** Offset just past the frame. */
  readonly end: number;
  /** Decompressed size from the header, or -1 when the frame doesn't say (streamed frames). */
  readonly contentSize: number;
}

const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

/**
 * Describes the frame starting at `pos` in `b[0, end)`; undefined when the frame runs past `end`
 * (read more bytes). Throws on bytes that are not a zstd frame.
 */
export function scanFrame(b: Uint8Array, pos: number, end: number): FrameInfo | undefined {
  if (pos + 4 > end) return undefined;
  const magic = u32(b, pos);
  if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
    if (pos + 8 > end) return undefined;
    const stop = pos + 8 + u32(b, pos + 4);
    return stop <= end ? { start: pos, end: stop, contentSize: 0 } : undefined;
  }
  if (magic !== FRAME_MAGIC) throw new Error(`no zstd frame at offset ${pos}`);
  if (pos + 5 > end) return undefined;
  const fhd = b[pos + 4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const hasChecksum = (fhd >> 2) & 1;
  const dictFlag = fhd & 3;
  const fcsSize = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  const headerSize = 1 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictFlag]! + fcsSize;
  let p = pos + 4 + headerSize;
  if (p > end) return undefined;
  let contentSize = -1;
  if (fcsSize > 0) {
    const f = p - fcsSize;
    if (fcsSize === 1) contentSize = b[f]!;
    else if (fcsSize === 2) contentSize = (b[f]! | (b[f + 1]! << 8)) + 256;
    else if (fcsSize === 4) contentSize = u32(b, f);
    else contentSize = u32(b, f) + u32(b, f + 4) * 2 ** 32;
  }
  for (;;) {
    if (p + 3 > end) return undefined;
    const h = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
    const last = h & 1;
    const type = (h >> 1) & 3;
    const size = h >>> 3;
    if (type === 3) throw new Error(`reserved zstd block type at offset ${p}`);
    p += 3 + (type === 1 ? 1 : size);
    if (last) break;
  }
  p += hasChecksum ? 4 : 0;
  return p <= end ? { start: pos, end: p, contentSize } : undefined;
}

/** All frames in `b` (which must hold whole frames only). */
export function scanFrames(b: Uint8Array): FrameInfo[] {
  const out: FrameInfo[] = [];
  for (let pos = 0; pos < b.length; ) {
    const f = scanFrame(b, pos, b.length);
    if (!f) throw new Error(`truncated zstd frame at offset ${pos}`);
    out.push(f);
    pos = f.end;
  }
  return out;
}
