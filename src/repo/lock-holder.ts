/**
 * Taking, keeping and giving back a repository lock. To take one, a command first waits until no
 * conflicting lock is listed, then stores its own and lists again: of two commands that race, each
 * sees the other's lock in its second listing, and both back off. A held lock is rewritten every
 * few minutes (new object first, then the old one removed) on a timer that doesn't keep the process
 * alive, and removed when the command ends or is interrupted.
 */
import os from "node:os";
import type { Backend } from "../backend/index.ts";
import type { Lock } from "../format/lock.ts";
import { BackpakError } from "../lib/errors.ts";
import { onInterrupt } from "../lib/interrupt.ts";
import { log } from "../lib/log.ts";
import { conflicts, isStale, localJudge, REFRESH_EVERY_MS, type Judge } from "./lock-rule.ts";
import { describeLock, listLocks, removeLock, storeLock, type StoredLock } from "./locks.ts";

export interface LockRequest {
  /** The command taking the lock, as its holder is shown to others. */
  readonly command: string;
  readonly exclusive: boolean;
  /** How long to keep trying while another command holds a conflicting lock (0: fail at once). */
  readonly retryForMs: number;
  /** The repository, for messages. */
  readonly repository: string;
  /** How often to refresh the held lock (tests shorten it). */
  readonly refreshEveryMs?: number;
  /** The machine judging staleness (tests pretend). */
  readonly judge?: () => Judge;
}

/** The longest pause between two tries while waiting for a lock. */
const MAX_RETRY_PAUSE_MS = 30_000;

/** The current user's name, or their uid when the system has no name for it. */
function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "?"}`;
  }
}

/** Takes a lock on the repository in `backend`, waiting up to `request.retryForMs` for conflicting locks to go. */
export async function acquireLock(backend: Backend, request: LockRequest): Promise<HeldLock> {
  const judge = request.judge ?? localJudge;
  const deadline = Date.now() + request.retryForMs;
  let pause = 250;
  for (;;) {
    let holder = await conflicting(backend, request.exclusive, undefined, judge());
    if (holder === undefined) {
      const j = judge();
      const lock: Lock = { host: j.host, pid: process.pid, user: userName(), command: request.command, exclusive: request.exclusive, created: j.now, refreshed: j.now };
      const held = new HeldLock(backend, await storeLock(backend, lock), lock, request.refreshEveryMs ?? REFRESH_EVERY_MS);
      holder = await conflicting(backend, request.exclusive, held.key, judge());
      if (holder === undefined) {
        log.debug(`Locked ${request.repository} (${held.key}, ${request.exclusive ? "exclusive" : "shared"})`);
        return held;
      }
      await held.release();
    }
    const left = deadline - Date.now();
    if (left <= 0) throw lockedError(request, holder);
    log.info(`${request.repository} is locked by ${describeLock(holder.lock!)}; trying again for up to ${Math.ceil(left / 1000)} s`);
    await Bun.sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, MAX_RETRY_PAUSE_MS);
  }
}

/** The first listed lock, other than `ours`, that is live and conflicts with a lock of ours. */
async function conflicting(backend: Backend, exclusive: boolean, ours: string | undefined, judge: Judge): Promise<StoredLock | undefined> {
  return (await listLocks(backend)).find((s) => s.key !== ours && s.lock !== undefined && !isStale(s.lock, judge) && conflicts(exclusive, s.lock));
}

function lockedError(request: LockRequest, holder: StoredLock): BackpakError {
  const mode = holder.lock!.exclusive ? "exclusively " : "";
  return new BackpakError("locked", `${request.repository} is locked ${mode}by ${describeLock(holder.lock!)} (${holder.key})`, {
    hint: "if that process is gone (killed, or its machine is down), remove its lock with `backpak unlock`; to wait for it, give --retry-lock DURATION before the command (e.g. `backpak --retry-lock 30m " + request.command + "`)",
  });
}

/** A lock this process holds: refreshed while the command runs, removed by release (or on interruption). */
export class HeldLock {
  #key: string;
  #lock: Lock;
  #work: Promise<void> = Promise.resolve();
  #released = false;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #forget: () => void;

  constructor(
    readonly backend: Backend,
    key: string,
    lock: Lock,
    refreshEveryMs: number,
  ) {
    this.#key = key;
    this.#lock = lock;
    this.#forget = onInterrupt(() => this.release());
    this.#timer = setInterval(() => {
      this.#work = this.#work.then(() => this.#refresh());
    }, refreshEveryMs);
    // The lock's timer alone never keeps the command running.
    this.#timer.unref();
  }

  /** The lock object's current key. */
  get key(): string {
    return this.#key;
  }

  async #refresh(): Promise<void> {
    if (this.#released) return;
    try {
      const lock = { ...this.#lock, refreshed: Date.now() };
      const key = await storeLock(this.backend, lock);
      const old = this.#key;
      [this.#key, this.#lock] = [key, lock];
      await removeLock(this.backend, old);
      log.debug(`Refreshed the lock: ${old} is now ${key}`);
    } catch (err) {
      log.warn(`Couldn't refresh the lock ${this.#key} (it goes stale 30 minutes after it was last written, and other commands may then ignore it): ${(err as Error).message}`);
    }
  }

  /** Stops refreshing and removes the lock object; a failure is warned about, naming the object to remove. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    this.#forget();
    await this.#work;
    try {
      await removeLock(this.backend, this.#key);
      log.debug(`Removed the lock ${this.#key}`);
    } catch (err) {
      log.warn(`Couldn't remove the lock ${this.#key}: ${(err as Error).message}; remove it with \`backpak unlock\` once this process has ended`);
    }
  }
}
