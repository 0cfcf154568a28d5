/** `cat`: one object as JSON (a chunk as its raw bytes), each verified against its ID. */
import { parseId, type BlobId, type IndexId, type PackId } from "../format/id.ts";
import { decodeTree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { loadIndex } from "../repo/index-file.ts";
import { packKey } from "../repo/keys.ts";
import { loadMasterIndex } from "../repo/master-index.ts";
import { readPackLayout } from "../repo/pack-file.ts";
import { readPackBlobs } from "../repo/pack-reader.ts";
import type { Repository } from "../repo/repository.ts";
import { findSnapshot, loadSnapshotsChronologically } from "../repo/snapshots.ts";
import { indexJson, manifestJson, snapshotJson, treeJson } from "../ui/json.ts";

export type CatKind = "blob" | "pack" | "index" | "snapshot";

/** Returns what `cat <kind> <id>` prints. */
export async function cat(repo: Repository, kind: CatKind, ref: string): Promise<Uint8Array | string> {
  switch (kind) {
    case "blob": {
      const id = parseId<"blob">(ref, "blob ID");
      const index = await loadMasterIndex(repo.backend);
      const loc = index.blobs.get(id);
      if (!loc) throw new BackpakError("not-found", `Can't find blob ${id} in the index`);
      log.info(`Blob ${id} found in pack ${loc.pack}`);
      const blob = (await readPackBlobs(repo.backend, loc.pack)).find((b) => b.entry.id === (id as BlobId));
      if (!blob) throw new BackpakError("corrupt", `Pack ${loc.pack} doesn't hold blob ${id} though the index says it does`);
      return blob.entry.type === "chunk" ? blob.bytes : treeJson(decodeTree(blob.bytes, `tree ${id}`)) + "\n";
    }
    case "pack": {
      const id = parseId<"pack">(ref, "pack ID") as PackId;
      return manifestJson(readPackLayout(await repo.backend.read(packKey(id)), id).manifest) + "\n";
    }
    case "index":
      return indexJson(await loadIndex(repo.backend, parseId<"index">(ref, "index ID") as IndexId)) + "\n";
    case "snapshot":
      return snapshotJson(findSnapshot(await loadSnapshotsChronologically(repo.backend), ref).snapshot) + "\n";
  }
}
