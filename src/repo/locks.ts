/**
 * Lock objects in a repository (`locks/<id>`): storing, listing and removing them, always through
 * the repository's raw backend, so no cache or filter hides what another machine wrote or removed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import type { LockId } from "../format/id.ts";
import { decodeLock, encodeLock, type Lock } from "../format/lock.ts";
import { LOCKS_DIR } from "../format/magic.ts";
import { hashId } from "../kernels/sha224.ts";
import { BackpakError } from "../lib/errors.ts";
import { randomTag, writeFileSynced } from "../lib/fsutil.ts";
import { log } from "../lib/log.ts";

export const lockKey = (id: LockId): string => `${LOCKS_DIR}/${id}`;

/** A listed lock object: its key and what it says, or undefined when it doesn't decode (it protects nothing then). */
export interface StoredLock {
  readonly key: string;
  readonly lock: Lock | undefined;
}

/** Stores `lock` as `locks/<its SHA-224>`; returns the key. */
export async function storeLock(backend: Backend, lock: Lock): Promise<string> {
  const bytes = encodeLock(lock);
  const key = lockKey(hashId<"lock">(bytes));
  // Written outside the working directory, so read-only commands run anywhere.
  const tmp = path.join(os.tmpdir(), `backpak-lock-${randomTag()}.tmp`);
  try {
    writeFileSynced(tmp, bytes);
    await backend.put(key, tmp);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return key;
}

/** Every lock object in the repository; ones removed while being listed are left out, ones that don't decode are warned about. */
export async function listLocks(backend: Backend): Promise<StoredLock[]> {
  const out: StoredLock[] = [];
  for (const { key } of await backend.list(`${LOCKS_DIR}/`)) {
    let bytes: Uint8Array;
    try {
      bytes = await backend.read(key);
    } catch (err) {
      if (err instanceof BackpakError && err.kind === "not-found") continue;
      throw err;
    }
    try {
      out.push({ key, lock: decodeLock(bytes, key) });
    } catch (err) {
      log.warn(`Ignoring ${key}: ${(err as Error).message}`);
      out.push({ key, lock: undefined });
    }
  }
  return out;
}

/** Removes a lock object; one already gone is fine. */
export async function removeLock(backend: Backend, key: string): Promise<void> {
  try {
    await backend.remove(key);
  } catch (err) {
    if (!(err instanceof BackpakError && err.kind === "not-found")) throw err;
  }
}

/** Says who holds `lock`, for messages: "`backup` (PID 12, user ann on host nas) since 2026-…". */
export function describeLock(lock: Lock): string {
  return `\`${lock.command}\` (PID ${lock.pid}, user ${lock.user} on host ${lock.host}) since ${new Date(lock.created).toISOString()}, last refreshed ${new Date(lock.refreshed).toISOString()}`;
}
