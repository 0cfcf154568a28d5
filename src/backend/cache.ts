/**
 * A decorator that keeps plaintext copies of objects in the local cache (spec §6): reads are served
 * from the cache when it has the object and otherwise fetched whole through the inner backend into
 * it; writes go to the inner backend first and then into the cache; removal evicts, then removes.
 * It sits in front of any filter, so what it keeps is what readers see.
 */
import fs from "node:fs";
import path from "node:path";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import type { Backend, ListedObject, RangeReader } from "./backend.ts";
import type { CacheStore } from "./cache-store.ts";
import { readAllAndClose } from "./local-file.ts";
import { fdRange } from "../lib/fsutil.ts";

/**
 * "normal": use a cached copy when there is one. "always": read every object from the inner
 * backend (as `check` does, to see what is really stored) but still put what it reads in the cache.
 */
export type CacheReads = "normal" | "always";

export class CachedBackend implements Backend {
  readonly description: string;

  constructor(
    readonly inner: Backend,
    readonly store: CacheStore,
    readonly reads: CacheReads = "normal",
  ) {
    this.description = `${inner.description} (cached in ${store.dir})`;
  }

  async read(key: string): Promise<Uint8Array> {
    const name = cacheName(key);
    const hit = this.#lookup(name);
    if (hit !== undefined) return readAllAndClose(hit);
    log.debug(`Downloading ${key}`);
    const bytes = await this.inner.read(key);
    fs.closeSync(this.store.insert(name, bytes));
    this.store.prune();
    return bytes;
  }

  async openRange(key: string): Promise<RangeReader> {
    const name = cacheName(key);
    const hit = this.#lookup(name);
    if (hit !== undefined) return fdRange(hit);
    log.debug(`Downloading ${key}`);
    const stored = await this.inner.openRange(key);
    let fd: number;
    try {
      fd = this.store.insert(name, stored);
    } finally {
      stored.close();
    }
    // The copy is already open, so pruning can't take it away before it is read.
    const reader = fdRange(fd);
    try {
      this.store.prune();
    } catch (err) {
      reader.close();
      throw err;
    }
    return reader;
  }

  async put(key: string, localPath: string): Promise<void> {
    const name = cacheName(key);
    // Set aside before the inner backend consumes the local file; kept only once the upload succeeded.
    const staged = this.store.stage(name, localPath);
    try {
      await this.inner.put(key, localPath);
    } catch (err) {
      this.store.discard(staged);
      throw err;
    }
    this.store.commit(name, staged);
    this.store.prune();
  }

  async remove(key: string): Promise<void> {
    this.store.evict(cacheName(key));
    await this.inner.remove(key);
  }

  list(prefix: string): Promise<ListedObject[]> {
    return this.inner.list(prefix);
  }

  #lookup(name: string): number | undefined {
    if (this.reads === "always") return undefined;
    const fd = this.store.tryOpen(name);
    if (fd !== undefined) log.debug(`Found ${name} in the local cache`);
    return fd;
  }
}

/** Cached copies are flat: `packs/<id>.pack` is `<id>.pack` in the cache directory. */
export function cacheName(key: string): string {
  const name = path.posix.basename(key);
  if (name === "" || name === "." || name === ".." || name.endsWith(".part")) {
    throw new BackpakError("internal", `${key} can't be cached: it doesn't name an object`);
  }
  return name;
}
