/** Retention policies on a fixed calendar of snapshots: what each rule keeps and why, with expectations worked out by hand. */
import { describe, expect, test } from "bun:test";
import type { BlobId, SnapshotId } from "../../src/format/id.ts";
import { applyPolicy, parseDuration, type RetentionPolicy } from "../../src/ops/retention.ts";
import type { StoredSnapshot } from "../../src/repo/snapshots.ts";

const ns = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;

function snap(id: string, iso: string, paths: string[], tz = "UTC", tags: string[] = []): StoredSnapshot {
  const snapshot = { time: ns(iso), tz, author: "test", tags, paths, tree: "tree" as BlobId };
  return { id: id as SnapshotId, size: 100, snapshot };
}

const HOME = ["/home"];
const SRV = ["/etc", "/srv"];
const BOTH = ["/home", "/srv"];

// Group /home, in UTC, newest first. ISO weeks of 2024: W10 = Mar 4-10, W09 = Feb 26-Mar 3, W07 = Feb 12-18, W05 = Jan 29-Feb 4.
const A = [
  snap("a01", "2024-03-10T11:00:00Z", HOME), // Sun, W10
  snap("a02", "2024-03-10T10:30:00Z", HOME),
  snap("a03", "2024-03-10T10:00:00Z", HOME),
  snap("a04", "2024-03-10T09:00:00Z", HOME),
  snap("a05", "2024-03-09T23:00:00Z", HOME, "UTC", ["important"]), // Sat, W10
  snap("a06", "2024-03-09T20:00:00Z", HOME),
  snap("a07", "2024-03-08T12:00:00Z", HOME), // Fri, W10
  snap("a08", "2024-03-03T12:00:00Z", HOME), // Sun, W09
  snap("a09", "2024-03-01T12:00:00Z", HOME), // Fri, W09
  snap("a10", "2024-02-15T12:00:00Z", HOME), // W07
  snap("a11", "2024-02-01T12:00:00Z", HOME), // W05
  snap("a12", "2024-01-15T12:00:00Z", HOME),
  snap("a13", "2024-01-01T12:00:00Z", HOME), // Mon, 2024-W01
  snap("a14", "2023-12-31T12:00:00Z", HOME), // Sun, 2023-W52
  snap("a15", "2023-06-01T12:00:00Z", HOME, "UTC", ["important"]),
  snap("a16", "2022-06-01T12:00:00Z", HOME),
];

// Group /etc + /srv, taken in Tokyo (UTC+9): its days and weeks are not UTC's.
const TOKYO = "Asia/Tokyo";
const B = [
  snap("b1", "2024-03-10T16:00:00Z", SRV, TOKYO), // Mon Mar 11 01:00 JST, W11
  snap("b2", "2024-03-10T14:00:00Z", SRV, TOKYO), // Sun Mar 10 23:00 JST, W10
  snap("b3", "2024-03-10T10:00:00Z", SRV, TOKYO, ["db", "important"]), // Mar 10 19:00 JST
  snap("b4", "2024-03-09T16:30:00Z", SRV, TOKYO), // Mar 10 01:30 JST
  snap("b5", "2024-03-09T14:00:00Z", SRV, TOKYO), // Sat Mar 9 23:00 JST
];

// Group /home + /srv: newer than everything in /home, which must not change what /home keeps.
const C = [snap("c1", "2024-03-10T12:00:00Z", BOTH)];

// Input order must not matter: give them shuffled.
const ALL = [...B.slice(2), ...A.slice(8), ...C, ...A.slice(0, 8).reverse(), ...B.slice(0, 2)];

/** Kept snapshot IDs with their reasons, over all groups. */
function kept(policy: RetentionPolicy, snapshots: readonly StoredSnapshot[] = ALL): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const g of applyPolicy(snapshots, policy)) for (const v of g.verdicts) if (v.keep) out[v.snapshot.id] = [...v.reasons];
  return out;
}

const LAST = "last snapshot";
const HOURLY = "hourly snapshot";
const DAILY = "daily snapshot";
const WEEKLY = "weekly snapshot";
const MONTHLY = "monthly snapshot";
const YEARLY = "yearly snapshot";

test("groups by exact paths, ordered by paths, each newest first with every snapshot once", () => {
  const groups = applyPolicy(ALL, { last: 1 });
  expect(groups.map((g) => g.paths)).toEqual([SRV, HOME, BOTH]);
  expect(groups.map((g) => g.verdicts.map((v): string => v.snapshot.id))).toEqual([
    ["b1", "b2", "b3", "b4", "b5"],
    A.map((s): string => s.id),
    ["c1"],
  ]);
  expect(groups[1]!.verdicts.map((v) => v.keep)).toEqual([true, ...Array<boolean>(15).fill(false)]);
  expect(groups[1]!.verdicts[1]!.reasons).toEqual([]);
});

describe("each rule alone", () => {
  test("last", () => {
    expect(kept({ last: 3 })).toEqual({ a01: [LAST], a02: [LAST], a03: [LAST], b1: [LAST], b2: [LAST], b3: [LAST], c1: [LAST] });
  });

  test("hourly: the newest of each hour; 10:30 and 10:00 share one", () => {
    expect(kept({ hourly: 4 })).toEqual({ a01: [HOURLY], a02: [HOURLY], a04: [HOURLY], a05: [HOURLY], b1: [HOURLY], b2: [HOURLY], b3: [HOURLY], b4: [HOURLY], c1: [HOURLY] });
  });

  test("daily, with days in each snapshot's own zone", () => {
    // Tokyo days: b1 Mar 11, b2-b4 Mar 10, b5 Mar 9 (in UTC b1-b3 would share Mar 10).
    expect(kept({ daily: 3 })).toEqual({ a01: [DAILY], a05: [DAILY], a07: [DAILY], b1: [DAILY], b2: [DAILY], b5: [DAILY], c1: [DAILY] });
  });

  test("weekly, by ISO week", () => {
    // In Tokyo b1 is a Monday (W11), the rest W10; in UTC all five would be W10.
    expect(kept({ weekly: 4 })).toEqual({ a01: [WEEKLY], a08: [WEEKLY], a10: [WEEKLY], a11: [WEEKLY], b1: [WEEKLY], b2: [WEEKLY], c1: [WEEKLY] });
  });

  test("monthly", () => {
    expect(kept({ monthly: 3 })).toEqual({ a01: [MONTHLY], a10: [MONTHLY], a12: [MONTHLY], b1: [MONTHLY], c1: [MONTHLY] });
  });

  test("yearly: fewer years than asked keeps one per year there is", () => {
    expect(kept({ yearly: 10 })).toEqual({ a01: [YEARLY], a14: [YEARLY], a16: [YEARLY], b1: [YEARLY], c1: [YEARLY] });
  });

  test("within: everything no older than the duration before the group's newest", () => {
    const w = ["within 2d"];
    // /home's newest is Mar 10 11:00, so back to Mar 8 11:00; /etc+/srv's is Mar 10 16:00Z.
    expect(kept({ within: parseDuration("2d") })).toEqual({
      ...Object.fromEntries(["a01", "a02", "a03", "a04", "a05", "a06", "a07"].map((id) => [id, w])),
      ...Object.fromEntries(["b1", "b2", "b3", "b4", "b5"].map((id) => [id, w])),
      c1: w,
    });
    // Back to Mar 9 10:00Z for /home and Mar 9 15:00Z for /etc+/srv.
    const v = ["within 1d1h"];
    expect(kept({ within: parseDuration("1d1h") })).toEqual({
      a01: v, a02: v, a03: v, a04: v, a05: v, a06: v, b1: v, b2: v, b3: v, b4: v, c1: v,
    });
    // The boundary itself is kept: b5 is exactly 1d2h before b1.
    expect(kept({ within: parseDuration("1d2h") }, B)).toEqual({ b1: ["within 1d2h"], b2: ["within 1d2h"], b3: ["within 1d2h"], b4: ["within 1d2h"], b5: ["within 1d2h"] });
  });

  test("tags: any of them, one reason per tag, a group with none loses everything", () => {
    expect(kept({ tags: ["important", "db", "nothing"] })).toEqual({
      a05: ["tagged important"],
      a15: ["tagged important"],
      b3: ["tagged important", "tagged db"],
    });
  });
});

describe("combinations", () => {
  test("last, daily, monthly and yearly, with every reason reported", () => {
    expect(kept({ last: 1, daily: 2, monthly: 2, yearly: 3 })).toEqual({
      a01: [LAST, DAILY, MONTHLY, YEARLY],
      a05: [DAILY],
      a10: [MONTHLY],
      a14: [YEARLY],
      a16: [YEARLY],
      b1: [LAST, DAILY, MONTHLY, YEARLY],
      b2: [DAILY],
      c1: [LAST, DAILY, MONTHLY, YEARLY],
    });
  });

  test("hourly, weekly, within and tags", () => {
    expect(kept({ hourly: 2, weekly: 2, within: parseDuration("14h"), tags: ["important"] })).toEqual({
      a01: [HOURLY, WEEKLY, "within 14h"],
      a02: [HOURLY, "within 14h"],
      a03: ["within 14h"],
      a04: ["within 14h"],
      a05: ["within 14h", "tagged important"],
      a08: [WEEKLY],
      a15: ["tagged important"],
      b1: [HOURLY, WEEKLY, "within 14h"],
      b2: [HOURLY, WEEKLY, "within 14h"],
      b3: ["within 14h", "tagged important"],
      c1: [HOURLY, WEEKLY, "within 14h"],
    });
  });
});

describe("bad policies", () => {
  test("a policy without rules is refused", () => {
    expect(() => applyPolicy(ALL, {})).toThrow(/at least one rule/);
    expect(() => applyPolicy(ALL, { tags: [] })).toThrow(/at least one rule/);
  });

  test("counts must be positive whole numbers", () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => applyPolicy(ALL, { daily: n })).toThrow(/positive whole number/);
  });

  test("no snapshots, no groups", () => {
    expect(applyPolicy([], { last: 1 })).toEqual([]);
  });
});
