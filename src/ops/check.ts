/**
 * `check`: every index and snapshot loads and hashes to its ID; every indexed pack exists (or, with
 * --read-packs, decodes with every blob matching its ID and its manifest matching the index; with
 * --read-packs-subset, the packs of the subset do and the others exist); every
 * chunk a snapshot uses is indexed. Problems are reported one by one; any problem fails the check,
 * with a hint for what was found. A missing pack, a damaged blob (or a pack that can't be read at
 * all), or a chunk no index lists is followed by every snapshot and path that needs it; a tree that
 * can't be read, by the directory it holds in each snapshot.
 */
import type { BlobId, PackId, SnapshotId } from "../format/id.ts";
import { ID_BYTES, idFromDigest, shortId } from "../format/id.ts";
import type { Manifest, ManifestColumns } from "../format/manifest.ts";
import { BackpakError, causeChain } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { checkSnapshotLayout, type DamagedSnapshot, damagedSnapshotError, damagedSnapshotsHint, indexKey, isDamaged, layoutForest, listObjects, mergeIndexes, packKey, PackManifests, PacksAhead, REBUILD_INDEX_HINT, type Repository, TreeCache, tryLoadSnapshot, unpackBlobs, withPack } from "../repo/index.ts";
import { BlobPipeline, UnsplittablePack } from "../pipeline/blob-pipeline.ts";
import { CheckTrees } from "./check-trees.ts";
import { pickPacks, type PackSubset } from "./pack-subset.ts";
import { startBlobPool } from "../pipeline/pipeline-setup.ts";
import { warnUnlistedPacks } from "./unlisted-packs.ts";

export interface CheckOptions {
  readonly readPacks: boolean;
  /** Read only these packs whole (the others are checked for presence only). */
  readonly subset?: PackSubset;
  /** Called as packs are verified (for progress). */
  readonly onPack?: (done: number, total: number) => void;
  /** Told what the check found once it is done, before it fails or returns (for --json). */
  readonly onSummary?: (summary: CheckSummary) => void;
}

export interface CheckSummary {
  /** Problems found (each was logged as an error). */
  readonly errors: number;
  readonly packs: number;
  readonly snapshots: number;
  /** Packs missing or (with readPacks) damaged. */
  readonly brokenPacks: readonly PackId[];
  readonly damagedSnapshots: readonly SnapshotId[];
  /** Whether an index is damaged or lacks blobs that snapshots use (rebuild-index may help). */
  readonly suggestRebuildIndex: boolean;
}

const describe = (err: unknown): string => causeChain(err).join(": ");

function sameManifest(a: ManifestColumns, b: Manifest): boolean {
  return a.count === b.length && b.every((e, i) => a.lengths[i] === e.length && a.trees[i] === (e.type === "tree" ? 1 : 0) && idFromDigest(a.digests, i * ID_BYTES) === e.id);
}

/** What reading one pack found: the errors to report, and the blobs that couldn't be read from it. */
interface PackVerdict {
  readonly errors: Error[];
  readonly damaged: readonly BlobId[];
}

/**
 * Verifies one pack against the manifest its index gives: the pack's own manifest must match,
 * and every blob must decode to its ID (on the workers; packs they can't split are read whole).
 * A damaged frame costs only the blobs in it; a pack that can't be read loses every blob not
 * verified before the failure.
 */
async function verifyPack(repo: Repository, pipeline: BlobPipeline, id: PackId, manifest: Manifest, ahead: PacksAhead): Promise<PackVerdict> {
  const verified = new Set<number>();
  const errors: Error[] = [];
  const on = { onBlob: (i: number) => void verified.add(i), onDamage: (err: Error) => void errors.push(err) };
  try {
    await withPack(repo, id, async (pack) => {
      if (!sameManifest(pack.blobs, manifest)) throw new BackpakError("corrupt", `Pack ${id}'s manifest doesn't match its index entry`);
      try {
        await pipeline.run(pack.task(new Map(manifest.map((_, i) => [i, []])), on));
      } catch (err) {
        if (!(err instanceof UnsplittablePack)) throw err;
        errors.push(...(await pipeline.settle()));
        if (errors.length > 0) return;
        unpackBlobs(await repo.backend.read(packKey(id)), id, manifest);
        manifest.forEach((_, i) => verified.add(i));
      }
      errors.push(...(await pipeline.settle()));
    }, ahead);
  } catch (err) {
    errors.push(...(await pipeline.settle()), err as Error);
  }
  return { errors, damaged: manifest.filter((_, i) => !verified.has(i)).map((e) => e.id) };
}

export async function check(repo: Repository, opts: CheckOptions): Promise<void> {
  let trouble = 0;
  /** Whether an index is damaged or lacks blobs snapshots use: rebuilding it may help. */
  let unindexed = false;
  /** Whether trees failed to load from packs this check didn't read whole. */
  let unreadTrees = false;
  const fail = (msg: string): void => {
    log.error(msg);
    trouble++;
  };

  const configWarnings = repo.configWarnings ?? [];
  for (const w of configWarnings) fail(w);

  // Snapshots are listed first: one that a backup running alongside stores later is left out,
  // while every one listed here has its index stored before it, so listed below.
  const snapshotList = await listObjects(repo.backend, "snapshot");
  // Indexes, one by one, so one bad index doesn't hide the rest.
  const indexes = await listObjects(repo.backend, "index");
  const damagedIndex = (err: unknown): void => {
    fail(describe(err));
    unindexed = true;
  };
  const { blobs } = await mergeIndexes(
    indexes.map((i) => i.id),
    (id) => repo.backend.read(indexKey(id)),
    damagedIndex,
  );
  const packs = new PackManifests(blobs);
  if (blobs.duplicates > 0) {
    // backpak 0.3.0 refuses a repository where a blob is in two packs.
    log.warn(`${blobs.duplicates} blobs are stored in more than one pack; run \`backpak prune\` to delete the extra copies`);
  }

  log.info("Downloading pack list");
  const stored = new Set((await listObjects(repo.backend, "pack")).map((p) => p.id));
  /** Blobs that can't be read, and the pack each is in. */
  const lost = new Map<BlobId, PackId>();
  const broken: PackId[] = [];
  const readAll = opts.readPacks && opts.subset === undefined;
  const reading = readAll ? new Set(packs.keys()) : opts.subset ? pickPacks([...packs.keys()], opts.subset) : new Set<PackId>();
  if (opts.subset) log.info(`Reading ${reading.size} of ${packs.size} packs`);
  if (reading.size > 0) {
    let done = 0;
    const { pool, ringBytes } = startBlobPool();
    const ahead = new PacksAhead(repo, [...reading]);
    try {
      const pipeline = new BlobPipeline(pool, ringBytes);
      for (const id of reading) {
        const manifest = packs.get(id)!;
        const { errors, damaged } = await verifyPack(repo, pipeline, id, manifest, ahead);
        for (const err of errors) log.error(`Pack ${id}: ${describe(err)}`);
        if (damaged.length === manifest.length) log.error(`Pack ${id}: none of its ${manifest.length} blobs can be read`);
        else if (damaged.length > 0) log.error(`Pack ${id}: ${damaged.length} of its ${manifest.length} blobs can't be read: ${damaged.join(", ")}`);
        for (const blob of damaged) lost.set(blob, id);
        if (errors.length > 0) broken.push(id);
        else log.debug(`Pack ${id} verified`);
        opts.onPack?.(++done, reading.size);
      }
    } finally {
      ahead.close();
      pool.close();
    }
  }
  if (!readAll) {
    log.info(`Checking that all indexed packs${reading.size > 0 ? " not read" : ""} are present`);
    for (const [id, manifest] of packs) {
      if (!reading.has(id) && !stored.has(id)) {
        log.error(`Couldn't find pack ${id}`);
        for (const e of manifest) lost.set(e.id, id);
        broken.push(id);
      }
    }
  }
  if (broken.length > 0) fail(`${broken.length} broken packs`);

  log.info("Checking for unreachable packs (not listed in indexes)");
  warnUnlistedPacks(stored, packs);

  log.info("Checking that all chunks in snapshots are reachable");
  const trees = new TreeCache(repo.backend, blobs);
  /** Chunks snapshots use that no index lists, with the snapshots that use them. */
  const users = new Map<BlobId, Set<SnapshotId>>();
  const damaged: DamagedSnapshot[] = [];
  const checkTrees = new CheckTrees(trees, blobs, (chunk) => {
    const pack = lost.get(chunk);
    if (pack === undefined) return blobs.has(chunk) ? undefined : `chunk ${chunk}, which no index lists`;
    return `broken pack ${pack} (chunk ${chunk})`;
  });
  /** Notes which hint fits a tree that couldn't be loaded: an index lacks it, or its pack should be read whole. */
  const hintFor = (err: unknown): void => {
    if (err instanceof BackpakError && err.kind === "not-found") unindexed = true;
    else if (!readAll) unreadTrees = true;
  };
  for (const listed of snapshotList) {
    const loaded = await tryLoadSnapshot(repo.backend, listed);
    if (isDamaged(loaded)) {
      fail(describe(damagedSnapshotError(loaded)));
      damaged.push(loaded);
      continue;
    }
    const { id, snapshot } = loaded;
    try {
      // One walk over the trees no earlier snapshot had; only what it finds wrong is walked again.
      const problems: string[] = [];
      await checkTrees.walk(snapshot.tree, (problem) => problems.push(problem));
      const { unreadableTrees, unreadableChunks } = checkTrees.damaged(snapshot.tree);
      // Every tree that can't be read is named with the directory it holds, so the user knows what is lost.
      if (unreadableTrees) {
        await checkTrees.unreadableTrees(snapshot.tree, (tree, names, err) => {
          fail(`Snapshot ${id}: ${names.length === 0 ? "root tree" : `dir ${names.join("/")}: tree`} ${tree} can't be read, nor anything beneath it: ${describe(err)}`);
          hintFor(err);
        });
      }
      for (const problem of problems) fail(`Snapshot ${id}: ${problem}`);
      // Only the chunks no index lists are remembered (with the snapshots that use them), not every chunk.
      if (unreadableChunks) {
        for (const c of await checkTrees.unlistedChunks(snapshot.tree)) {
          let s = users.get(c);
          if (!s) users.set(c, (s = new Set()));
          s.add(id);
        }
      }
      if (unreadableTrees) continue;
      checkSnapshotLayout(loaded, await layoutForest(loaded, trees));
      for await (const f of checkTrees.files(snapshot.tree)) log.error(`Snapshot ${id}: ${f.path} needs ${f.needs}`);
    } catch (err) {
      fail(`Snapshot ${id}: ${describe(err)}`);
      hintFor(err);
    }
  }
  for (const [chunk, snaps] of users) log.error(`Chunk ${chunk} is unreachable! (Used by snapshots ${[...snaps].map(shortId).join(", ")})`);
  if (users.size > 0) {
    fail(`${users.size} missing chunks`);
    unindexed = true;
  }

  opts.onSummary?.({
    errors: trouble,
    packs: packs.size,
    snapshots: snapshotList.length,
    brokenPacks: broken,
    damagedSnapshots: damaged.map((d) => d.id),
    suggestRebuildIndex: unindexed,
  });
  if (trouble > 0) {
    const hints = ["the errors above name the damaged objects"];
    if (configWarnings.length > 0) hints.push("mend the config file by hand: it isn't hashed, and a damaged key is ignored, leaving its setting at the default");
    if (unindexed) hints.push(REBUILD_INDEX_HINT);
    if (unreadTrees) hints.push("`backpak check --read-packs` reads every pack, naming each damaged one and the files that need it");
    if (broken.length > 0) hints.push("put back good copies of the broken packs if you have them (from a copy of the repository, say); restore writes every file but those named");
    if (damaged.length > 0) hints.push(damagedSnapshotsHint(damaged));
    throw new BackpakError("corrupt", "Check failed!", { hint: hints.join("; ") });
  }
  log.info("Check complete");
}
