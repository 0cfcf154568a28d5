/** Object IDs: the SHA-224 vector, base32hex round trips, and what parsing refuses. */
import { describe, expect, test } from "bun:test";
import { idFromDigest, idToDigest, parseId, isId, shortId } from "../../src/format/id.ts";
import { EMPTY_TREE_ID } from "../../src/format/tree.ts";
import { hashId, sha224 } from "../../src/kernels/sha224.ts";

describe("object IDs", () => {
  test("SHA-224 matches the known vector", () => {
    const hex = Buffer.from(sha224("Developers, developers, developers, developers!")).toString("hex");
    expect(hex).toBe("354e63924f01c3b921222ab4d5b4a77ef67d04bedf437eef66d2e0d6");
  });
  test("the empty tree constant is the hash of CBOR a0", () => {
    expect(hashId(new Uint8Array([0xa0]))).toBe(EMPTY_TREE_ID);
  });
  test("round-trips digests and sorts like the raw bytes", () => {
    const digests = Array.from({ length: 200 }, (_, i) => sha224(`digest ${i}`));
    const ids = digests.map((d) => idFromDigest(d));
    for (let i = 0; i < ids.length; i++) {
      expect(ids[i]!.length).toBe(45);
      expect(Buffer.from(idToDigest(ids[i]!)).equals(Buffer.from(digests[i]!))).toBe(true);
      expect(parseId(ids[i]!)).toBe(ids[i]!);
    }
    const byText = [...ids].sort();
    const byBytes = [...digests].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map((d) => idFromDigest(d));
    expect(byText).toEqual(byBytes);
  });
  test("rejects upper case, wrong lengths, foreign digits and a set pad bit", () => {
    const good = hashId("x");
    expect(isId(good)).toBe(true);
    expect(() => parseId(good.toUpperCase())).toThrow(/lowercase base32hex/);
    expect(() => parseId(good.slice(1))).toThrow(/45 characters/);
    expect(() => parseId(good.slice(0, 44) + "w")).toThrow(/not a lowercase/);
    const last = good.charCodeAt(44);
    const odd = String.fromCharCode(last === 0x39 ? 0x61 : last + 1); // one more than an even digit is odd
    expect(() => parseId(good.slice(0, 44) + odd)).toThrow(/pad bit/);
  });
  test("short names are the first 8 characters", () => {
    expect(shortId(hashId("x"))).toBe(hashId("x").slice(0, 8));
  });
});
