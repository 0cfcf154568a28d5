/**
 * Creating and opening repositories: config.toml plus the packs/, indexes/, snapshots/ and locks/
 * folders (repositories made by backpak 0.3.0 have no locks/: the first lock stored makes it).
 */
import fs from "node:fs";
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import { LOCKS_DIR, OBJECT_DIRS } from "../format/magic.ts";
import { parseRepoConfigKeys, serializeRepoConfig, type RepoConfig } from "../format/repo-config.ts";
import { BackpakError } from "../lib/errors.ts";
import { syncDir } from "../lib/fsutil.ts";
import { log } from "../lib/log.ts";

/** An opened repository: its configuration and the backend holding its objects. */
export interface Repository {
  /** The path the user named (a directory for filesystem repositories). */
  readonly location: string;
  readonly config: RepoConfig;
  /** What is wrong with its config file though it loads (keys nothing reads: misspelt or damaged names), each naming the file; none when absent. */
  readonly configWarnings?: readonly string[];
  readonly backend: Backend;
  /** The storage itself, for lock objects: no cache or filter in between, so every read is fresh. */
  readonly locks: Backend;
}

export const CONFIG_FILE = "config.toml";

/**
 * How many packs to move at once, uploading or downloading: as many as the remote storage takes
 * requests (`concurrent_connections`; SFTP pipelines over one session, so 4), and 2 for a
 * filesystem repository, where a store is a rename or a local copy.
 */
export function transfersAtOnce(config: RepoConfig): number {
  const storage = config.backend;
  switch (storage.type) {
    case "Filesystem":
      return 2;
    case "SFTP":
      return 4;
    default:
      return storage.concurrentConnections;
  }
}

/** Creates a filesystem repository at `dir`, which must be absent or an empty directory. */
export function initFilesystemRepository(dir: string, config: RepoConfig): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) {
      throw new BackpakError("conflict", `${dir} exists and isn't a directory`, { hint: "choose a new path for the repository" });
    }
    if (fs.readdirSync(dir).length > 0) {
      throw new BackpakError("conflict", `The directory ${dir} already exists and isn't empty`, {
        hint: "choose a new or empty directory for the repository",
      });
    }
  } else {
    fs.mkdirSync(dir, { recursive: true });
  }
  for (const sub of [...Object.values(OBJECT_DIRS), LOCKS_DIR]) fs.mkdirSync(path.join(dir, sub));
  const fd = fs.openSync(path.join(dir, CONFIG_FILE), "wx", 0o644);
  try {
    fs.writeFileSync(fd, serializeRepoConfig(config));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  syncDir(dir);
}

/**
 * Builds the backend holding an opened repository's objects from its config. Which concrete
 * backends (direct filesystem, cache, filter, …) is the CLI's choice, not this layer's.
 */
export type BackendFactory = (config: RepoConfig, location: string) => RepositoryBackends;

/** The backend for a repository's objects and the one for its locks. */
export interface RepositoryBackends {
  readonly backend: Backend;
  readonly locks: Backend;
}

/**
 * Runs `parse`, adding to its error a hint on mending the config file: it isn't hashed, so a
 * damaged one is fixed by hand.
 */
function withConfigHint<T>(configPath: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof BackpakError) || err.hint !== undefined) throw err;
    throw new BackpakError(err.kind, err.message, {
      cause: err.cause,
      hint: `${configPath} is damaged or was mis-edited: mend it by hand (a filesystem repository's reads \`pack_size = "100 MB"\`, then \`[backend]\`, \`type = "Filesystem"\` and \`force_cache = false\`, each on a line of its own)`,
    });
  }
}

/** Whether a stat or read failed because nothing is there (so there is no repository). */
const missing = (err: unknown): boolean => ["ENOENT", "ENOTDIR"].includes((err as NodeJS.ErrnoException).code ?? "");

/**
 * Opens the repository at `location` (a directory with config.toml, or a config file for other
 * backends), checks a filesystem repository's layout, and asks `makeBackend` for its backends.
 */
export function openRepository(location: string, makeBackend: BackendFactory): Repository {
  log.info(`Opening repository ${location}`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch (err) {
    throw new BackpakError(missing(err) ? "no-repository" : "io", `Couldn't open repository ${location}`, {
      cause: err,
      hint: "create one with `backpak -r <path> init filesystem`, or give the right -r",
    });
  }
  const configPath = stat.isDirectory() ? path.join(location, CONFIG_FILE) : location;
  let text: string;
  try {
    text = fs.readFileSync(configPath, "utf8");
  } catch (err) {
    const denied = (err as NodeJS.ErrnoException).code === "EACCES";
    throw new BackpakError(missing(err) ? "no-repository" : "io", `Couldn't read ${configPath}`, {
      cause: err,
      hint: denied ? `check the permissions of ${location}` : `${location} doesn't look like a backpak repository`,
    });
  }
  const { config, ignored } = withConfigHint(configPath, () => parseRepoConfigKeys(text, configPath));
  const configWarnings = ignored.map((key) => `${configPath}: unknown key ${key} is ignored (misspelt or damaged?)`);
  for (const w of configWarnings) log.warn(w);
  if (config.backend.type === "Filesystem") {
    if (!stat.isDirectory()) {
      throw new BackpakError("usage", `${location}: a filesystem repository must be a directory`);
    }
    for (const sub of Object.values(OBJECT_DIRS)) {
      const d = path.join(location, sub);
      if (!fs.existsSync(d)) throw new BackpakError("corrupt", `${d} doesn't exist`, { hint: `${location} is missing part of a repository` });
    }
  }
  return { location, config, configWarnings, ...makeBackend(config, location) };
}
