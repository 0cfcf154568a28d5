/** CBOR as ciborium writes it: shortest heads, negative numbers, indefinite maps; hostile input is refused. */
import { describe, expect, test } from "bun:test";
import { CborWriter, decodeCbor } from "../../src/format/cbor.ts";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("CBOR writer", () => {
  test("integers use the shortest head", () => {
    const cases: [number | bigint, string][] = [
      [0, "00"],
      [23, "17"],
      [24, "1818"],
      [255, "18ff"],
      [256, "190100"],
      [65536, "1a00010000"],
      [4294967296, "1b0000000100000000"],
      [-1, "20"],
      [-25, "3818"],
      [-1_000_000_000_000n, "3b000000e8d4a50fff"],
      [1_600_000_000_123_456_789n, "1b16345785dffbcd15"],
    ];
    for (const [v, h] of cases) expect(hex(new CborWriter().int(v).finish())).toBe(h);
  });
  test("indefinite maps close with a break", () => {
    expect(hex(new CborWriter().indefiniteMap().text("a").int(1).end().finish())).toBe("bf616101ff");
  });
});

describe("CBOR reader", () => {
  test("round-trips what the writer writes", () => {
    const w = new CborWriter().map(3).text("n").int(-5).text("big").int(1n << 62n).text("b").bytes(new Uint8Array([1, 2]));
    const v = decodeCbor(w.finish(), "test") as Map<unknown, unknown>;
    expect(v.get("n")).toBe(-5);
    expect(v.get("big")).toBe(1n << 62n);
    expect(v.get("b")).toEqual(new Uint8Array([1, 2]));
  });
  test("accepts indefinite arrays and maps", () => {
    const v = decodeCbor(Buffer.from("bf61619f0102ffff", "hex"), "test") as Map<unknown, unknown>;
    expect(v.get("a")).toEqual([1, 2]);
  });
  test("names the object when the data is truncated, trailing or absurd", () => {
    expect(() => decodeCbor(Buffer.from("a26161", "hex"), "index xyz")).toThrow(/index xyz.*unexpected end/);
    expect(() => decodeCbor(Buffer.from("0000", "hex"), "tree abc")).toThrow(/tree abc.*trailing/);
    expect(() => decodeCbor(Buffer.from("9b00000000ffffffff", "hex"), "pack p")).toThrow(/pack p.*longer than the data/);
    expect(() => decodeCbor(Buffer.from("62c328", "hex"), "t")).toThrow(/UTF-8/);
  });
});
