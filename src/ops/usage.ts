/** `usage`: how big the repository is and how much of it snapshots use. */
import { BlobMarks, listObjects, type Repository } from "../repo/index.ts";
import { loadRepository } from "./open.ts";
import { forestSizes } from "./sizes.ts";
import { warnUnlistedPacks } from "./unlisted-packs.ts";

export interface UsageReport {
  readonly snapshots: number;
  /** Times of the first and last snapshots (ns) and their zones. */
  readonly first?: { time: bigint; tz: string };
  readonly last?: { time: bigint; tz: string };
  readonly uniqueBytes: number;
  readonly reusedBytes: number;
  readonly indexes: number;
  readonly packs: number;
  /** Blob bytes in packs that no snapshot uses (negative only if the index contradicts itself). */
  readonly unusedBytes: number;
  readonly snapshotFileBytes: number;
  readonly indexFileBytes: number;
  readonly packFileBytes: number;
}

export async function usage(repo: Repository): Promise<UsageReport> {
  const loaded = await loadRepository(repo);
  const seen = new BlobMarks(loaded.index.blobs);
  let uniqueBytes = 0;
  let reusedBytes = 0;
  const { chronological, damaged } = loaded.snapshots;
  for (const s of chronological) {
    const sizes = await forestSizes(s.snapshot.tree, loaded.trees, loaded.index.blobs, seen, { perFile: false });
    uniqueBytes += sizes.introduced;
    reusedBytes += sizes.reused;
  }
  let packed = 0;
  for (const m of loaded.index.packs.values()) for (const e of m) packed += e.length;
  const indexes = await listObjects(repo.backend, "index");
  const packs = await listObjects(repo.backend, "pack");
  warnUnlistedPacks(packs.map((p) => p.id), loaded.index.packs);
  const sum = (xs: { size: number }[]): number => xs.reduce((n, x) => n + x.size, 0);
  const first = chronological[0]?.snapshot;
  const last = chronological[chronological.length - 1]?.snapshot;
  return {
    snapshots: chronological.length,
    ...(first ? { first: { time: first.time, tz: first.tz } } : {}),
    ...(last ? { last: { time: last.time, tz: last.tz } } : {}),
    uniqueBytes,
    reusedBytes,
    indexes: indexes.length,
    packs: loaded.index.packs.size,
    // What snapshots use of the packs: unlike the sums of what they introduced, this leaves out the unpacked empty tree's byte.
    unusedBytes: packed - seen.listedBytes(),
    snapshotFileBytes: sum([...chronological, ...damaged]),
    indexFileBytes: sum(indexes),
    packFileBytes: sum(packs),
  };
}
