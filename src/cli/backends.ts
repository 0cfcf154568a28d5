/**
 * Picks the concrete backends for a repository from its config (spec §2.3): a plain filesystem
 * repository is used directly; a Backblaze B2, S3 or SFTP one, or a filesystem one with a filter or
 * `force_cache`, goes through the local cache, in front of the filter (if any), in front of the
 * storage (filesystem, B2, S3 or SFTP). Lock objects always go to the storage directly. When
 * $BACKPAK_BACKEND_FAULT is set (tests), the storage is wrapped in a FaultyBackend that injects the
 * faults it names.
 */
import type { Backend } from "../backend/backend.ts";
import { B2Backend } from "../backend/b2.ts";
import { CachedBackend, type CacheReads } from "../backend/cache.ts";
import { CacheStore, defaultCacheDir } from "../backend/cache-store.ts";
import { CountingBackend, type Tally } from "../backend/counting.ts";
import { FilesystemBackend } from "../backend/filesystem.ts";
import { parseFaultPlan, FAULT_ENV, type FaultPlan } from "../backend/fault-plan.ts";
import { FaultyBackend } from "../backend/faulty.ts";
import { FilterBackend } from "../backend/filter.ts";
import type { ScratchDir } from "../backend/local-file.ts";
import { S3Backend } from "../backend/s3.ts";
import { SftpBackend } from "../backend/sftp.ts";
import { resolveS3Credentials } from "../backend/s3-credentials.ts";
import type { BackendConfig, RepoConfig } from "../format/repo-config.ts";
import { log } from "../lib/log.ts";
import { type BackendFactory, openRepository, type Repository, type RepositoryBackends } from "../repo/index.ts";

export interface BackendChoice {
  /** The user config's cache_size: the limit the local cache is pruned to. */
  readonly cacheSize: number;
  /** "always" for commands that must see what is really stored (check); see CacheReads. */
  readonly cacheReads?: CacheReads;
  /** Where to count requests and bytes that actually reach the repository's storage (cache hits aren't counted). */
  readonly traffic?: Tally;
  /** The scratch directory for the repository at a location, for downloads and filtered files (default: the working directory). */
  readonly scratch?: (location: string) => string;
}

/** The one cache store of this process: the cache directory is shared by every repository. */
let store: CacheStore | undefined;

function cacheStore(size: number): CacheStore {
  if (store === undefined) {
    const dir = defaultCacheDir();
    log.debug(`Using the local cache in ${dir}`);
    store = CacheStore.open(dir, size);
  }
  return store;
}

/** The faults of $BACKPAK_BACKEND_FAULT, read once: every backend of this process shares them (and their call counts). */
let faults: { plan: FaultPlan | undefined } | undefined;

function withFaults(storage: Backend): Backend {
  faults ??= { plan: parseFaultPlan(process.env[FAULT_ENV]) };
  return faults.plan ? new FaultyBackend(storage, faults.plan) : storage;
}

/**
 * The backends for a repository at `location` with `config`, as `choice` asks: the one for objects,
 * and the storage itself for locks (tiny objects other machines create and remove, which a cache
 * would show stale and a filter would make unreadable to a plain listing).
 */
export function makeBackends(config: RepoConfig, location: string, choice: BackendChoice): RepositoryBackends {
  const count = (b: Backend): Backend => (choice.traffic ? new CountingBackend(b, choice.traffic) : b);
  const storage = config.backend;
  const scratchDir = choice.scratch ? () => choice.scratch!(location) : undefined;
  const raw = withFaults(storageBackend(storage, location, scratchDir));
  // Lock requests aren't counted: -v reports the requests the command's own work made.
  if (storage.type === "Filesystem" && config.filter === undefined && !storage.forceCache) return { backend: count(raw), locks: raw };
  const filtered = config.filter === undefined ? raw : new FilterBackend(raw, config.filter.filter, config.filter.unfilter, scratchDir ? { scratchDir } : {});
  return { backend: new CachedBackend(count(filtered), cacheStore(choice.cacheSize), choice.cacheReads ?? "normal"), locks: raw };
}

/** The backend that stores the objects. */
function storageBackend(storage: BackendConfig, location: string, scratchDir: ScratchDir | undefined): Backend {
  const scratch = scratchDir ? { scratchDir } : {};
  switch (storage.type) {
    case "Filesystem":
      return new FilesystemBackend(location);
    case "Backblaze":
      return new B2Backend({ ...storage, ...scratch });
    case "S3":
      return new S3Backend({ config: storage, credentials: resolveS3Credentials(storage), ...scratch });
    case "SFTP":
      return new SftpBackend({ ...storage, ...scratch });
  }
}

/** A factory for openRepository that builds backends as `choice` asks. */
export function backendFactory(choice: BackendChoice): BackendFactory {
  return (config, location) => makeBackends(config, location, choice);
}

/** Opens the repository at `location` with the backends its config calls for. */
export function openRepositoryWith(location: string, choice: BackendChoice): Repository {
  return openRepository(location, backendFactory(choice));
}
