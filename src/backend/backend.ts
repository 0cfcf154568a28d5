/**
 * The Backend contract: where a repository's objects live. Keys are `packs/<id>.pack`,
 * `indexes/<id>.index`, `snapshots/<id>.snapshot`, `locks/<id>` (flat, no sharding).
 *
 * Contract, which every implementation passes in test/backend/suite.ts:
 * - `put` is atomic: a reader sees no object or the whole new one, never a partial file; it is
 *   durable (fsynced) when it resolves, and it consumes the local file (moved or copied, then removed).
 * - `read` returns the whole object, or throws a BackpakError of kind "not-found" naming the key.
 * - `openRange` gives positioned reads of one object (as `read` would see it), for readers that
 *   take a large object (a pack) a window at a time; missing objects fail as in `read`.
 * - `remove` of a missing key throws "not-found"; removal is durable when it resolves.
 * - `list` returns every stored key under a prefix with its size, and never in-progress
 *   temporary files; order is unspecified. A folder that doesn't exist (`locks/` in a repository
 *   made by backpak 0.3.0) lists as empty, and `put` makes it.
 * - Writes are read-after-write consistent for the same process.
 */

export interface ListedObject {
  readonly key: string;
  readonly size: number;
}

/** Positioned reads of one stored object. */
export interface RangeReader {
  readonly size: number;
  /** Fills `target` from byte `position` on; returns how many bytes were read (fewer only at the end). */
  readInto(target: Uint8Array, position: number): number;
  close(): void;
}

export interface Backend {
  /** A short human description, e.g. "Filesystem /srv/repo". */
  readonly description: string;
  read(key: string): Promise<Uint8Array>;
  openRange(key: string): Promise<RangeReader>;
  put(key: string, localPath: string): Promise<void>;
  remove(key: string): Promise<void>;
  list(prefix: string): Promise<ListedObject[]>;
}
