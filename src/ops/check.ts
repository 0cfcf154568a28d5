/**
 * `check`: every index and snapshot loads and hashes to its ID; every indexed pack exists (or, with
 * --read-packs, decodes with every blob matching its ID and its manifest matching the index); every
 * chunk a snapshot uses is indexed. Problems are reported one by one; any problem fails the check,
 * with a hint for what was found. A missing pack, a damaged blob (or a pack that can't be read at
 * all), or a chunk no index lists is followed by every snapshot and path that needs it; a tree that
 * can't be read, by the directory it holds in each snapshot.
 */
import type { BlobId, IndexId, PackId, SnapshotId } from "../format/id.ts";
import { shortId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import { BackpakError, causeChain } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { REBUILD_INDEX_HINT, loadIndex } from "../repo/index-file.ts";
import { listObjects, packKey } from "../repo/keys.ts";
import { blobMap, type BlobLocation } from "../repo/master-index.ts";
import { unpackBlobs } from "../repo/pack-file.ts";
import { BlobPipeline, UnsplittablePack } from "../pipeline/blob-pipeline.ts";
import { PacksAhead, withPack } from "./pack-task.ts";
import { PackUsers } from "./pack-users.ts";
import { startBlobPool } from "./pipeline-setup.ts";
import { warnUnlistedPacks } from "./unlisted-packs.ts";
import type { Repository } from "../repo/repository.ts";
import { checkSnapshotLayout } from "../repo/snapshot-layout.ts";
import { damagedSnapshotError, damagedSnapshotsHint, isDamaged, tryLoadSnapshot, type DamagedSnapshot } from "../repo/snapshots.ts";
import { TreeCache, loadForest, type Forest } from "../repo/tree-cache.ts";
import { fileChunksProblem } from "../repo/file-chunks.ts";

export interface CheckOptions {
  readonly readPacks: boolean;
  /** Called as packs are verified (for progress). */
  readonly onPack?: (done: number, total: number) => void;
}

const describe = (err: unknown): string => causeChain(err).join(": ");

function sameManifest(a: Manifest, b: Manifest): boolean {
  return a.length === b.length && a.every((e, i) => e.id === b[i]!.id && e.type === b[i]!.type && e.length === b[i]!.length);
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
      if (!sameManifest(pack.manifest, manifest)) throw new BackpakError("corrupt", `Pack ${id}'s manifest doesn't match its index entry`);
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

/** What is wrong with the file entries of the forest's trees not checked before (each tree is checked once, however often it recurs). */
function fileProblems(forest: Forest, blobs: ReadonlyMap<BlobId, BlobLocation>, checked: Set<BlobId>): string[] {
  const out: string[] = [];
  for (const [treeId, tree] of forest) {
    if (checked.has(treeId)) continue;
    checked.add(treeId);
    for (const [name, node] of tree) {
      const problem = fileChunksProblem(node, blobs);
      if (problem !== undefined) out.push(`tree ${treeId}: file ${JSON.stringify(name)}: ${problem}`);
    }
  }
  return out;
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
  const loaded: { id: IndexId; packs: ReadonlyMap<PackId, Manifest>; supersedes: ReadonlySet<IndexId> }[] = [];
  for (const { id } of indexes) {
    try {
      loaded.push({ id, ...(await loadIndex(repo.backend, id)) });
    } catch (err) {
      fail(describe(err));
      unindexed = true;
    }
  }
  const superseded = new Set<IndexId>();
  for (const l of loaded) for (const s of l.supersedes) superseded.add(s);
  const packs = new Map<PackId, Manifest>();
  for (const l of loaded) if (!superseded.has(l.id)) for (const [p, m] of l.packs) packs.set(p, m);
  const { blobs, duplicates } = blobMap(packs);
  if (duplicates > 0) {
    // backpak 0.3.0 refuses a repository where a blob is in two packs.
    log.warn(`${duplicates} blobs are stored in more than one pack; run \`backpak prune\` to delete the extra copies`);
  }

  log.info("Downloading pack list");
  const stored = new Set((await listObjects(repo.backend, "pack")).map((p) => p.id));
  /** Blobs that can't be read, and the pack each is in. */
  const lost = new Map<BlobId, PackId>();
  let broken = 0;
  if (opts.readPacks) {
    let done = 0;
    const { pool, ringBytes } = startBlobPool();
    const ahead = new PacksAhead(repo, [...packs.keys()]);
    try {
      const pipeline = new BlobPipeline(pool, ringBytes);
      for (const [id, manifest] of packs) {
        const { errors, damaged } = await verifyPack(repo, pipeline, id, manifest, ahead);
        for (const err of errors) log.error(`Pack ${id}: ${describe(err)}`);
        if (damaged.length === manifest.length) log.error(`Pack ${id}: none of its ${manifest.length} blobs can be read`);
        else if (damaged.length > 0) log.error(`Pack ${id}: ${damaged.length} of its ${manifest.length} blobs can't be read: ${damaged.join(", ")}`);
        for (const blob of damaged) lost.set(blob, id);
        if (errors.length > 0) broken++;
        else log.debug(`Pack ${id} verified`);
        opts.onPack?.(++done, packs.size);
      }
    } finally {
      ahead.close();
      pool.close();
    }
  } else {
    log.info("Checking that all indexed packs are present");
    for (const [id, manifest] of packs) {
      if (!stored.has(id)) {
        log.error(`Couldn't find pack ${id}`);
        for (const e of manifest) lost.set(e.id, id);
        broken++;
      }
    }
  }
  if (broken > 0) fail(`${broken} broken packs`);

  log.info("Checking for unreachable packs (not listed in indexes)");
  warnUnlistedPacks(stored, packs);

  log.info("Checking that all chunks in snapshots are reachable");
  const trees = new TreeCache(repo.backend, blobs);
  const users = new Map<BlobId, Set<SnapshotId>>();
  const damaged: DamagedSnapshot[] = [];
  const packUsers = new PackUsers((chunk) => {
    const pack = lost.get(chunk);
    if (pack === undefined) return blobs.has(chunk) ? undefined : `chunk ${chunk}, which no index lists`;
    return `broken pack ${pack} (chunk ${chunk})`;
  });
  const checkedTrees = new Set<BlobId>();
  /** Notes which hint fits a tree that couldn't be loaded: an index lacks it, or its pack should be read whole. */
  const hintFor = (err: unknown): void => {
    if (err instanceof BackpakError && err.kind === "not-found") unindexed = true;
    else if (!opts.readPacks) unreadTrees = true;
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
      // Every tree that can't be read is named with the directory it holds, so the user knows what is lost.
      let unreadable = 0;
      const forest = await loadForest(snapshot.tree, trees, (tree, names, err) => {
        unreadable++;
        fail(`Snapshot ${id}: ${names.length === 0 ? "root tree" : `dir ${names.join("/")}: tree`} ${tree} can't be read, nor anything beneath it: ${describe(err)}`);
        hintFor(err);
      });
      if (unreadable > 0) continue;
      checkSnapshotLayout(loaded, forest);
      for (const problem of fileProblems(forest, blobs, checkedTrees)) fail(`Snapshot ${id}: ${problem}`);
      for (const f of packUsers.files(forest, snapshot.tree)) log.error(`Snapshot ${id}: ${f.path} needs ${f.needs}`);
      for (const tree of forest.values()) {
        for (const node of tree.values()) {
          if (node.contents.kind !== "file") continue;
          for (const c of node.contents.chunks) {
            let s = users.get(c);
            if (!s) users.set(c, (s = new Set()));
            s.add(id);
          }
        }
      }
    } catch (err) {
      fail(`Snapshot ${id}: ${describe(err)}`);
      hintFor(err);
    }
  }
  let missing = 0;
  for (const [chunk, snaps] of users) {
    if (!blobs.has(chunk)) {
      log.error(`Chunk ${chunk} is unreachable! (Used by snapshots ${[...snaps].map(shortId).join(", ")})`);
      missing++;
    }
  }
  if (missing > 0) {
    fail(`${missing} missing chunks`);
    unindexed = true;
  }

  if (trouble > 0) {
    const hints = ["the errors above name the damaged objects"];
    if (configWarnings.length > 0) hints.push("mend the config file by hand: it isn't hashed, and a damaged key is ignored, leaving its setting at the default");
    if (unindexed) hints.push(REBUILD_INDEX_HINT);
    if (unreadTrees) hints.push("`backpak check --read-packs` reads every pack, naming each damaged one and the files that need it");
    if (broken > 0) hints.push("put back good copies of the broken packs if you have them (from a copy of the repository, say); restore writes every file but those named");
    if (damaged.length > 0) hints.push(damagedSnapshotsHint(damaged));
    throw new BackpakError("corrupt", "Check failed!", { hint: hints.join("; ") });
  }
  log.info("Check complete");
}
