/**
 * Snapshots in a repository: loading (ID-verified), listing in time order, resolving references,
 * storing. A snapshot file that can't be loaded is set aside as damaged (with a warning naming
 * it) so the others stay usable; naming it by ID or prefix is an error that says so, but LAST
 * counts only the readable ones, since a damaged file's time is unknown.
 */
import fs from "node:fs";
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import { isId, shortId, type SnapshotId } from "../format/id.ts";
import { decodeSnapshotBody, encodeSnapshotBody, encodeSnapshotFile, splitSnapshotFile, type Snapshot } from "../format/snapshot.ts";
import { BackpakError, causeChain } from "../lib/errors.ts";
import { writeFileSynced } from "../lib/fsutil.ts";
import { hashId } from "../kernels/sha224.ts";
import { log } from "../lib/log.ts";
import { listObjects, snapshotKey, type StoredObject } from "./keys.ts";
import type { Repository } from "./repository.ts";
import { checkStoredSizes, sizesListedAsWritten } from "./stored-sizes.ts";
import { scratchWrite, workTempPath } from "./work-temps.ts";

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

/** A snapshot file that couldn't be loaded: unreadable, undecodable, or not hashing to its name. */
export interface DamagedSnapshot {
  readonly id: SnapshotId;
  /** The file, e.g. `snapshots/<id>.snapshot`. */
  readonly key: string;
  readonly size: number;
  readonly error: unknown;
}

/** Every snapshot file of a repository: the loaded snapshots oldest first, and the damaged ones. */
export interface SnapshotList {
  readonly chronological: readonly StoredSnapshot[];
  readonly damaged: readonly DamagedSnapshot[];
}

export const isDamaged = (s: StoredSnapshot | DamagedSnapshot): s is DamagedSnapshot => "error" in s;

/** Loads a listed snapshot file, or says why it can't be used; throws when the storage fails to read it. */
export async function tryLoadSnapshot(backend: Backend, { id, size }: StoredObject<"snapshot">): Promise<StoredSnapshot | DamagedSnapshot> {
  try {
    return { id, size, snapshot: await loadSnapshot(backend, id) };
  } catch (error) {
    // A storage failure (an I/O error, a timeout) says nothing about the file: it is only damaged
    // if what was read is wrong, and skipping it would make LAST another snapshot.
    if (error instanceof BackpakError && error.kind === "io") throw error;
    return { id, key: snapshotKey(id), size, error };
  }
}

/**
 * Loads every snapshot, warning about (and setting aside) each one that can't be loaded. Equal
 * times are ordered by ID so the order never depends on load order.
 */
export async function loadSnapshots(backend: Backend): Promise<SnapshotList> {
  const chronological: StoredSnapshot[] = [];
  const damaged: DamagedSnapshot[] = [];
  await Promise.all(
    (await listObjects(backend, "snapshot")).map(async (listed) => {
      const s = await tryLoadSnapshot(backend, listed);
      if (isDamaged(s)) damaged.push(s);
      else chronological.push(s);
    }),
  );
  damaged.sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const d of damaged) log.warn(`Skipping ${d.key}, which can't be loaded: ${causeChain(d.error).join(": ")} (see \`backpak check\`)`);
  chronological.sort((a, b) => (a.snapshot.time < b.snapshot.time ? -1 : a.snapshot.time > b.snapshot.time ? 1 : a.id < b.id ? -1 : 1));
  return { chronological, damaged };
}

/**
 * What to do about damaged snapshot files: put a good copy back, or forget them; their data stays
 * until a prune (`beforePrune`: the hint of a prune that refused, which is to be run again).
 */
export function damagedSnapshotsHint(damaged: readonly DamagedSnapshot[], beforePrune = false): string {
  const one = damaged.length === 1;
  const then = beforePrune ? ", then prune again" : ` (the data only ${one ? "it" : "they"} used stays until \`backpak prune\`)`;
  return `put back a good copy of ${damaged.map((d) => d.key).join(", ")} if you have one; otherwise \`backpak forget ${damaged.map((d) => d.id).join(" ")}\` drops ${one ? "that snapshot" : "those snapshots"}${then}`;
}

/** The error for using a damaged snapshot, naming its file. */
export function damagedSnapshotError(d: DamagedSnapshot): BackpakError {
  return new BackpakError("corrupt", `Snapshot ${d.id} can't be used: ${d.key} is damaged`, { cause: d.error, hint: damagedSnapshotsHint([d]) });
}

/**
 * LAST, HEAD or restic's `latest`, each with `~` or `~N`. `latest` is also a possible ID prefix
 * (its letters are base32 digits): it means the newest snapshot, as in restic; an ID that starts
 * with it is named with more of its digits.
 */
const LAST_RE = /^(?:LAST|HEAD|latest)(?:(~)|(?:~([0-9]+)))?$/;

/**
 * Resolves a snapshot reference: a full ID, LAST/HEAD/latest[~[N]] (counting readable snapshots
 * only, and of those only `among` when given: the ones a filter selects), or an ID prefix of at
 * least 4 digits. IDs and prefixes match damaged snapshots too, and are not filtered.
 */
export function resolveSnapshot(list: SnapshotList, ref: string, among: readonly StoredSnapshot[] = list.chronological): StoredSnapshot | DamagedSnapshot {
  const all: (StoredSnapshot | DamagedSnapshot)[] = [...list.chronological, ...list.damaged];
  if (isId(ref)) {
    const found = all.find((s) => s.id === ref);
    if (!found) throw new BackpakError("not-found", `No snapshot ${ref}`);
    return found;
  }
  const m = LAST_RE.exec(ref);
  if (m) {
    const chronological = among;
    const back = m[1] ? 1 : m[2] !== undefined ? Number(m[2]) : 0;
    const found = chronological[chronological.length - 1 - back];
    if (!found || back >= chronological.length) {
      const skipped = list.damaged.length > 0 ? ` (not counting the damaged ${list.damaged.map((d) => d.key).join(", ")})` : "";
      const filtered = among === list.chronological ? "" : " that match the filters";
      throw new BackpakError("not-found", `Don't have ${back + 1} snapshots${filtered} yet${skipped}`);
    }
    return found;
  }
  if (ref.length < 4) throw new BackpakError("usage", "Provide a snapshot ID with at least 4 digits!");
  const matches = all.filter((s) => s.id.startsWith(ref));
  if (matches.length === 0) throw new BackpakError("not-found", `No snapshots start with ${ref}`);
  if (matches.length > 1) {
    throw new BackpakError("usage", `${matches.length} different snapshots start with ${ref}`, {
      hint: `give more digits: ${matches.map((s) => shortId(s.id)).join(", ")}`,
    });
  }
  return matches[0]!;
}

/** Resolves a reference to a snapshot that can be used: naming a damaged one is an error saying so. */
export function findSnapshot(list: SnapshotList, ref: string, among?: readonly StoredSnapshot[]): StoredSnapshot {
  const found = resolveSnapshot(list, ref, among);
  if (isDamaged(found)) throw damagedSnapshotError(found);
  return found;
}

/** Resolves several references (LAST counting `among`, see resolveSnapshot), then orders them by time without duplicates. */
export function findSnapshots(list: SnapshotList, refs: readonly string[], among?: readonly StoredSnapshot[]): StoredSnapshot[] {
  const wanted = new Set(refs.map((r) => findSnapshot(list, r, among).id));
  return list.chronological.filter((s) => wanted.has(s.id));
}

/** Computes a snapshot's ID without storing it (dry runs). */
export function snapshotId(snapshot: Snapshot): SnapshotId {
  return hashId<"snapshot">(encodeSnapshotBody(snapshot));
}

/**
 * Writes each snapshot file in `scratchDir` (temporary name, fsync, rename to `<id>.snapshot`) and
 * stores it in the backend, which moves it into place; then checks, from one listing, that they
 * were all stored whole. Returns their IDs.
 */
export async function storeSnapshots(repo: Repository, snapshots: readonly Snapshot[], scratchDir: string): Promise<SnapshotId[]> {
  const ids: SnapshotId[] = [];
  const wrote = new Map<string, number>();
  for (const snapshot of snapshots) {
    const body = encodeSnapshotBody(snapshot);
    const id = hashId<"snapshot">(body);
    const tmp = workTempPath(scratchDir, "snapshot");
    scratchWrite(tmp, () => writeFileSynced(tmp, encodeSnapshotFile(body)));
    const named = path.join(scratchDir, `${id}.snapshot`);
    fs.renameSync(tmp, named);
    const key = snapshotKey(id);
    wrote.set(key, fs.statSync(named).size);
    await repo.backend.put(key, named);
    ids.push(id);
  }
  if (sizesListedAsWritten(repo.config)) await checkStoredSizes(repo.backend, "snapshots/", wrote);
  return ids;
}

/** Stores one snapshot (see storeSnapshots); returns its ID. */
export async function storeSnapshot(repo: Repository, snapshot: Snapshot, scratchDir: string): Promise<SnapshotId> {
  return (await storeSnapshots(repo, [snapshot], scratchDir))[0]!;
}
