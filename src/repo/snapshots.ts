/** Snapshots in a repository: loading (ID-verified), listing in time order, resolving references, storing. */
import fs from "node:fs";
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import { isId, shortId, type SnapshotId } from "../format/id.ts";
import { decodeSnapshotBody, encodeSnapshotBody, encodeSnapshotFile, splitSnapshotFile, type Snapshot } from "../format/snapshot.ts";
import { BackpakError } from "../lib/errors.ts";
import { writeFileSynced } from "../lib/fsutil.ts";
import { hashId } from "../kernels/sha224.ts";
import { listObjects, snapshotKey } from "./keys.ts";
import { workTempPath } from "./work-temps.ts";

export interface StoredSnapshot {
  readonly id: SnapshotId;
  readonly snapshot: Snapshot;
  /** Size of the snapshot file. */
  readonly size: number;
}

export function parseSnapshotFile(file: Uint8Array, id: SnapshotId): Snapshot {
  const what = `snapshot ${id}`;
  const { version, body } = splitSnapshotFile(file, what);
  const actual = hashId<"snapshot">(body);
  if (actual !== id) throw new BackpakError("corrupt", `Snapshot ${id}'s contents changed! Now hashes to ${actual}`);
  return decodeSnapshotBody(body, version, what);
}

export async function loadSnapshot(backend: Backend, id: SnapshotId): Promise<Snapshot> {
  return parseSnapshotFile(await backend.read(snapshotKey(id)), id);
}

/** All snapshots, oldest first; equal times are ordered by ID so the order never depends on load order. */
export async function loadSnapshotsChronologically(backend: Backend): Promise<StoredSnapshot[]> {
  const listed = await listObjects(backend, "snapshot");
  const loaded = await Promise.all(listed.map(async ({ id, size }) => ({ id, size, snapshot: await loadSnapshot(backend, id) })));
  return loaded.sort((a, b) => (a.snapshot.time < b.snapshot.time ? -1 : a.snapshot.time > b.snapshot.time ? 1 : a.id < b.id ? -1 : 1));
}

const LAST_RE = /^(?:LAST|HEAD)(?:(~)|(?:~([0-9]+)))?$/;

/** Resolves a snapshot reference: a full ID, LAST/HEAD[~[N]], or an ID prefix of at least 4 digits. */
export function findSnapshot(chronological: readonly StoredSnapshot[], ref: string): StoredSnapshot {
  if (isId(ref)) {
    const found = chronological.find((s) => s.id === ref);
    if (!found) throw new BackpakError("not-found", `No snapshot ${ref}`);
    return found;
  }
  const m = LAST_RE.exec(ref);
  if (m) {
    const back = m[1] ? 1 : m[2] !== undefined ? Number(m[2]) : 0;
    const found = chronological[chronological.length - 1 - back];
    if (!found || back >= chronological.length) {
      throw new BackpakError("not-found", `Don't have ${back + 1} snapshots yet`);
    }
    return found;
  }
  if (ref.length < 4) throw new BackpakError("usage", "Provide a snapshot ID with at least 4 digits!");
  const matches = chronological.filter((s) => s.id.startsWith(ref));
  if (matches.length === 0) throw new BackpakError("not-found", `No snapshots start with ${ref}`);
  if (matches.length > 1) {
    throw new BackpakError("usage", `${matches.length} different snapshots start with ${ref}`, {
      hint: `give more digits: ${matches.map((s) => shortId(s.id)).join(", ")}`,
    });
  }
  return matches[0]!;
}

/** Resolves several references, then orders them by time without duplicates. */
export function findSnapshots(chronological: readonly StoredSnapshot[], refs: readonly string[]): StoredSnapshot[] {
  const wanted = new Set(refs.map((r) => findSnapshot(chronological, r).id));
  return chronological.filter((s) => wanted.has(s.id));
}

/** Computes a snapshot's ID without storing it (dry runs). */
export function snapshotId(snapshot: Snapshot): SnapshotId {
  return hashId<"snapshot">(encodeSnapshotBody(snapshot));
}

/**
 * Writes the snapshot file in `workDir` (temporary name, fsync, rename to `<id>.snapshot`) and
 * stores it in the backend, which moves it into place.
 */
export async function storeSnapshot(backend: Backend, snapshot: Snapshot, workDir: string): Promise<SnapshotId> {
  const body = encodeSnapshotBody(snapshot);
  const id = hashId<"snapshot">(body);
  const tmp = workTempPath(workDir, "snapshot");
  writeFileSynced(tmp, encodeSnapshotFile(body));
  const named = path.join(workDir, `${id}.snapshot`);
  fs.renameSync(tmp, named);
  await backend.put(snapshotKey(id), named);
  return id;
}
