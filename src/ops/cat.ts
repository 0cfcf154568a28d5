/** `cat`: fetch one object, verified against its ID, for printing. */
import { parseId, type BlobId, type IndexId, type PackId } from "../format/id.ts";
import type { IndexContents } from "../format/index-file.ts";
import type { Manifest } from "../format/manifest.ts";
import type { Snapshot } from "../format/snapshot.ts";
import { decodeTree, type Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { ChunkReader, findSnapshot, loadIndex, loadMasterIndex, loadSnapshots, packKey, readPackLayout, type Repository } from "../repo/index.ts";

export type CatKind = "blob" | "pack" | "index" | "snapshot";

export type CatResult =
  | { readonly kind: "chunk"; readonly bytes: Uint8Array }
  | { readonly kind: "tree"; readonly tree: Tree }
  | { readonly kind: "pack"; readonly manifest: Manifest }
  | { readonly kind: "index"; readonly index: IndexContents }
  | { readonly kind: "snapshot"; readonly snapshot: Snapshot };

export async function cat(repo: Repository, kind: CatKind, ref: string): Promise<CatResult> {
  switch (kind) {
    case "blob": {
      const id = parseId<"blob">(ref, "blob ID") as BlobId;
      const index = await loadMasterIndex(repo.backend);
      const loc = index.blobs.get(id);
      if (!loc) throw new BackpakError("not-found", `Can't find blob ${id} in the index`);
      log.info(`Blob ${id} found in pack ${loc.pack}`);
      const bytes = await new ChunkReader(repo.backend, index.blobs).chunk(id);
      return loc.type === "chunk" ? { kind: "chunk", bytes } : { kind: "tree", tree: decodeTree(bytes, `tree ${id}`) };
    }
    case "pack": {
      const id = parseId<"pack">(ref, "pack ID") as PackId;
      return { kind: "pack", manifest: readPackLayout(await repo.backend.read(packKey(id)), id).manifest };
    }
    case "index":
      return { kind: "index", index: await loadIndex(repo.backend, parseId<"index">(ref, "index ID") as IndexId) };
    case "snapshot":
      return { kind: "snapshot", snapshot: findSnapshot(await loadSnapshots(repo.backend), ref).snapshot };
  }
}
