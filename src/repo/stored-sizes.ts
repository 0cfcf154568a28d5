/**
 * What a writer knows of the objects already stored, from one listing per folder: their sizes, so
 * that it never stores an object again that is already there whole (an append-only key may not
 * overwrite), and checks that what it stored arrived whole (storage that reports success for a
 * short write must not leave an index or snapshot naming a truncated object).
 */
import type { Backend } from "../backend/index.ts";
import type { RepoConfig } from "../format/repo-config.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";

/** True when listings show the sizes written: a filter (e.g. --gpg) stores other bytes than it is given. */
export function sizesListedAsWritten(config: RepoConfig): boolean {
  return config.filter === undefined;
}

/** Sizes of the objects stored under `prefix` (e.g. "packs/"), by key. */
export async function storedSizes(backend: Backend, prefix: string): Promise<Map<string, number>> {
  return new Map((await backend.list(prefix)).map((o) => [o.key, o.size]));
}

/**
 * Throws, naming each object, unless every key of `wrote` is stored under `prefix` with the size
 * written. Objects stored short are deleted first where the storage allows it (a retry then
 * stores them again); `beforeThrow` runs with their keys, to forget them before the error.
 */
export async function checkStoredSizes(
  backend: Backend,
  prefix: string,
  wrote: ReadonlyMap<string, number>,
  beforeThrow: (keys: string[]) => void = () => {},
): Promise<void> {
  if (wrote.size === 0) return;
  const stored = await storedSizes(backend, prefix);
  const bad = [...wrote].filter(([key, size]) => stored.get(key) !== size);
  if (bad.length === 0) return;
  for (const [key] of bad) await backend.remove(key).catch((err) => log.warn(`Couldn't delete ${key}, stored incomplete: ${String(err)}`));
  beforeThrow(bad.map(([key]) => key));
  const what = bad.map(([key, size]) => `${key} (${stored.has(key) ? `${stored.get(key)} bytes stored` : "missing"}, not ${size})`).join(", ");
  throw new BackpakError("io", `The storage didn't keep what was written: ${what}`, {
    hint: "it reported success for an incomplete upload; nothing refers to these objects, so run the command again to store them again",
  });
}
