/**
 * Object IDs: SHA-224 digests (28 bytes) written as lowercase RFC 4648 base32hex without padding,
 * 45 characters. The alphabet is in ASCII order, so sorting the text sorts the digests.
 */
import { BackpakError } from "../lib/errors.ts";

export const ID_BYTES = 28;
export const ID_CHARS = 45;
/** The short form shown to users (`Snaphsot <short> done`). */
export const SHORT_ID_CHARS = 8;

declare const idKind: unique symbol;
export type IdKind = "blob" | "pack" | "index" | "snapshot" | "lock";
/** An object ID in its text form; the type parameter says what kind of object it names. */
export type ObjectId<K extends IdKind = IdKind> = string & { readonly [idKind]: K };
export type BlobId = ObjectId<"blob">;
export type PackId = ObjectId<"pack">;
export type IndexId = ObjectId<"index">;
export type SnapshotId = ObjectId<"snapshot">;
/** A lock object's ID (locks/<id>, our extension to the format). */
export type LockId = ObjectId<"lock">;

const ALPHABET = "0123456789abcdefghijklmnopqrstuv";
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const CODES = new Uint16Array(45);
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

/**
 * Encodes a 28-byte digest as its 45-character ID (a flat string, cheap to hash as a map key):
 * `bytes` whole, or the 28 bytes at `at` of it.
 */
export function idFromDigest<K extends IdKind>(bytes: Uint8Array, at?: number): ObjectId<K> {
  if (at === undefined ? bytes.length !== ID_BYTES : at < 0 || bytes.length < at + ID_BYTES) {
    throw new BackpakError("internal", `an object ID needs ${ID_BYTES} bytes, got ${at === undefined ? bytes.length : bytes.length - at}`);
  }
  at ??= 0;
  const d = bytes;
  // Five bytes make eight digits; 28 bytes are five such groups and three bytes more.
  let c = 0;
  for (let i = at; i < at + 25; i += 5) {
    const hi = (d[i]! << 12) | (d[i + 1]! << 4) | (d[i + 2]! >> 4); // 20 bits
    const lo = ((d[i + 2]! & 15) << 16) | (d[i + 3]! << 8) | d[i + 4]!; // 20 bits
    CODES[c++] = ALPHABET_CODES[hi >>> 15]!;
    CODES[c++] = ALPHABET_CODES[(hi >>> 10) & 31]!;
    CODES[c++] = ALPHABET_CODES[(hi >>> 5) & 31]!;
    CODES[c++] = ALPHABET_CODES[hi & 31]!;
    CODES[c++] = ALPHABET_CODES[lo >>> 15]!;
    CODES[c++] = ALPHABET_CODES[(lo >>> 10) & 31]!;
    CODES[c++] = ALPHABET_CODES[(lo >>> 5) & 31]!;
    CODES[c++] = ALPHABET_CODES[lo & 31]!;
  }
  const tail = (d[at + 25]! << 16) | (d[at + 26]! << 8) | d[at + 27]!; // 24 bits, padded to 25
  for (let shift = 20; shift >= 0; shift -= 5) CODES[c++] = ALPHABET_CODES[((tail << 1) >>> shift) & 31]!;
  return String.fromCharCode.apply(null, CODES as unknown as number[]) as ObjectId<K>;
}

/** Why `text` is not an ID, or undefined when it is one. */
export function idProblem(text: string): string | undefined {
  if (text.length !== ID_CHARS) return `an ID has ${ID_CHARS} characters, not ${text.length}`;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || DECODE[c] === -1) {
      return `'${text[i]}' is not a lowercase base32hex digit (0-9, a-v)`;
    }
  }
  // 45 digits carry 225 bits: the last one holds 4 data bits and a pad bit that must be zero.
  if ((DECODE[text.charCodeAt(ID_CHARS - 1)]! & 1) !== 0) return "the last digit carries a non-zero pad bit";
  return undefined;
}

export function isId(text: string): boolean {
  return idProblem(text) === undefined;
}

/** Parses an ID, rejecting upper case, wrong lengths and non-zero padding. */
export function parseId<K extends IdKind>(text: string, what = "object ID"): ObjectId<K> {
  const problem = idProblem(text);
  if (problem !== undefined) {
    throw new BackpakError("usage", `${JSON.stringify(text)} is not a valid ${what}: ${problem}`);
  }
  return text as ObjectId<K>;
}

/** Decodes an ID to its 28-byte digest. */
export function idToDigest(id: ObjectId, out = new Uint8Array(ID_BYTES)): Uint8Array {
  idDigestInto(id, out, 0);
  return out;
}

/** Decodes an ID's 28-byte digest into `out` at `at` (no buffer of its own). */
export function idDigestInto(id: ObjectId, out: Uint8Array, at: number): void {
  const d = (i: number): number => DECODE[id.charCodeAt(i)]!;
  let o = at;
  // Eight digits make five bytes: five such groups, then five digits for the last three bytes.
  for (let i = 0; i < 40; i += 8) {
    const hi = (d(i) << 15) | (d(i + 1) << 10) | (d(i + 2) << 5) | d(i + 3); // 20 bits
    const lo = (d(i + 4) << 15) | (d(i + 5) << 10) | (d(i + 6) << 5) | d(i + 7); // 20 bits
    out[o++] = hi >>> 12;
    out[o++] = (hi >>> 4) & 0xff;
    out[o++] = ((hi & 15) << 4) | (lo >>> 16);
    out[o++] = (lo >>> 8) & 0xff;
    out[o++] = lo & 0xff;
  }
  const tail = (d(40) << 20) | (d(41) << 15) | (d(42) << 10) | (d(43) << 5) | d(44); // 24 bits and the pad bit
  out[o++] = (tail >>> 17) & 0xff;
  out[o++] = (tail >>> 9) & 0xff;
  out[o] = (tail >>> 1) & 0xff;
}

export function shortId(id: ObjectId): string {
  return id.slice(0, SHORT_ID_CHARS);
}
