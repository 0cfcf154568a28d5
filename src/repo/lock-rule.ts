/**
 * When a lock counts: a lock is stale (ignored, and removed by `unlock`) when its process is gone
 * from this machine, or when nobody refreshed it for 30 minutes, whichever machine it came from.
 * Shared locks coexist; an exclusive lock conflicts with every other lock.
 */
import type { Lock } from "../format/lock.ts";
import { processExists } from "../lib/processes.ts";
import os from "node:os";

/** A lock not refreshed for this long is stale. */
export const STALE_AFTER_MS = 30 * 60_000;
/** A running command rewrites its lock this often, well within STALE_AFTER_MS. */
export const REFRESH_EVERY_MS = 5 * 60_000;

/** What the rule needs from the machine judging a lock. */
export interface Judge {
  readonly host: string;
  /** Milliseconds since the epoch. */
  readonly now: number;
  exists(pid: number): boolean;
}

/** This machine, now. */
export function localJudge(): Judge {
  return { host: os.hostname(), now: Date.now(), exists: processExists };
}

/** True when `lock` no longer protects anything: its process is gone from this host, or it wasn't refreshed for STALE_AFTER_MS. */
export function isStale(lock: Lock, judge: Judge): boolean {
  if (lock.host === judge.host && !judge.exists(lock.pid)) return true;
  return judge.now - lock.refreshed > STALE_AFTER_MS;
}

/** True when a lock of ours (exclusive or not) can't be held alongside `theirs`. */
export function conflicts(exclusive: boolean, theirs: Lock): boolean {
  return exclusive || theirs.exclusive;
}
