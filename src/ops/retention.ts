/**
 * Retention policies as restic users know them (`forget --keep-daily 7 …`): which snapshots a
 * policy keeps and why, decided separately for each group of snapshots with the same author and
 * paths (or whatever `--group-by` names).
 * Pure: no I/O, the caller forgets what this says to remove.
 */
import { civil, type Civil } from "../format/time.ts";
import { BackpakError } from "../lib/errors.ts";
import type { StoredSnapshot } from "../repo/index.ts";

/** A calendar span as restic's `--keep-within` takes it, e.g. `1y5m7d2h`. */
export interface Duration {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly hours: number;
}

/** Counts are positive integers; every rule given keeps what it selects (the union of all rules). */
export interface RetentionPolicy {
  readonly last?: number;
  readonly hourly?: number;
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
  readonly yearly?: number;
  /** Keep every snapshot no older than this before the group's newest one. */
  readonly within?: Duration;
  /** Keep every snapshot that has any of these tags. */
  readonly tags?: readonly string[];
}

/** What the policy decided for one snapshot: kept when there is at least one reason. */
export interface Verdict {
  readonly snapshot: StoredSnapshot;
  readonly keep: boolean;
  /** Why it is kept, in rule order (last, hourly, daily, weekly, monthly, yearly, within, tags). */
  readonly reasons: readonly string[];
}

/** What snapshots are grouped by (restic's `--group-by`): none of them puts every snapshot in one group. */
export type GroupField = "author" | "paths" | "tags";
export const GROUP_FIELDS: readonly GroupField[] = ["author", "paths", "tags"];
export const DEFAULT_GROUP_BY: readonly GroupField[] = ["author", "paths"];

/** Snapshots that agree on the grouped fields (only those are set), newest first. */
export interface RetentionGroup {
  readonly author?: string;
  readonly paths?: readonly string[];
  readonly tags?: readonly string[];
  readonly verdicts: readonly Verdict[];
}

type Counted = "last" | "hourly" | "daily" | "weekly" | "monthly" | "yearly";

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

/** ISO 8601 week-year and week of a civil date: the week belongs to the year holding its Thursday. */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const date = Date.UTC(year, month - 1, day);
  const mondayBased = (new Date(date).getUTCDay() + 6) % 7;
  const thursday = new Date(date + (3 - mondayBased) * 86_400_000);
  const weekYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / (7 * 86_400_000)) + 1;
  return { year: weekYear, week };
}

/** The counted rules in the order reasons are reported, each with its bucket of a snapshot. */
const COUNTED: readonly { rule: Counted; reason: string; bucket: (c: Civil, i: number) => string }[] = [
  { rule: "last", reason: "last snapshot", bucket: (_, i) => String(i) },
  { rule: "hourly", reason: "hourly snapshot", bucket: (c) => `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}` },
  { rule: "daily", reason: "daily snapshot", bucket: (c) => `${c.year}-${pad(c.month)}-${pad(c.day)}` },
  {
    rule: "weekly",
    reason: "weekly snapshot",
    bucket: (c) => {
      const w = isoWeek(c.year, c.month, c.day);
      return `${w.year}-W${pad(w.week)}`;
    },
  },
  { rule: "monthly", reason: "monthly snapshot", bucket: (c) => `${c.year}-${pad(c.month)}` },
  { rule: "yearly", reason: "yearly snapshot", bucket: (c) => String(c.year) },
];

const DURATION_HINT = "write whole numbers with units y (years), m (months), d (days), h (hours), e.g. 1y5m7d2h";

/** Parses a duration like restic's: `2d`, `1y5m7d2h` (each unit at most once, not all zero). */
export function parseDuration(text: string): Duration {
  const bad = (why: string): BackpakError => new BackpakError("usage", `Invalid duration ${JSON.stringify(text)}: ${why}`, { hint: DURATION_HINT });
  if (!/^(?:\d+[ymdh])+$/.test(text)) throw bad("expected numbers each followed by a unit");
  const found: Record<string, number> = {};
  for (const [, digits, unit] of text.matchAll(/(\d+)([ymdh])/g)) {
    const n = Number(digits);
    if (!Number.isSafeInteger(n) || n > 1_000_000) throw bad(`${digits} is too large`);
    if (found[unit!] !== undefined) throw bad(`unit '${unit}' is given twice`);
    found[unit!] = n;
  }
  const d = { years: found.y ?? 0, months: found.m ?? 0, days: found.d ?? 0, hours: found.h ?? 0 };
  if (d.years + d.months + d.days + d.hours === 0) throw bad("it must be longer than zero");
  return d;
}

/** A duration the way it is parsed, zero parts left out: `1y7d`. */
export function formatDuration(d: Duration): string {
  const parts: [number, string][] = [[d.years, "y"], [d.months, "m"], [d.days, "d"], [d.hours, "h"]];
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join("") || "0h";
}

/** True when the policy has no rule at all (applying it would forget everything). */
export function isEmptyPolicy(p: RetentionPolicy): boolean {
  return COUNTED.every(({ rule }) => p[rule] === undefined) && p.within === undefined && (p.tags ?? []).length === 0;
}

function checkPolicy(p: RetentionPolicy): void {
  if (isEmptyPolicy(p)) {
    throw new BackpakError("usage", "A retention policy needs at least one rule", {
      hint: "a policy without rules would forget every snapshot; add a rule such as --keep-last 1",
    });
  }
  for (const { rule } of COUNTED) {
    const n = p[rule];
    if (n !== undefined && !(Number.isSafeInteger(n) && n > 0)) {
      throw new BackpakError("usage", `The ${rule} count must be a positive whole number, not ${n}`);
    }
  }
  const w = p.within;
  if (w && (![w.years, w.months, w.days, w.hours].every((n) => Number.isSafeInteger(n) && n >= 0) || formatDuration(w) === "0h")) {
    throw new BackpakError("usage", `Invalid duration ${JSON.stringify(w)}`, { hint: DURATION_HINT });
  }
}

const NS_PER_S = 1_000_000_000n;

/**
 * The earliest instant `within` keeps: the calendar parts subtracted from `newest` in its own zone
 * (overflowing days carry into the next month, like Go's AddDate), then the hours as real time.
 */
export function withinCutoff(newest: bigint, tz: string, d: Duration): bigint {
  const secs = newest / NS_PER_S - (newest % NS_PER_S < 0n ? 1n : 0n);
  const sub = newest - secs * NS_PER_S;
  const c = civil(newest, tz);
  const localMs = Date.UTC(c.year - d.years, c.month - 1 - d.months, c.day - d.days, c.hour, c.minute, c.second);
  // The zone's offset at the earlier date may differ (daylight saving): look it up there.
  const guess = BigInt(localMs / 1000 - c.offset) * NS_PER_S;
  const offset = civil(guess, tz).offset;
  const instant = BigInt(localMs / 1000 - offset) * NS_PER_S + sub;
  return instant - BigInt(d.hours) * 3600n * NS_PER_S;
}

const newestFirst = (a: StoredSnapshot, b: StoredSnapshot): number =>
  a.snapshot.time > b.snapshot.time ? -1 : a.snapshot.time < b.snapshot.time ? 1 : a.id > b.id ? -1 : a.id < b.id ? 1 : 0;

function decideGroup(snapshots: readonly StoredSnapshot[], p: RetentionPolicy): Verdict[] {
  const sorted = [...snapshots].sort(newestFirst);
  const reasons: string[][] = sorted.map(() => []);
  const civils = sorted.map((s) => civil(s.snapshot.time, s.snapshot.tz));
  for (const { rule, reason, bucket } of COUNTED) {
    const count = p[rule];
    if (count === undefined) continue;
    // Each of the `count` most recent distinct buckets keeps its newest snapshot.
    const seen = new Set<string>();
    for (let i = 0; i < sorted.length && seen.size < count; i++) {
      const b = bucket(civils[i]!, i);
      if (seen.has(b)) continue;
      seen.add(b);
      reasons[i]!.push(reason);
    }
  }
  const newest = sorted[0];
  if (p.within && newest) {
    const cutoff = withinCutoff(newest.snapshot.time, newest.snapshot.tz, p.within);
    const why = `within ${formatDuration(p.within)}`;
    sorted.forEach((s, i) => {
      if (s.snapshot.time >= cutoff) reasons[i]!.push(why);
    });
  }
  const tags = [...new Set(p.tags ?? [])];
  sorted.forEach((s, i) => {
    for (const t of tags) if (s.snapshot.tags.includes(t)) reasons[i]!.push(`tagged ${t}`);
  });
  return sorted.map((snapshot, i) => ({ snapshot, keep: reasons[i]!.length > 0, reasons: reasons[i]! }));
}

/** The group a snapshot belongs to: its grouped fields, as an order-preserving key and as a group's fields. */
function groupOf(s: StoredSnapshot, by: readonly GroupField[]): { key: string; fields: Omit<RetentionGroup, "verdicts"> } {
  const { author, paths, tags } = s.snapshot;
  const fields = { ...(by.includes("author") ? { author } : {}), ...(by.includes("paths") ? { paths } : {}), ...(by.includes("tags") ? { tags } : {}) };
  // Paths and tags hold no NUL (nor \x01), so these keys sort shorter lists first.
  const key = GROUP_FIELDS.filter((f) => by.includes(f))
    .map((f) => (f === "author" ? author : (f === "paths" ? paths : tags).join("\0")))
    .join("\x01");
  return { key, fields };
}

/**
 * Applies `policy` to each group of snapshots that agree on the `by` fields (by default author
 * and paths). Groups come ordered by author, then paths, then tags; every snapshot given appears
 * in exactly one group. Throws on an empty or invalid policy.
 */
export function applyPolicy(snapshots: readonly StoredSnapshot[], policy: RetentionPolicy, by: readonly GroupField[] = DEFAULT_GROUP_BY): RetentionGroup[] {
  checkPolicy(policy);
  const groups = new Map<string, { fields: Omit<RetentionGroup, "verdicts">; members: StoredSnapshot[] }>();
  for (const s of snapshots) {
    const { key, fields } = groupOf(s, by);
    const g = groups.get(key);
    if (g) g.members.push(s);
    else groups.set(key, { fields, members: [s] });
  }
  return [...groups.keys()]
    .sort()
    .map((key) => {
      const { fields, members } = groups.get(key)!;
      return { ...fields, verdicts: decideGroup(members, policy) };
    });
}
