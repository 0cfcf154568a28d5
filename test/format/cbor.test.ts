/** CBOR as ciborium writes it: shortest heads, negative numbers, indefinite maps; hostile input is refused. */
import { describe, expect, test } from "bun:test";
import { CborWriter, headLength } from "../../src/format/cbor.ts";
import { CborCursor } from "../../src/format/cbor-cursor.ts";
import { idFromDigest } from "../../src/format/id.ts";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("CBOR writer", () => {
  test("a writer filled exactly hands out its buffer, which later writes leave alone; raw bytes go in as they are", () => {
    const w = new CborWriter(4);
    w.array(2).raw(Uint8Array.of(0x01)).int(2);
    expect(headLength(23) + headLength(24) + headLength(0x100) + headLength(0x10000)).toBe(1 + 2 + 3 + 5);
    const full = w.int(7).finish();
    expect([...full]).toEqual([0x82, 0x01, 0x02, 0x07]);
    w.int(9);
    expect([...full]).toEqual([0x82, 0x01, 0x02, 0x07]);
    expect([...w.finish()]).toEqual([0x82, 0x01, 0x02, 0x07, 0x09]);
  });

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

describe("CBOR cursor", () => {
  test("round-trips what the writer writes", () => {
    const id = new Uint8Array(28).fill(7);
    const w = new CborWriter().map(4).text("n").int(-5).text("big").int(1n << 62n).text("neg").int(-(1n << 62n)).text("id").bytes(id);
    const c = new CborCursor(w.finish(), "test");
    expect(c.map()).toBe(4);
    expect(c.text()).toBe("n");
    expect(c.bigint()).toBe(-5n);
    expect(c.text()).toBe("big");
    expect(c.bigint()).toBe(1n << 62n);
    expect(c.text()).toBe("neg");
    expect(c.bigint()).toBe(-(1n << 62n));
    expect(c.text()).toBe("id");
    expect(c.id()).toBe(idFromDigest(id));
    expect(c.done).toBe(true);
  });
  test("reads indefinite arrays and maps, and skips what it doesn't know", () => {
    const c = new CborCursor(Buffer.from("bf6161" + "9f0102ff" + "6162" + "a1617882f6f5" + "ff", "hex"), "test");
    expect(c.map()).toBe(-1);
    expect(c.text()).toBe("a");
    expect(c.array()).toBe(-1);
    expect([c.uint(), c.uint()]).toEqual([1, 2]);
    expect(c.atBreak()).toBe(true);
    expect(c.text()).toBe("b");
    c.skip();
    expect(c.atBreak()).toBe(true);
    expect(c.done).toBe(true);
  });
  test("names the object when the data is truncated, mistyped or absurd", () => {
    expect(() => new CborCursor(Buffer.from("6161", "hex"), "index xyz").uint()).toThrow(/index xyz.*expected major type 0/);
    const short = new CborCursor(Buffer.from("58", "hex"), "tree abc");
    expect(() => short.id()).toThrow(/tree abc.*unexpected end/);
    expect(() => new CborCursor(Buffer.from("5801ff", "hex"), "pack p").id()).toThrow(/pack p.*28-byte ID/);
    expect(() => new CborCursor(Buffer.from("62c328", "hex"), "t").text()).toThrow(/UTF-8/);
  });
});
