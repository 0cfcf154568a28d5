/**
 * Builds the forest of paths on disk as a backup would see them, without storing anything:
 * unchanged files (same mtime and size as in the reference snapshot) keep their chunk lists,
 * others are read and hashed. Diff and restore compare snapshots against it.
 */
import type { BlobId } from "../format/id.ts";
import { encodeTree, type Node, type Tree } from "../format/tree.ts";
import { chunkFile } from "../fs/chunk-file.ts";
import { walkFs } from "../fs/walk.ts";
import { createChunker } from "../kernels/fastcdc/index.ts";
import { hashId } from "../kernels/sha224.ts";
import type { Forest } from "../repo/tree-cache.ts";

/** Walks `paths` (never following symlinks, skipping nothing) against the top-level tree `previous`, whose subtrees are in `previousForest`. */
export async function forestFromFs(paths: readonly string[], previous: Tree | undefined, previousForest: Forest): Promise<[BlobId, Forest]> {
  const forest = new Map<BlobId, Tree>();
  const chunker = createChunker("wasm");
  const root = await walkFs<BlobId, Map<string, Node>>(
    paths,
    previous,
    { dereference: false, previousTree: (id) => previousForest.get(id) },
    {
      begin: () => new Map<string, Node>(),
      visit: async (tree, entry, what) => {
        let contents: Node["contents"];
        if (what.kind === "dir") contents = { kind: "dir", tree: what.result };
        else if (what.kind === "symlink") contents = { kind: "symlink", target: what.target };
        else if (what.unchanged && entry.previous) contents = entry.previous.contents;
        else {
          const chunks: BlobId[] = [];
          for (const c of chunkFile(entry.path, chunker, entry.metadata.size ?? 0)) chunks.push(c.id);
          contents = { kind: "file", chunks };
        }
        tree.set(entry.name, { contents, metadata: entry.metadata });
      },
      finish: async (tree) => {
        const id = hashId<"blob">(encodeTree(tree));
        forest.set(id, tree);
        return id;
      },
    },
  );
  return [root, forest];
}
