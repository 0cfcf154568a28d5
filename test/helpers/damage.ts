/** Damages repository files as rot or a bad disk would (a flipped bit, a truncation, a zeroed range, appended junk) at a chosen place, and finds the parts of a pack to aim at. */
import fs from "node:fs";
import { PACK_MAGIC } from "../../src/format/magic.ts";
import { scanFrame } from "../../src/kernels/zstd-frames.ts";
import { readU32BE } from "../../src/lib/bytes.ts";

export type Damage = "flip" | "truncate" | "zero" | "append";
export const DAMAGES: readonly Damage[] = ["flip", "truncate", "zero", "append"];

/** A byte range of a file, [start, end). */
export interface Region {
  readonly start: number;
  readonly end: number;
}

/** The parts of a pack file: each zstd frame of its blob stream, its compressed manifest, and the manifest's 4-byte length. */
export interface PackRegions {
  readonly frames: readonly Region[];
  readonly manifest: Region;
  readonly trailer: Region;
}

export function packRegions(file: Uint8Array): PackRegions {
  const trailer = { start: file.length - 4, end: file.length };
  const manifest = { start: trailer.start - readU32BE(file, trailer.start), end: trailer.start };
  const frames: Region[] = [];
  for (let pos = PACK_MAGIC.length; pos < manifest.start; ) {
    const frame = scanFrame(file, pos, manifest.start);
    if (!frame) throw new Error(`pack frame at ${pos} runs past its manifest`);
    frames.push({ start: frame.start, end: frame.end });
    pos = frame.end;
  }
  return { frames, manifest, trailer };
}

/**
 * Damages `file` at `at` (inside `region`, its middle by default): `flip` inverts one bit there,
 * `truncate` cuts the file there, `zero` clears up to `span` bytes from there (at least one of them
 * not already zero, so the file changes), `append` adds `span` junk bytes at the end. Returns
 * what it did, for messages.
 */
export function damageFile(file: string, damage: Damage, region: Region, opts: { at?: number; span?: number; bit?: number } = {}): string {
  const bytes = fs.readFileSync(file);
  const at = opts.at ?? region.start + Math.floor((region.end - region.start) / 2);
  const span = Math.max(1, opts.span ?? 16);
  switch (damage) {
    case "flip":
      bytes[at]! ^= 1 << (opts.bit ?? 4);
      fs.writeFileSync(file, bytes);
      return `flipped bit ${opts.bit ?? 4} of byte ${at}`;
    case "truncate":
      fs.truncateSync(file, at);
      return `truncated to ${at} bytes`;
    case "zero": {
      let start = at;
      // Zeroing zeros changes nothing: start at the first non-zero byte of the region from `at` on.
      while (start < region.end - 1 && bytes[start] === 0) start++;
      const end = Math.min(region.end, start + span);
      bytes.fill(0, start, end);
      fs.writeFileSync(file, bytes);
      return `zeroed bytes ${start}..${end}`;
    }
    case "append":
      fs.appendFileSync(file, new Uint8Array(span).fill(0xa5));
      return `appended ${span} bytes`;
  }
}

/** The whole of a file, as a region. */
export function wholeFile(file: string): Region {
  return { start: 0, end: fs.statSync(file).size };
}
