/** Byte sizes as the CLI and config files read them, and as backpak prints them. */
import { expect, test } from "bun:test";
import { formatExactSize, niceSize, parseByteSize } from "../../src/lib/sizes.ts";

test("parsing", () => {
  expect(parseByteSize("100 MB", false)).toBe(100_000_000);
  expect(parseByteSize("64 MiB", false)).toBe(64 * 2 ** 20);
  expect(parseByteSize("50mb", true)).toBe(50_000_000);
  expect(parseByteSize("8 Mb", false)).toBe(1_000_000); // config files: lowercase b is bits
  expect(parseByteSize("100000000", false)).toBe(100_000_000);
  expect(parseByteSize("1 GiB", false)).toBe(2 ** 30);
  expect(() => parseByteSize("lots", true)).toThrow(/not a byte size/);
});

test("exact formatting round-trips", () => {
  for (const n of [100_000_000, 64 * 2 ** 20, 12345, 2 ** 30, 1]) expect(parseByteSize(formatExactSize(n), false)).toBe(n);
  expect(formatExactSize(100_000_000)).toBe("100 MB");
  expect(formatExactSize(64 * 2 ** 20)).toBe("64 MiB");
});

test("nice sizes", () => {
  expect(niceSize(0)).toBe("0 B");
  expect(niceSize(17_400)).toBe("17 KB");
  expect(niceSize(16_480_000_000)).toBe("16.48 GB");
});
