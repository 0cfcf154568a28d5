/** Object keys in a repository (`packs/<id>.pack`, …) and the IDs they name. */
import { OBJECT_DIRS, type ObjectKind } from "../format/magic.ts";
import { isId, type IndexId, type ObjectId, type PackId, type SnapshotId } from "../format/id.ts";
import type { Backend } from "../backend/index.ts";
import { log } from "../lib/log.ts";

type IdOf<K extends ObjectKind> = K extends "pack" ? PackId : K extends "index" ? IndexId : SnapshotId;

export function objectKey(kind: ObjectKind, id: ObjectId): string {
  return `${OBJECT_DIRS[kind]}/${id}.${kind}`;
}

export const packKey = (id: PackId): string => objectKey("pack", id);
export const indexKey = (id: IndexId): string => objectKey("index", id);
export const snapshotKey = (id: SnapshotId): string => objectKey("snapshot", id);

/** The ID in a pack's key (`packs/<id>.pack`). */
export const packIdOf = (key: string): PackId => key.slice(OBJECT_DIRS.pack.length + 1, -".pack".length) as PackId;

/** A listed object of one kind: its ID and stored size. */
export interface StoredObject<K extends ObjectKind> {
  readonly id: IdOf<K>;
  readonly size: number;
}

/**
 * Lists the objects of one kind. A file whose name is not `<id>.<kind>` (a stray `.DS_Store`, say)
 * is skipped with a warning instead of breaking the listing, as it would in backpak.
 */
export async function listObjects<K extends ObjectKind>(backend: Backend, kind: K): Promise<StoredObject<K>[]> {
  const dir = OBJECT_DIRS[kind];
  const out: StoredObject<K>[] = [];
  for (const { key, size } of await backend.list(`${dir}/`)) {
    const name = key.slice(dir.length + 1);
    const stem = name.endsWith(`.${kind}`) ? name.slice(0, -kind.length - 1) : "";
    if (!isId(stem)) {
      log.warn(`Ignoring ${key}: not a ${kind} file name`);
      continue;
    }
    out.push({ id: stem as IdOf<K>, size });
  }
  return out;
}
