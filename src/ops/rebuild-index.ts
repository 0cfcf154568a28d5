/**
 * `rebuild-index`: one new index from every pack's own manifest (each checked against the pack's
 * ID), superseding every current index; it is stored before the old ones are deleted, so there is
 * never a moment without a valid index. Unlike backpak it leaves no WIP file behind. A pack whose
 * manifest is damaged can't be read: it is named and left out (its blobs are lost, and the next
 * backup stores again what it still finds), and the rebuild then fails, after storing the index.
 */
import fs from "node:fs";
import type { IndexId, PackId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import { BackpakError, causeChain } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { Indexer, indexKey, listObjects, packKey, readPackLayoutFrom, type Repository } from "../repo/index.ts";

export interface RebuildIndexOptions {
  readonly dryRun: boolean;
  readonly scratchDir: string;
}

export async function rebuildIndex(repo: Repository, opts: RebuildIndexOptions): Promise<IndexId> {
  const old = (await listObjects(repo.backend, "index")).map((i) => i.id);
  const packs = await listObjects(repo.backend, "pack");
  log.info(`Reading the manifests of ${packs.length} packs`);
  const manifests = new Map<PackId, Manifest>();
  const damaged: PackId[] = [];
  for (const { id } of packs) {
    const reader = await repo.backend.openRange(packKey(id));
    try {
      manifests.set(id, readPackLayoutFrom(reader, id).manifest);
    } catch (err) {
      if (!(err instanceof BackpakError) || err.kind !== "corrupt") throw err;
      log.error(`Leaving out ${packKey(id)}, whose manifest can't be read: ${causeChain(err).join(": ")}`);
      damaged.push(id);
    } finally {
      reader.close();
    }
  }
  const indexer = new Indexer(opts.scratchDir, { packs: manifests, supersedes: new Set(old) }, false);
  const built = await indexer.finish();
  if (!built) throw new BackpakError("not-found", "No new index built", { hint: "the repository holds no packs and no indexes" });
  if (opts.dryRun) fs.rmSync(built.path, { force: true });
  else {
    await repo.backend.put(indexKey(built.id), built.path);
    log.info(`Stored index ${built.id}; removing the ${old.length} it replaces`);
    for (const id of old) if (id !== built.id) await repo.backend.remove(indexKey(id));
  }
  if (damaged.length > 0) throw damagedPacksError(damaged);
  return built.id;
}

/** The error of a rebuild that left out damaged packs: their blobs are lost unless a good copy is put back. */
function damagedPacksError(damaged: readonly PackId[]): BackpakError {
  const n = damaged.length === 1 ? "1 damaged pack" : `${damaged.length} damaged packs`;
  return new BackpakError("corrupt", `The rebuilt index leaves out ${n} (named above): the blobs in ${damaged.length === 1 ? "it" : "them"} are lost`, {
    hint: `\`backpak check\` names the snapshots and files that needed them; put back good copies of ${damaged.map(packKey).join(", ")} if you have them and run rebuild-index again, or else remove them from the repository (the next backup stores again the files it still finds)`,
  });
}
