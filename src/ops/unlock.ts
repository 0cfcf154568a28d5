/**
 * `unlock`: removes the locks that protect nothing any more (their process is gone from this host,
 * or nobody refreshed them for 30 minutes, or they don't decode), or every lock with `removeAll`.
 */
import { log } from "../lib/log.ts";
import { describeLock, isStale, listLocks, localJudge, removeLock, type Repository } from "../repo/index.ts";

export interface UnlockReport {
  /** Keys of the locks removed. */
  readonly removed: string[];
  /** Keys of the live locks left in place. */
  readonly kept: string[];
}

export async function unlock(repo: Repository, removeAll: boolean): Promise<UnlockReport> {
  const judge = localJudge();
  const removed: string[] = [];
  const kept: string[] = [];
  for (const { key, lock } of await listLocks(repo.locks)) {
    if (removeAll || lock === undefined || isStale(lock, judge)) {
      await removeLock(repo.locks, key);
      log.info(`Removed ${key}${lock ? `, held by ${describeLock(lock)}` : ""}`);
      removed.push(key);
    } else {
      log.info(`Kept ${key}: ${describeLock(lock)} may still be running`);
      kept.push(key);
    }
  }
  return { removed, kept };
}
