/** The calendar under retention policies: ISO weeks across New Year, restic-style durations, and --keep-within's cutoff across a DST change. */
import { describe, expect, test } from "bun:test";
import type { BlobId, SnapshotId } from "../../src/format/id.ts";
import { applyPolicy, formatDuration, isoWeek, parseDuration, withinCutoff } from "../../src/ops/retention.ts";
import type { StoredSnapshot } from "../../src/repo/snapshots.ts";

const ns = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;

function snap(id: string, iso: string): StoredSnapshot {
  return { id: id as SnapshotId, size: 100, snapshot: { time: ns(iso), tz: "UTC", author: "test", tags: [], paths: ["/p"], tree: "tree" as BlobId } };
}

/** Kept snapshot IDs with their reasons. */
function kept(snapshots: readonly StoredSnapshot[], weekly: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const g of applyPolicy(snapshots, { weekly })) for (const v of g.verdicts) if (v.keep) out[v.snapshot.id] = [...v.reasons];
  return out;
}

describe("ISO weeks", () => {
  test("week-years at year boundaries", () => {
    expect(isoWeek(2024, 1, 1)).toEqual({ year: 2024, week: 1 });
    expect(isoWeek(2023, 12, 31)).toEqual({ year: 2023, week: 52 });
    expect(isoWeek(2021, 1, 3)).toEqual({ year: 2020, week: 53 });
    expect(isoWeek(2024, 12, 30)).toEqual({ year: 2025, week: 1 });
    expect(isoWeek(2008, 12, 29)).toEqual({ year: 2009, week: 1 });
    expect(isoWeek(2027, 1, 1)).toEqual({ year: 2026, week: 53 });
  });

  test("a week that straddles New Year is one bucket", () => {
    const s = [
      snap("w1", "2025-01-05T12:00:00Z"), // Sun, 2025-W01
      snap("w2", "2024-12-30T12:00:00Z"), // Mon, 2025-W01 too: removed
      snap("w3", "2024-12-29T12:00:00Z"), // Sun, 2024-W52
      snap("w4", "2021-01-04T12:00:00Z"), // Mon, 2021-W01
      snap("w5", "2021-01-03T12:00:00Z"), // Sun, 2020-W53
      snap("w6", "2020-12-28T12:00:00Z"), // Mon, 2020-W53: removed
    ];
    expect(kept(s, 10)).toEqual({ w1: ["weekly snapshot"], w3: ["weekly snapshot"], w4: ["weekly snapshot"], w5: ["weekly snapshot"] });
  });
});

describe("durations", () => {
  test("parse like restic's, strictly", () => {
    expect(parseDuration("2d")).toEqual({ years: 0, months: 0, days: 2, hours: 0 });
    expect(parseDuration("1y5m7d2h")).toEqual({ years: 1, months: 5, days: 7, hours: 2 });
    expect(parseDuration("3h1y")).toEqual({ years: 1, months: 0, days: 0, hours: 3 });
    expect(formatDuration(parseDuration("2h0d1y"))).toBe("1y2h");
    for (const bad of ["", "5", "d", "1w", "1d1d", "0d", "0y0h", "1.5d", " 1d", "1D", "-1d", "1d ", "99999999999d"]) {
      expect(() => parseDuration(bad)).toThrow(/Invalid duration/);
    }
  });

  test("months and years are calendar arithmetic in the newest snapshot's zone", () => {
    const d = (s: string) => parseDuration(s);
    // Feb 31 carries into March, as Go's AddDate does.
    expect(withinCutoff(ns("2024-03-31T12:00:00Z"), "UTC", d("1m"))).toBe(ns("2024-03-02T12:00:00Z"));
    expect(withinCutoff(ns("2024-02-29T12:00:00Z"), "UTC", d("1y"))).toBe(ns("2023-03-01T12:00:00Z"));
    // New York's clocks went forward on Mar 10 2024: noon to noon is 23 hours; hours are real hours.
    expect(withinCutoff(ns("2024-03-10T16:00:00Z"), "America/New_York", d("1d"))).toBe(ns("2024-03-09T17:00:00Z"));
    expect(withinCutoff(ns("2024-03-10T16:00:00Z"), "America/New_York", d("24h"))).toBe(ns("2024-03-09T16:00:00Z"));
  });
});
