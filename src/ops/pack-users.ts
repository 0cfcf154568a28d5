/** Finds the files of a snapshot that need some of the given packs (to name what a missing or damaged pack breaks). */
import type { BlobId, PackId } from "../format/id.ts";
import { compareUtf8 } from "../lib/order.ts";
import type { BlobLocation } from "../repo/master-index.ts";
import { forestTree, type Forest } from "../repo/tree-cache.ts";

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

  /** Every file under `root` that needs one of the packs, in path order. */
  files(forest: Forest, root: BlobId): PackUser[] {
    const out: PackUser[] = [];
    if (this.packs.size > 0) this.#walk(forest, root, "", out);
    return out;
  }

  #walk(forest: Forest, id: BlobId, dir: string, out: PackUser[]): void {
    const tree = forestTree(forest, id);
    for (const name of [...tree.keys()].sort(compareUtf8)) {
      const c = tree.get(name)!.contents;
      const p = dir === "" ? name : `${dir}/${name}`;
      if (c.kind === "file") {
        const pack = this.#packOf(c.chunks);
        if (pack !== undefined) out.push({ path: p, pack });
      } else if (c.kind === "dir" && this.#needs(forest, c.tree)) this.#walk(forest, c.tree, p, out);
    }
  }

  #needs(forest: Forest, id: BlobId): boolean {
    let known = this.#affected.get(id);
    if (known === undefined) {
      known = [...forestTree(forest, id).values()].some((n) =>
        n.contents.kind === "file" ? this.#packOf(n.contents.chunks) !== undefined : n.contents.kind === "dir" && this.#needs(forest, n.contents.tree),
      );
      this.#affected.set(id, known);
    }
    return known;
  }

  #packOf(chunks: readonly BlobId[]): PackId | undefined {
    for (const c of chunks) {
      const pack = this.blobs.get(c)?.pack;
      if (pack !== undefined && this.packs.has(pack)) return pack;
    }
    return undefined;
  }
}
