/** The ring allocator: wraparound, skipping the tail gap, refusing when full, and FIFO release. */
import { expect, test } from "bun:test";
import { ByteRing } from "../../src/pipeline/byte-ring.ts";

test("allocates in order, wraps to the start, and refuses when full", () => {
  const r = new ByteRing(1000, 100);
  expect(r.alloc(40)).toBe(1000);
  expect(r.alloc(40)).toBe(1040);
  expect(r.alloc(30)).toBe(-1); // 20 left at the end, the start is held
  r.releaseOldest();
  expect(r.alloc(30)).toBe(1000); // wraps; [80,100) becomes a gap
  expect(r.alloc(15)).toBe(-1); // only [30,40) is free
  expect(r.alloc(10)).toBe(1030);
  expect(r.alloc(1)).toBe(-1); // full: head meets tail
  r.releaseOldest(); // frees [40,80): free space is [40,100) again, the gap included
  expect(r.alloc(60)).toBe(1040);
});

test("emptying resets to the start, and used counts held bytes", () => {
  const r = new ByteRing(0, 64);
  r.alloc(10);
  r.alloc(20);
  expect(r.used).toBe(30);
  r.releaseOldest();
  r.releaseOldest();
  expect(r.used).toBe(0);
  expect(r.alloc(64)).toBe(0);
  expect(() => r.alloc(65)).toThrow();
  r.releaseOldest();
  expect(() => r.releaseOldest()).toThrow();
});

test("a long random run never hands out overlapping live ranges", () => {
  const r = new ByteRing(0, 1000);
  const live: [number, number][] = [];
  let s = 7;
  const rand = (n: number): number => ((s = (s * 1103515245 + 12345) % 2147483648), s % n);
  for (let i = 0; i < 20_000; i++) {
    if (live.length > 0 && rand(3) === 0) {
      r.releaseOldest();
      live.shift();
      continue;
    }
    const n = 1 + rand(300);
    const at = r.alloc(n);
    if (at < 0) continue;
    for (const [a, b] of live) expect(at + n <= a || at >= b).toBe(true);
    expect(at + n).toBeLessThanOrEqual(1000);
    live.push([at, at + n]);
  }
});
