/** The digest table: every key found under its number as the table grows, misses are misses, and copies of a key are all kept in order. */
import { expect, test } from "bun:test";
import { DigestTable } from "../../src/repo/digest-table.ts";
import { randomBytes } from "../helpers/random.ts";

const ID = 28;
/** `n` distinct random digests, back to back. */
const digests = (seed: number, n: number): Uint8Array => randomBytes(seed, n * ID);
const nth = (all: Uint8Array, i: number): Uint8Array => all.subarray(i * ID, (i + 1) * ID);

test("finds each of 20,000 keys under its number while growing from empty, and none of 20,000 others", () => {
  const t = new DigestTable();
  const keys = digests(1, 20_000);
  for (let i = 0; i < 20_000; i++) expect(t.add(keys, i * ID)).toBe(i);
  expect(t.count).toBe(20_000);
  for (let i = 0; i < 20_000; i++) expect(t.find(nth(keys, i))).toBe(i);
  const others = digests(2, 20_000);
  for (let i = 0; i < 20_000; i++) expect(t.find(others, i * ID)).toBe(-1);
  expect(Buffer.from(t.key(12_345)).equals(Buffer.from(nth(keys, 12_345)))).toBe(true);
});

test("keys sharing their first bytes (one home slot) are told apart by the rest", () => {
  const t = new DigestTable();
  const keys = digests(3, 500);
  for (let i = 0; i < 500; i++) keys.set([7, 7, 7, 7, 7, 7, 7, 7], i * ID);
  for (let i = 0; i < 400; i++) t.add(keys, i * ID);
  for (let i = 0; i < 400; i++) expect(t.find(keys, i * ID)).toBe(i);
  for (let i = 400; i < 500; i++) expect(t.find(keys, i * ID)).toBe(-1);
  // A key differing only in its last byte from a stored one is a miss.
  const near = nth(keys, 10).slice();
  near[ID - 1] = near[ID - 1]! ^ 1;
  expect(t.find(near)).toBe(-1);
});

test("a key added three times keeps every copy, the first answering lookups, through growth and trimming", () => {
  const t = new DigestTable();
  const keys = digests(4, 3000);
  const twice = nth(keys, 0);
  const copies: number[] = [];
  for (let i = 0; i < 3000; i++) {
    if (i === 5 || i === 900 || i === 2500) copies.push(t.add(twice));
    t.add(keys, i * ID);
  }
  expect(copies).toEqual([5, 901, 2502]);
  expect(t.copyCount).toBe(3);
  expect(t.find(twice)).toBe(0);
  expect(t.copies(twice)).toEqual([0, ...copies]);
  expect(t.copies(nth(keys, 1))).toEqual([1]);
  expect(t.copies(nth(digests(5, 1), 0))).toEqual([]);
  t.trim();
  expect(t.find(twice)).toBe(0);
  expect(t.copies(twice)).toEqual([0, ...copies]);
  for (let i = 1; i < 3000; i++) expect(t.find(keys, i * ID)).toBeGreaterThan(0);
});

test("trimming gives back the room growth left, and adding after it grows again", () => {
  const t = new DigestTable();
  const keys = digests(6, 10_001);
  for (let i = 0; i < 10_000; i++) t.add(keys, i * ID);
  const grown = t.byteLength;
  t.trim();
  expect(t.byteLength).toBeLessThan(grown);
  // 28 bytes of key and about 7 bytes of slots (5 bytes each, at most 70% taken) per key.
  expect(t.byteLength / 10_000).toBeLessThan(28 + 5 / 0.7 + 0.1);
  expect(t.add(keys, 10_000 * ID)).toBe(10_000);
  for (let i = 0; i <= 10_000; i++) expect(t.find(keys, i * ID)).toBe(i);
});
