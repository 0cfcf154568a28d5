/**
 * `check`: every index and snapshot loads and hashes to its ID; every indexed pack exists (or, with
 * --read-packs, decodes with every blob matching its ID and its manifest matching the index); every
 * chunk a snapshot uses is indexed. Problems are reported one by one; any problem fails the check.
 * A missing or damaged pack is followed by every snapshot and path that needs it.
 */
import type { BlobId, IndexId, PackId, SnapshotId } from "../format/id.ts";
import { shortId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import { BackpakError, causeChain } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { loadIndex } from "../repo/index-file.ts";
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

/**
 * Verifies one pack against the manifest its index gives: the pack's own manifest must match,
 * and every blob must decode to its ID (on the workers; packs they can't split are read whole).
 */
async function verifyPack(repo: Repository, pipeline: BlobPipeline, id: PackId, manifest: Manifest, ahead: PacksAhead): Promise<Error[]> {
  try {
    return await withPack(repo, id, async (pack) => {
      if (!sameManifest(pack.manifest, manifest)) throw new BackpakError("corrupt", `Pack ${id}'s manifest doesn't match its index entry`);
      try {
        await pipeline.run(pack.task(new Map(manifest.map((_, i) => [i, []]))));
      } catch (err) {
        if (!(err instanceof UnsplittablePack)) throw err;
        const errors = await pipeline.settle();
        if (errors.length > 0) return errors;
        unpackBlobs(await repo.backend.read(packKey(id)), id, manifest);
      }
      return await pipeline.settle();
    }, ahead);
  } catch (err) {
    return [...(await pipeline.settle()), err as Error];
  }
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
  const fail = (msg: string): void => {
    log.error(msg);
    trouble++;
  };

  // Indexes, one by one, so one bad index doesn't hide the rest.
  const indexes = await listObjects(repo.backend, "index");
  const loaded: { id: IndexId; packs: ReadonlyMap<PackId, Manifest>; supersedes: ReadonlySet<IndexId> }[] = [];
  for (const { id } of indexes) {
    try {
      loaded.push({ id, ...(await loadIndex(repo.backend, id)) });
    } catch (err) {
      fail(`Index ${id}: ${describe(err)}`);
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
  const broken = new Set<PackId>();
  if (opts.readPacks) {
    let done = 0;
    const { pool, ringBytes } = startBlobPool();
    const ahead = new PacksAhead(repo, [...packs.keys()]);
    try {
      const pipeline = new BlobPipeline(pool, ringBytes);
      for (const [id, manifest] of packs) {
        const errors = await verifyPack(repo, pipeline, id, manifest, ahead);
        for (const err of errors) log.error(`Pack ${id}: ${describe(err)}`);
        if (errors.length > 0) broken.add(id);
        else log.debug(`Pack ${id} verified`);
        opts.onPack?.(++done, packs.size);
      }
    } finally {
      ahead.close();
      pool.close();
    }
  } else {
    log.info("Checking that all indexed packs are present");
    for (const id of packs.keys()) {
      if (!stored.has(id)) {
        log.error(`Couldn't find pack ${id}`);
        broken.add(id);
      }
    }
  }
  if (broken.size > 0) fail(`${broken.size} broken packs`);

  log.info("Checking for unreachable packs (not listed in indexes)");
  warnUnlistedPacks(stored, packs);

  log.info("Checking that all chunks in snapshots are reachable");
  const trees = new TreeCache(repo.backend, blobs);
  const users = new Map<BlobId, Set<SnapshotId>>();
  const damaged: DamagedSnapshot[] = [];
  const packUsers = new PackUsers(blobs, broken);
  const checkedTrees = new Set<BlobId>();
  for (const listed of await listObjects(repo.backend, "snapshot")) {
    const loaded = await tryLoadSnapshot(repo.backend, listed);
    if (isDamaged(loaded)) {
      fail(describe(damagedSnapshotError(loaded)));
      damaged.push(loaded);
      continue;
    }
    const { id, snapshot } = loaded;
    try {
      const forest = await loadForest(snapshot.tree, trees);
      checkSnapshotLayout(loaded, forest);
      for (const problem of fileProblems(forest, blobs, checkedTrees)) fail(`Snapshot ${id}: ${problem}`);
      for (const f of packUsers.files(forest, snapshot.tree)) log.error(`Snapshot ${id}: ${f.path} needs broken pack ${f.pack}`);
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
    }
  }
  let missing = 0;
  for (const [chunk, snaps] of users) {
    if (!blobs.has(chunk)) {
      log.error(`Chunk ${chunk} is unreachable! (Used by snapshots ${[...snaps].map(shortId).join(", ")})`);
      missing++;
    }
  }
  if (missing > 0) fail(`${missing} missing chunks`);

  if (trouble > 0) {
    const hint = "the errors above name the damaged objects";
    throw new BackpakError("corrupt", "Check failed!", { hint: damaged.length > 0 ? `${hint}; ${damagedSnapshotsHint(damaged)}` : hint });
  }
  log.info("Check complete");
}
