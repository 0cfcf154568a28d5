/**
 * A changed file moving through backup's pipeline (its ticket): the segments of the input ring
 * holding its bytes, and its chunks as they become known, for the caller to decide in order.
 */
import type { BlobId } from "../format/id.ts";
import type { FileStamp } from "../fs/file-stamp.ts";

export interface ChunkRef {
  readonly id: BlobId;
  /** The ID's 28 bytes, for the dedup lookup. */
  readonly digest: Uint8Array;
  readonly length: number;
  /** Absolute ranges of the data buffer holding its bytes (several when it spans segments). */
  readonly pieces: readonly (readonly [number, number])[];
}

/** A range of the input ring holding stream bytes [streamStart, streamStart + length) of one file. */
export interface Segment {
  readonly ring: number;
  readonly streamStart: number;
  readonly length: number;
  /** Sequence number of the last frame that needs these bytes (0: none). */
  neededUntil: number;
}

/** A segment with its file: the input ring's ranges in ring order, for releasing oldest first. */
export interface HeldSegment {
  readonly ticket: FileTicket;
  readonly seg: Segment;
}

export class FileTicket {
  /** Chunks known so far, in order; the caller takes them with `decide`. */
  readonly chunks: ChunkRef[] = [];
  /** All chunks are known (cut and hashed). */
  complete = false;
  /** Its chunks are hashed by Hash jobs rather than by the worker that cuts them. */
  cutOnly = false;
  /** Every cut is known. */
  cut = false;
  /** Chunks cut but not hashed yet. */
  hashing = 0;
  /** How many chunks (and stream bytes) the caller has decided. */
  decided = 0;
  decidedBytes = 0;
  readonly segments: Segment[] = [];
  readBytes = 0;
  /** Stream offset of the next chunk to be reported. */
  cutAt = 0;
  /** The file no longer matched its stamp after the read (or couldn't be read in full): its chunks are not its contents. */
  changed = false;
  readonly size: number;

  constructor(
    readonly path: string,
    readonly stamp: FileStamp,
  ) {
    this.size = stamp.size;
  }
}

/** The ring ranges holding stream bytes [start, start + length) of a ticket. */
export function piecesOf(t: FileTicket, start: number, length: number): [number, number][] {
  const out: [number, number][] = [];
  const end = start + length;
  for (const s of t.segments) {
    const a = Math.max(start, s.streamStart);
    const b = Math.min(end, s.streamStart + s.length);
    if (a < b) out.push([s.ring + (a - s.streamStart), b - a]);
  }
  return out;
}
