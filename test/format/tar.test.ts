/** Tar headers: pax records whose length prefix counts itself across digit boundaries, checksums, and ustar fields. */
import { expect, test } from "bun:test";
import { TAR_BLOCK, tarHeader, type TarEntry } from "../../src/format/tar.ts";

const decoder = new TextDecoder();
const base: TarEntry = { path: "f", type: "file", mode: 0o644, uid: 1, gid: 2, mtime: 5_000_000_000n, size: 3 };

/** The pax records of a header, each checked to be exactly as long as its prefix says. */
function paxRecords(header: Uint8Array): Record<string, string> {
  expect(String.fromCharCode(header[156]!)).toBe("x");
  const size = parseInt(decoder.decode(header.subarray(124, 135)), 8);
  const body = header.subarray(TAR_BLOCK, TAR_BLOCK + size);
  const out: Record<string, string> = {};
  for (let at = 0; at < body.length; ) {
    const space = body.indexOf(0x20, at);
    const len = Number(decoder.decode(body.subarray(at, space)));
    const record = decoder.decode(body.subarray(space + 1, at + len));
    expect(record.endsWith("\n")).toBe(true);
    const eq = record.indexOf("=");
    out[record.slice(0, eq)] = record.slice(eq + 1, -1);
    at += len;
  }
  return out;
}

function checksumOk(block: Uint8Array): boolean {
  const stored = parseInt(decoder.decode(block.subarray(148, 154)), 8);
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

test("a name of at most 100 bytes and a whole-second mtime need no pax header", () => {
  const h = tarHeader({ ...base, path: "d/".repeat(49) + "ab" });
  expect(h.length).toBe(TAR_BLOCK);
  expect(checksumOk(h)).toBe(true);
  expect(decoder.decode(h.subarray(257, 263))).toBe("ustar\0");
  expect(decoder.decode(h.subarray(136, 147))).toBe((5).toString(8).padStart(11, "0"));
});

test("pax records have the right length, around the 3-to-4 digit boundary too", () => {
  for (const n of [...Array.from({ length: 30 }, (_, i) => 101 + i), ...Array.from({ length: 30 }, (_, i) => 980 + i)]) {
    const name = "é".repeat(Math.floor(n / 2)) + "x".repeat(n % 2);
    const h = tarHeader({ ...base, path: name });
    expect(paxRecords(h).path).toBe(name);
    expect(h.length % TAR_BLOCK).toBe(0);
    expect(checksumOk(h.subarray(h.length - TAR_BLOCK))).toBe(true);
  }
});

test("big owners and sizes, fractional and pre-1970 mtimes and long link targets go in pax records", () => {
  const h = tarHeader({ ...base, uid: 2 ** 21, gid: 3, size: 8 ** 11, mtime: -1_500_000_000n, type: "symlink", target: "t".repeat(101) });
  expect(paxRecords(h)).toEqual({ linkpath: "t".repeat(101), size: String(8 ** 11), uid: String(2 ** 21), mtime: "-1.500000000" });
  const fraction = tarHeader({ ...base, mtime: 1_000_000_007n });
  expect(paxRecords(fraction)).toEqual({ mtime: "1.000000007" });
});
