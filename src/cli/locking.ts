/**
 * Which lock each command takes on the repositories it opens, and the locks this process holds:
 * "read" commands take a shared lock that `--no-lock` may skip (for a repository they can't
 * write to), "shared" ones write alongside each other, "exclusive" ones (prune, rebuild-index)
 * run alone, "none" take no lock (init, unlock).
 */
import { BackpakError, context } from "../lib/errors.ts";
import { UsageError } from "./args.ts";
import { acquireLock, type HeldLock, type Repository } from "../repo/index.ts";

export type LockMode = "none" | "read" | "shared" | "exclusive";

export interface LockPolicy {
  readonly command: string;
  readonly mode: LockMode;
  /** --no-lock: take no lock (only read commands accept it). */
  readonly noLock: boolean;
  /** --retry-lock: how long to wait for a conflicting lock to go. */
  readonly retryForMs: number;
}

/** The locks one run takes, each released once by releaseAll (the end of the command) or on interruption. */
export class RunLocks {
  readonly #held: HeldLock[] = [];

  constructor(readonly policy: LockPolicy) {
    if (policy.noLock && (policy.mode === "shared" || policy.mode === "exclusive")) {
      throw new UsageError("usage", `\`${policy.command}\` writes to the repository, so it always takes a lock: --no-lock is only for commands that just read`, {
        hint: "leave out --no-lock; if a lock of a process that is gone blocks it, remove that with `backpak unlock`",
      });
    }
  }

  /** Locks `repo` as `mode` (default: the command's) says; throws a "locked" error naming the holder when another command's lock conflicts. */
  async lock(repo: Repository, mode: LockMode = this.policy.mode): Promise<void> {
    const { command, noLock, retryForMs } = this.policy;
    if (mode === "none" || noLock) return;
    try {
      this.#held.push(await acquireLock(repo.locks, { command, exclusive: mode === "exclusive", retryForMs, repository: repo.location }));
    } catch (err) {
      if (err instanceof BackpakError && err.kind === "locked") throw err;
      // Storage that has no place for the lock object (a bucket or directory that isn't there) holds no repository (exit status 10).
      const kind = !(err instanceof BackpakError) ? "io" : err.kind === "not-found" ? "no-repository" : err.kind;
      const inner = err instanceof BackpakError ? err.hint : undefined;
      // --no-lock helps a reader that may not write, not one that named a repository that isn't there.
      const noLock =
        mode === "read" && kind !== "no-repository"
          ? `to read a repository you may not write to, give --no-lock before the command (\`backpak --no-lock ${command} …\`); it is only safe while no prune or rebuild-index runs on it`
          : undefined;
      const hint = [inner ?? (noLock === undefined ? "check that you may write to the repository" : undefined), noLock].filter((h) => h !== undefined).join("; ");
      throw context(kind, `Couldn't lock ${repo.location} for \`${command}\` (a lock object goes in its locks/ folder)`, err, hint);
    }
  }

  /** Removes every lock this run took. */
  async releaseAll(): Promise<void> {
    await Promise.all(this.#held.splice(0).map((h) => h.release()));
  }
}
