/** Snapshot references: full IDs, LAST/HEAD with ~ and ~N, prefixes of 4+ digits, and their errors. */
import { expect, test } from "bun:test";
import type { SnapshotId } from "../../src/format/id.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { findSnapshot, findSnapshots, type StoredSnapshot } from "../../src/repo/snapshots.ts";

const list: StoredSnapshot[] = ["a", "b", "c"].map((n, i) => ({
  id: hashId<"snapshot">(n),
  size: 0,
  snapshot: { time: BigInt(i), tz: "UTC", author: n, tags: [], paths: [], tree: hashId<"blob">(n) },
}));
const author = (s: StoredSnapshot): string => s.snapshot.author;

test("LAST and HEAD count back from the newest", () => {
  expect(author(findSnapshot(list, "LAST"))).toBe("c");
  expect(author(findSnapshot(list, "HEAD"))).toBe("c");
  expect(author(findSnapshot(list, "LAST~"))).toBe("b");
  expect(author(findSnapshot(list, "LAST~0"))).toBe("c");
  expect(author(findSnapshot(list, "HEAD~2"))).toBe("a");
  expect(() => findSnapshot(list, "LAST~3")).toThrow("Don't have 4 snapshots yet");
});

test("IDs and prefixes", () => {
  const id = list[0]!.id;
  expect(findSnapshot(list, id).id).toBe(id);
  expect(findSnapshot(list, id.slice(0, 6)).id).toBe(id);
  expect(() => findSnapshot(list, id.slice(0, 3))).toThrow("Provide a snapshot ID with at least 4 digits!");
  expect(() => findSnapshot(list, "vvvv")).toThrow("No snapshots start with vvvv");
  expect(() => findSnapshot(list, hashId<"snapshot">("zzz"))).toThrow(/^No snapshot /);
});

test("several prefixes that match resolve to the number of matches", () => {
  const twins: StoredSnapshot[] = [0, 1].map((i) => ({ ...list[i]!, id: `abcd${list[i]!.id.slice(4)}` as SnapshotId }));
  expect(() => findSnapshot(twins, "abcd")).toThrow("2 different snapshots start with abcd");
});

test("lists are ordered by time without duplicates", () => {
  expect(findSnapshots(list, ["LAST", "HEAD~2", "LAST~0"]).map(author)).toEqual(["a", "c"]);
});
