/** The staleness rule (dead PID on this host, or 30 minutes without a refresh) and which locks conflict. */
import { expect, test } from "bun:test";
import type { Lock } from "../../src/format/lock.ts";
import { conflicts, isStale, STALE_AFTER_MS, type Judge } from "../../src/repo/lock-rule.ts";

const now = Date.UTC(2026, 5, 1, 12);
const lock: Lock = { host: "here", pid: 100, user: "u", command: "backup", exclusive: false, created: now - 3_600_000, refreshed: now - 60_000 };
const judge = (alive: readonly number[], host = "here"): Judge => ({ host, now, exists: (pid) => alive.includes(pid) });

test("a lock of this host is stale as soon as its process is gone, however fresh", () => {
  expect(isStale(lock, judge([100]))).toBe(false);
  expect(isStale(lock, judge([]))).toBe(true);
  expect(isStale({ ...lock, refreshed: now }, judge([]))).toBe(true);
});

test("a lock of another host is judged by its age alone: stale after 30 minutes without a refresh", () => {
  const other = { ...lock, host: "elsewhere" };
  expect(isStale(other, judge([]))).toBe(false);
  expect(isStale({ ...other, refreshed: now - STALE_AFTER_MS }, judge([]))).toBe(false);
  expect(isStale({ ...other, refreshed: now - STALE_AFTER_MS - 1 }, judge([]))).toBe(true);
  // A clock ahead of ours makes the lock look new, never stale.
  expect(isStale({ ...other, refreshed: now + 3_600_000 }, judge([]))).toBe(false);
});

test("a live process's lock on this host goes stale too when it wasn't refreshed for 30 minutes", () => {
  expect(isStale({ ...lock, refreshed: now - STALE_AFTER_MS - 1 }, judge([100]))).toBe(true);
});

test("shared locks coexist; an exclusive lock conflicts with any other", () => {
  expect(conflicts(false, lock)).toBe(false);
  expect(conflicts(true, lock)).toBe(true);
  expect(conflicts(false, { ...lock, exclusive: true })).toBe(true);
  expect(conflicts(true, { ...lock, exclusive: true })).toBe(true);
});
