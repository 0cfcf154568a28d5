/**
 * What every command gets: the user config, a scratch directory per repository (see
 * scratch-location.ts), and the repository, chosen from -r, else $BACKPAK_REPOSITORY, else the
 * default repository in the user's data directory, opened and locked as the command's lock mode
 * says. The CLI is the only place that picks concrete backends.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { UserConfig } from "../format/user-config.ts";
import { BackpakError } from "../lib/errors.ts";
import { CountingBackend, newTally, REQUEST_KINDS, type Traffic } from "../backend/index.ts";
import { log } from "../lib/log.ts";
import type { CacheReads } from "../backend/cache.ts";
import { openRunDir, type Repository } from "../repo/index.ts";
import { openRepositoryWith } from "./backends.ts";
import { SCRATCH_HINT, scratchLocation } from "./scratch-location.ts";
import { RunLocks, type LockMode, type LockPolicy } from "./locking.ts";

export type RepositorySource = "flag" | "environment" | "default";

export interface OpenOptions {
  /** "always" makes a cached repository read every object from storage (still filling the cache): for check. */
  readonly cacheReads?: CacheReads;
  /** A lock other than the command's own (`forget --prune` takes prune's exclusive one after releasing its shared one). */
  readonly lock?: LockMode;
}

export interface CliContext {
  readonly config: UserConfig;
  /** Bytes read from and stored to the repository so far (progress lines show them). */
  readonly traffic: Traffic;
  /** This run's scratch directory for packs and indexes bound for the repository at `location` (default: the chosen one), made on first use. */
  scratch(location?: string): string;
  readonly repositoryPath: string;
  readonly repositorySource: RepositorySource;
  /** Opens the chosen repository with the backends its config calls for, counting its traffic, and locks it. */
  openRepository(options?: OpenOptions): Promise<Repository>;
  /** Opens and locks another repository (e.g. copy's destination) the same way. */
  openRepositoryAt(location: string, options?: OpenOptions): Promise<Repository>;
  /** Removes the locks the command took (at its end, whatever the outcome). */
  releaseLocks(): Promise<void>;
  /** Wraps a repository's backend to count its traffic (openRepository already does). */
  counted(repo: Repository): Repository;
  /** Logs (INFO, aside from the command's output) how many requests of each kind the repositories got, if any: for -v at the end of a command. */
  reportRequests(): void;
}

/** $XDG_DATA_HOME/backpak/default, or ~/.local/share/backpak/default. */
export function defaultRepositoryPath(env: NodeJS.ProcessEnv = process.env): string {
  const data = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(env.HOME || os.homedir(), ".local", "share");
  return path.join(data, "backpak", "default");
}

export function makeContext(config: UserConfig, repositoryFlag: string | undefined, lockPolicy: LockPolicy, scratchFlag?: string): CliContext {
  const env = process.env.BACKPAK_REPOSITORY;
  const [repositoryPath, repositorySource]: [string, RepositorySource] =
    repositoryFlag !== undefined ? [repositoryFlag, "flag"] : env ? [env, "environment"] : [defaultRepositoryPath(), "default"];
  const traffic = newTally();
  const runDirs = new Map<string, string>();
  const counted = (repo: Repository): Repository => ({ ...repo, backend: new CountingBackend(repo.backend, traffic) });
  const scratch = (location = repositoryPath): string => {
    const { root, canonical } = scratchLocation(location, scratchFlag);
    let dir = runDirs.get(root);
    if (dir === undefined) {
      dir = openRunDir(root, { label: canonical, legacyDir: process.cwd(), hint: SCRATCH_HINT });
      log.debug(`Using the scratch directory ${dir}`);
      runDirs.set(root, dir);
    }
    return dir;
  };
  const locks = new RunLocks(lockPolicy);
  const openAt = async (location: string, { lock, ...options }: OpenOptions = {}): Promise<Repository> => {
    const repo = openRepositoryWith(location, { cacheSize: config.cacheSize, traffic, scratch, ...options });
    await locks.lock(repo, lock);
    return repo;
  };
  return {
    config,
    traffic,
    counted,
    openRepositoryAt: openAt,
    releaseLocks: () => locks.releaseAll(),
    scratch,
    reportRequests: () => {
      const counts = REQUEST_KINDS.map((kind) => [kind, traffic.requests[kind]] as const);
      if (counts.some(([, n]) => n > 0)) log.infoAside(`Repository requests: ${counts.map(([kind, n]) => `${n} ${kind}`).join(", ")}`);
    },
    repositoryPath,
    repositorySource,
    openRepository: async (options) => {
      if (repositorySource === "default" && !fs.existsSync(repositoryPath)) {
        throw new BackpakError("no-repository", `There is no repository yet at the default location ${repositoryPath}`, {
          hint: "run `backpak backup <PATHS>` to create it, or give one with -r",
        });
      }
      return openAt(repositoryPath, options);
    },
  };
}
