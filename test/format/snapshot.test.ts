/** Snapshot files: version 2 round trips, omitted empty tags, the version byte and magic checks. */
import { describe, expect, test } from "bun:test";
import {
  decodeSnapshotBody,
  encodeSnapshotBody,
  encodeSnapshotFile,
  makeSnapshot,
  splitSnapshotFile,
} from "../../src/format/snapshot.ts";
import { humanDate, parseUserTime, parseZoned, timestampString, zonedString } from "../../src/format/time.ts";
import { hashId } from "../../src/kernels/sha224.ts";

const snap = makeSnapshot({
  time: 1_731_048_936_123_456_789n,
  tz: "America/Los_Angeles",
  author: "me",
  tags: ["b", "a", "a"],
  paths: ["/a-b", "/a/b"],
  tree: hashId<"blob">("root"),
});

describe("snapshot format", () => {
  test("tags are sorted and deduplicated, paths sorted component-wise", () => {
    expect(snap.tags).toEqual(["a", "b"]);
    expect(snap.paths).toEqual(["/a/b", "/a-b"]);
  });
  test("version 2 round-trips and omits empty tags", () => {
    const body = encodeSnapshotBody(snap);
    expect(decodeSnapshotBody(body, "2", "s")).toEqual(snap);
    const untagged = { ...snap, tags: [] };
    const b2 = encodeSnapshotBody(untagged);
    expect(Buffer.from(b2).includes(Buffer.from("tags"))).toBe(false);
    expect(decodeSnapshotBody(b2, "2", "s")).toEqual(untagged);
  });
  test("files carry magic and version; others are refused by name", () => {
    const file = encodeSnapshotFile(encodeSnapshotBody(snap));
    expect(Buffer.from(file.subarray(0, 9)).toString()).toBe("MKBAKSNP2");
    expect(splitSnapshotFile(file, "x").version).toBe("2");
    const v3 = file.slice();
    v3[8] = 0x33;
    expect(() => splitSnapshotFile(v3, "snapshots/abc")).toThrow(/Unknown snapshot file version 3 in snapshots\/abc/);
    expect(() => splitSnapshotFile(file.subarray(1), "snapshots/abc")).toThrow(/Wrong magic/);
  });
});

describe("time strings", () => {
  test("RFC 3339 and RFC 9557 as jiff writes them", () => {
    expect(timestampString(1_723_923_522_334_637_269n)).toBe("2024-08-17T19:38:42.334637269Z");
    expect(timestampString(1_723_923_522_000_000_000n)).toBe("2024-08-17T19:38:42Z");
    expect(zonedString(snap.time, snap.tz)).toBe("2024-11-07T22:55:36.123456789-08:00[America/Los_Angeles]");
    expect(humanDate(snap.time, snap.tz)).toBe("Thu Nov 7 2024 22:55:36 America/Los_Angeles");
  });
  test("zoned strings parse back to the same instant", () => {
    expect(parseZoned("2024-11-07T22:55:36.123456789-08:00[America/Los_Angeles]")).toEqual({
      ns: snap.time,
      tz: "America/Los_Angeles",
    });
    expect(parseZoned("1969-07-20T20:17:40+00:00[UTC]")).toEqual({ ns: -14_182_940_000_000_000n, tz: "UTC" });
    expect(parseZoned("2024-01-01T00:00:00+02:00").tz).toBe("+02:00");
  });
  test("times people write: local in the given zone, or with an offset", () => {
    expect(parseUserTime("2012-11-01 22:08:41", "UTC")).toBe(1_351_807_721_000_000_000n);
    expect(parseUserTime("2012-11-01 22:08:41", "America/New_York")).toBe(1_351_822_121_000_000_000n);
    expect(parseUserTime("2012-11-01T22:08:41+01:00", "Asia/Tokyo")).toBe(1_351_804_121_000_000_000n);
    expect(() => parseUserTime("yesterday", "UTC")).toThrow();
  });
});
