/**
 * Builds the forest of paths on disk as a backup would see them, without storing anything:
 * unchanged files (same mtime and size as in the reference snapshot) keep their chunk lists,
 * others are chunked and hashed on the workers. Diff and restore compare snapshots against it.
 */
import type { BlobId } from "../format/id.ts";
import { decodeTree, encodeTree, type Tree } from "../format/tree.ts";
import { walkEvents } from "../fs/walk.ts";
import { hashId } from "../kernels/sha224.ts";
import { BackpakError } from "../lib/errors.ts";
import { treeOf, type Trees } from "../repo/index.ts";
import { startPipeline } from "../pipeline/pipeline-setup.ts";
import { newWalkProgress, walkIntoTrees } from "./walk-into-trees.ts";

/**
 * The trees a walk of the disk made, held as their CBOR and decoded when asked for: decoded, the
 * trees of a million files the repository lacked (every one, when reading the files changed their
 * access times) took diff to a 1.4 GB peak.
 */
export class MadeTrees {
  readonly #encoded = new Map<BlobId, Uint8Array>();

  set(id: BlobId, encoded: Uint8Array): void {
    this.#encoded.set(id, encoded);
  }

  get(id: BlobId): Tree | undefined {
    const encoded = this.#encoded.get(id);
    return encoded && decodeTree(encoded, `tree ${id} made from the disk`);
  }
}

/**
 * Walks `paths` (never following symlinks, leaving out only what `skip` says) against the top-level
 * tree `previous`, whose subtrees are read from `previousTrees` as the walk enters them. Of the
 * trees made, it holds those `keep` accepts (by default all of them).
 */
export async function forestFromFs(
  paths: readonly string[],
  previous: Tree | undefined,
  previousTrees: Trees,
  skip?: (p: string) => boolean,
  keep: (id: BlobId) => boolean = () => true,
): Promise<[BlobId, MadeTrees]> {
  const made = new MadeTrees();
  const { pool, pipeline } = startPipeline(async () => {
    throw new BackpakError("internal", "nothing should be packed while comparing with the filesystem");
  });
  try {
    const events = walkEvents(paths, previous, { dereference: false, skip, previousTree: (id) => treeOf(previousTrees, id) });
    const root = await walkIntoTrees(events, pipeline, {
      known: () => true,
      claim: () => false,
      add: async () => false,
      unreadable: (path, why) => {
        throw new BackpakError("io", `Can't read ${path} (${why}) to compare it`);
      },
      storeTree: async (tree) => {
        const encoded = encodeTree(tree);
        const id = hashId<"blob">(encoded);
        if (keep(id)) made.set(id, encoded);
        return id;
      },
    }, newWalkProgress());
    return [root, made];
  } catch (err) {
    pipeline.abandon();
    throw err;
  } finally {
    pool.close();
  }
}
