/** Snapshot references: full IDs, LAST/HEAD with ~ and ~N, prefixes of 4+ digits, damaged snapshots, and their errors. */
import { expect, test } from "bun:test";
import type { SnapshotId } from "../../src/format/id.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { BackpakError } from "../../src/lib/errors.ts";
import { findSnapshot, findSnapshots, resolveSnapshot, type DamagedSnapshot, type SnapshotList, type StoredSnapshot } from "../../src/repo/snapshots.ts";

const readable: StoredSnapshot[] = ["a", "b", "c"].map((n, i) => ({
  id: hashId<"snapshot">(n),
  size: 0,
  snapshot: { time: BigInt(i), tz: "UTC", author: n, tags: [], paths: [], tree: hashId<"blob">(n) },
}));
const list: SnapshotList = { chronological: readable, damaged: [] };
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
  const id = readable[0]!.id;
  expect(findSnapshot(list, id).id).toBe(id);
  expect(findSnapshot(list, id.slice(0, 6)).id).toBe(id);
  expect(() => findSnapshot(list, id.slice(0, 3))).toThrow("Provide a snapshot ID with at least 4 digits!");
  expect(() => findSnapshot(list, "vvvv")).toThrow("No snapshots start with vvvv");
  expect(() => findSnapshot(list, hashId<"snapshot">("zzz"))).toThrow(/^No snapshot /);
});

test("several prefixes that match resolve to the number of matches", () => {
  const twins: StoredSnapshot[] = [0, 1].map((i) => ({ ...readable[i]!, id: `abcd${readable[i]!.id.slice(4)}` as SnapshotId }));
  expect(() => findSnapshot({ chronological: twins, damaged: [] }, "abcd")).toThrow("2 different snapshots start with abcd");
});

test("lists are ordered by time without duplicates", () => {
  expect(findSnapshots(list, ["LAST", "HEAD~2", "LAST~0"]).map(author)).toEqual(["a", "c"]);
});

const damaged: DamagedSnapshot = {
  id: hashId<"snapshot">("d"),
  key: `snapshots/${hashId<"snapshot">("d")}.snapshot`,
  size: 10,
  error: new BackpakError("corrupt", "contents changed!"),
};
const withDamaged: SnapshotList = { chronological: readable, damaged: [damaged] };

test("a damaged snapshot resolves by ID or prefix, but can't be used, and LAST skips it", () => {
  expect(resolveSnapshot(withDamaged, damaged.id)).toBe(damaged);
  expect(resolveSnapshot(withDamaged, damaged.id.slice(0, 6))).toBe(damaged);
  expect(() => findSnapshot(withDamaged, damaged.id.slice(0, 6))).toThrow(`Snapshot ${damaged.id} can't be used: ${damaged.key} is damaged`);
  const err = (() => {
    try {
      findSnapshot(withDamaged, damaged.id);
    } catch (e) {
      return e as BackpakError;
    }
  })();
  expect(err?.kind).toBe("corrupt");
  expect(err?.hint).toContain(`\`backpak forget ${damaged.id}\``);
  expect(author(findSnapshot(withDamaged, "LAST"))).toBe("c");
  expect(() => findSnapshot(withDamaged, "LAST~3")).toThrow(`Don't have 4 snapshots yet (not counting the damaged ${damaged.key})`);
  expect(findSnapshots(withDamaged, ["LAST"]).map(author)).toEqual(["c"]);
});
