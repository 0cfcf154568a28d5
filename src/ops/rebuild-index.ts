/**
 * `rebuild-index`: one new index from every pack's own manifest (each checked against the pack's
 * ID), superseding every current index; it is stored before the old ones are deleted, so there is
 * never a moment without a valid index. Unlike backpak it leaves no WIP file behind.
 */
import fs from "node:fs";
import type { IndexId, PackId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { Indexer } from "../repo/indexer.ts";
import { indexKey, listObjects, packKey } from "../repo/keys.ts";
import { readPackLayoutFrom } from "../repo/pack-file.ts";
import type { Repository } from "../repo/repository.ts";

export interface RebuildIndexOptions {
  readonly dryRun: boolean;
  readonly scratchDir: string;
}

export async function rebuildIndex(repo: Repository, opts: RebuildIndexOptions): Promise<IndexId> {
  const old = (await listObjects(repo.backend, "index")).map((i) => i.id);
  const packs = await listObjects(repo.backend, "pack");
  log.info(`Reading the manifests of ${packs.length} packs`);
  const manifests = new Map<PackId, Manifest>();
  for (const { id } of packs) {
    const reader = await repo.backend.openRange(packKey(id));
    try {
      manifests.set(id, readPackLayoutFrom(reader, id).manifest);
    } finally {
      reader.close();
    }
  }
  const indexer = new Indexer(opts.scratchDir, { packs: manifests, supersedes: new Set(old) }, false);
  const built = indexer.finish();
  if (!built) throw new BackpakError("not-found", "No new index built", { hint: "the repository holds no packs and no indexes" });
  if (opts.dryRun) {
    fs.rmSync(built.path, { force: true });
    return built.id;
  }
  await repo.backend.put(indexKey(built.id), built.path);
  log.info(`Stored index ${built.id}; removing the ${old.length} it replaces`);
  for (const id of old) if (id !== built.id) await repo.backend.remove(indexKey(id));
  return built.id;
}
