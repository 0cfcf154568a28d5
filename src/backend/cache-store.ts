/**
 * The local cache's store (spec §6): plaintext copies of objects as flat files `<id>.<kind>` in one
 * directory shared by every repository, plus `cache_metadata.sqlite` recording each file's size and
 * last use, pruned (least recently used first) to the size limit the last opener set. The
 * directory is 0700 and its files 0600: for an encrypted repository they are plaintext.
 */
import { Database } from "bun:sqlite";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BackpakError } from "../lib/errors.ts";
import { copyFileSynced, ensurePrivateDir, PRIVATE_FILE, randomTag, syncDir, tightenTo } from "../lib/fsutil.ts";
import { log } from "../lib/log.ts";
import type { RangeReader } from "./backend.ts";
import { writeAllTo } from "./local-file.ts";

export const CACHE_DB = "cache_metadata.sqlite";

/** `$XDG_CACHE_HOME/backpak` when that is an absolute path, else `~/.cache/backpak`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME || os.homedir(), ".cache");
  return path.join(base, "backpak");
}

/** One row of the `cache` table: a cached file, when it was last used (ns since the epoch) and its size. */
export interface CacheRow {
  readonly name: string;
  readonly time: bigint;
  readonly size: number;
}

interface RawRow {
  name: string;
  time: bigint;
  size: bigint;
}

/** Nanoseconds since the epoch, strictly increasing within this process so "newest" is never a tie. */
let lastTime = 0n;
const originNs = BigInt(Math.round(performance.timeOrigin * 1e6));
function nowNanos(): bigint {
  const t = originNs + BigInt(Math.round(performance.now() * 1e6));
  lastTime = t > lastTime ? t : lastTime + 1n;
  return lastTime;
}

export class CacheStore {
  readonly #db: Database;

  private constructor(
    readonly dir: string,
    db: Database,
  ) {
    this.#db = db;
  }

  /** Opens (creating as needed) the cache in `dir` and makes `maxSize` bytes the limit for every user of it. */
  static open(dir: string, maxSize: number): CacheStore {
    return withIo(`Couldn't open the local cache in ${dir}`, () => {
      makePrivate(dir);
      const db = new Database(path.join(dir, CACHE_DB), { create: true, safeIntegers: true });
      db.run("PRAGMA busy_timeout = 5000");
      const mode = db.query<{ journal_mode: string }, []>("PRAGMA journal_mode = wal").get();
      if (mode?.journal_mode !== "wal") throw new Error(`sqlite won't use a write-ahead log (journal_mode ${mode?.journal_mode})`);
      db.transaction(() => {
        const version = db.query<{ user_version: bigint }, []>("PRAGMA user_version").get();
        if ((version?.user_version ?? 0n) < 1n) {
          db.run("CREATE TABLE IF NOT EXISTS cache (name TEXT NOT NULL PRIMARY KEY, time INTEGER NOT NULL, size INTEGER NOT NULL) STRICT, WITHOUT ROWID");
          db.run("CREATE TABLE IF NOT EXISTS settings (key TEXT NOT NULL PRIMARY KEY, value NOT NULL)");
        }
        db.run("PRAGMA user_version = 1");
      }).immediate();
      // The last process to open the cache sets its size for everyone. Bound as a bigint so SQLite
      // stores an INTEGER, which backpak (sharing this cache) reads back as one.
      db.run("REPLACE INTO settings(key, value) VALUES ('size', ?)", [BigInt(maxSize)]);
      return new CacheStore(dir, db);
    });
  }

  /** Where the cached copy of `name` lives. */
  path(name: string): string {
    return path.join(this.dir, name);
  }

  /** Opens the cached copy of `name` and marks it used; undefined (dropping any stale row) when there is none. */
  tryOpen(name: string): number | undefined {
    let fd: number;
    try {
      fd = fs.openSync(this.path(name), "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new BackpakError("io", `Couldn't open ${this.path(name)}`, { cause: err });
      this.#db.run("DELETE FROM cache WHERE name = ?", [name]);
      return undefined;
    }
    try {
      this.#record(name, fs.fstatSync(fd).size);
    } catch (err) {
      fs.closeSync(fd);
      throw new BackpakError("io", `Couldn't record ${name} in the local cache`, { cause: err });
    }
    return fd;
  }

  /**
   * Stores `source` as `name` by safe copy (`<dest>.<random>.part`, fsync, rename) and records it.
   * Returns the new file open for reading (the caller closes it), so pruning can't take it away first.
   */
  insert(name: string, source: Uint8Array | RangeReader): number {
    const dest = this.path(name);
    const part = `${dest}.${randomTag()}.part`;
    return withIo(`Couldn't put ${name} in the local cache`, () => {
      const fd = fs.openSync(part, "wx+", PRIVATE_FILE);
      try {
        const size = writeAllTo(fd, source);
        fs.fsyncSync(fd);
        fs.renameSync(part, dest);
        syncDir(this.dir);
        this.#record(name, size);
        return fd;
      } catch (err) {
        fs.closeSync(fd);
        fs.rmSync(part, { force: true });
        throw err;
      }
    });
  }

  /** Sets a copy of the local file aside (a hard link where possible) before the file is handed to a backend; see `commit`. */
  stage(name: string, localPath: string): string {
    const part = `${this.path(name)}.${randomTag()}.part`;
    return withIo(`Couldn't copy ${localPath} into the local cache`, () => {
      try {
        fs.linkSync(localPath, part);
      } catch {
        copyFileSynced(localPath, part);
      }
      tightenTo(part, PRIVATE_FILE);
      return part;
    });
  }

  /** Moves a staged copy into place as `name` and records it. */
  commit(name: string, staged: string): void {
    withIo(`Couldn't put ${name} in the local cache`, () => {
      const size = fs.statSync(staged).size;
      fs.renameSync(staged, this.path(name));
      syncDir(this.dir);
      this.#record(name, size);
    });
  }

  /** Drops a staged copy that won't be committed. */
  discard(staged: string): void {
    fs.rmSync(staged, { force: true });
  }

  /** Deletes the cached copy of `name` (if any) and its row. */
  evict(name: string): void {
    withIo(`Couldn't evict ${name} from the local cache`, () => {
      deleteIfPresent(this.path(name));
      this.#db.run("DELETE FROM cache WHERE name = ?", [name]);
    });
  }

  /**
   * Keeps the newest files until their total reaches the limit (the file that reaches it stays, so
   * the cache may pass the limit by one file) and deletes the older ones, all in one transaction.
   */
  prune(): void {
    const db = this.#db;
    const prune = db.transaction(() => {
      const setting = db.query<{ value: bigint | number }, []>("SELECT value FROM settings WHERE key = 'size'").get();
      const max = BigInt(setting?.value ?? 0);
      const rows = db.query<RawRow, []>("SELECT name, time, size FROM cache ORDER BY time DESC").all();
      let total = 0n;
      let kept = 0;
      while (total < max) {
        const row = rows[kept];
        if (row === undefined) return; // everything fits
        total += row.size;
        kept++;
      }
      if (kept === 0) throw new BackpakError("usage", "Absurd: zero-size cache", { hint: "set cache_size in ~/.config/backpak.toml to more than 0" });
      const drop = db.prepare<void, [string]>("DELETE FROM cache WHERE name = ?");
      for (const row of rows.slice(kept)) {
        log.debug(`Dropping ${row.name} from the local cache`);
        deleteIfPresent(this.path(row.name));
        drop.run(row.name);
      }
    });
    withIo(`Couldn't prune the local cache in ${this.dir}`, () => prune.immediate());
  }

  /** Every row, most recently used first (for tests and diagnostics). */
  rows(): CacheRow[] {
    return this.#db
      .query<RawRow, []>("SELECT name, time, size FROM cache ORDER BY time DESC")
      .all()
      .map((r) => ({ name: r.name, time: r.time, size: Number(r.size) }));
  }

  close(): void {
    this.#db.close();
  }

  #record(name: string, size: number): void {
    this.#db.run("REPLACE INTO cache(name, time, size) VALUES (?, ?, ?)", [name, nowNanos(), BigInt(size)]);
  }
}

/**
 * Makes the cache directory 0700 and its metadata files 0600 (SQLite gives its -wal and -shm files
 * the database's mode). A directory made before with a looser mode has every file in it tightened.
 */
function makePrivate(dir: string): void {
  const wasLoose = ensurePrivateDir(dir);
  const db = path.join(dir, CACHE_DB);
  fs.closeSync(fs.openSync(db, "a", PRIVATE_FILE));
  const names = wasLoose ? fs.readdirSync(dir) : [CACHE_DB, `${CACHE_DB}-wal`, `${CACHE_DB}-shm`];
  for (const name of names) {
    const file = path.join(dir, name);
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isFile()) tightenTo(file, PRIVATE_FILE);
  }
}

function deleteIfPresent(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

function withIo<T>(message: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BackpakError) throw err;
    throw new BackpakError("io", message, { cause: err });
  }
}
