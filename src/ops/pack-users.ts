/** Finds the files of a snapshot that need some of the given packs (to name what a missing or damaged pack breaks). */
import type { BlobId, PackId } from "../format/id.ts";
import type { Node, Tree } from "../format/tree.ts";
import type { BlobLocation } from "../repo/master-index.ts";
import type { Forest } from "../repo/tree-cache.ts";
import { foldTrees } from "../repo/tree-fold.ts";
import { walkTree } from "../repo/tree-walk.ts";

/** A file (its path as `ls` shows it) and the first of the packs it needs. */
export interface PackUser {
  readonly path: string;
  readonly pack: PackId;
}

export class PackUsers {
  /** Tree → whether anything under it needs one of the packs; trees recur across snapshots, so this is kept. */
  readonly #affected = new Map<BlobId, boolean>();

  constructor(
    readonly blobs: ReadonlyMap<BlobId, BlobLocation>,
    readonly packs: ReadonlySet<PackId>,
  ) {}

  /** Every file under `root` that needs one of the packs, in path order, as the walk finds them. */
  *files(forest: Forest, root: BlobId): Generator<PackUser> {
    if (this.packs.size === 0 || !this.#needs(forest, root)) return;
    const skip = (node: Node): boolean => node.contents.kind === "dir" && !this.#needs(forest, node.contents.tree);
    for (const [path, node] of walkTree("", forest, root, { skip })) {
      if (node.contents.kind !== "file") continue;
      const pack = this.#packOf(node.contents.chunks);
      if (pack !== undefined) yield { path, pack };
    }
  }

  #needs(forest: Forest, id: BlobId): boolean {
    const needs = (tree: Tree, sub: (id: BlobId) => boolean): boolean =>
      [...tree.values()].some((n) => (n.contents.kind === "file" ? this.#packOf(n.contents.chunks) !== undefined : n.contents.kind === "dir" && sub(n.contents.tree)));
    return foldTrees(id, forest, needs, this.#affected);
  }

  #packOf(chunks: readonly BlobId[]): PackId | undefined {
    for (const c of chunks) {
      const pack = this.blobs.get(c)?.pack;
      if (pack !== undefined && this.packs.has(pack)) return pack;
    }
    return undefined;
  }
}
