/**
 * Seeded mutations of byte strings: bit flips, byte changes (to values CBOR and zstd treat
 * specially), truncation, insertion, deletion, duplication, and edits of CBOR length fields to
 * huge or indefinite lengths. The same seed gives the same mutant.
 */
import { concatBytes } from "../../src/lib/bytes.ts";
import { prng } from "../../test/helpers/random.ts";

const SPECIAL = [0x00, 0x01, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x3b, 0x5f, 0x7f, 0x80, 0x9b, 0x9f, 0xa0, 0xbb, 0xbf, 0xf6, 0xf7, 0xfb, 0xff];

/** Mutations, each taking the input, a random source and a position, returning a new array. */
const MUTATIONS: readonly ((b: Uint8Array, r: () => number, at: number) => Uint8Array)[] = [
  // bit flip
  (b, r, at) => withByte(b, at, b[at]! ^ (1 << (r() & 7))),
  // byte set, to a random or a special value
  (b, r, at) => withByte(b, at, r() & 1 ? r() & 0xff : SPECIAL[r() % SPECIAL.length]!),
  // truncation
  (b, _r, at) => b.slice(0, at),
  // insertion of 1 to 16 random bytes
  (b, r, at) => {
    const extra = Uint8Array.from({ length: 1 + (r() & 15) }, () => r() & 0xff);
    return concatBytes([b.subarray(0, at), extra, b.subarray(at)]);
  },
  // deletion of 1 to 16 bytes
  (b, r, at) => concatBytes([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + (r() & 15)))]),
  // duplication of a range
  (b, r, at) => concatBytes([b.subarray(0, at), b.subarray(at, at + 1 + (r() & 63)), b.subarray(at)]),
  // a CBOR head's length made huge (8-byte argument up to 2^63) or indefinite
  (b, r, at) => {
    const major = b[at]! & 0xe0;
    if (r() & 1) return withByte(b, at, major | 0x1f);
    const arg = new Uint8Array(8);
    for (let i = 0; i < 8; i++) arg[i] = r() & 0xff;
    arg[0]! &= 0x7f;
    return concatBytes([b.subarray(0, at), Uint8Array.of(major | 0x1b), arg, b.subarray(at + 1)]);
  },
];

function withByte(b: Uint8Array, at: number, v: number): Uint8Array {
  const out = b.slice();
  out[at] = v;
  return out;
}

/** One to four mutations of `input`, chosen by `seed`. */
export function mutate(input: Uint8Array, seed: number): Uint8Array {
  const r = prng(seed);
  let b = input;
  const n = 1 + (r() & 3);
  for (let i = 0; i < n && b.length > 0; i++) b = MUTATIONS[r() % MUTATIONS.length]!(b, r, r() % b.length);
  return b;
}
