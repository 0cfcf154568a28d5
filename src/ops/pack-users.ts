/** Finds the files of a snapshot that need chunks which can't be read (to name what a missing or damaged pack, or a lost index entry, breaks). */
import type { BlobId } from "../format/id.ts";
import { compareUtf8 } from "../lib/order.ts";
import { forestTree, type Forest } from "../repo/tree-cache.ts";

/** A file (its path as `ls` shows it) and why it can't be restored: what the first unreadable chunk it needs is, e.g. "broken pack <id>". */
export interface PackUser {
  readonly path: string;
  readonly needs: string;
}

export class PackUsers {
  /** Tree → whether anything under it needs an unreadable chunk; trees recur across snapshots, so this is kept. */
  readonly #affected = new Map<BlobId, boolean>();

  /** `lost` says why a chunk can't be read, or undefined when it can. */
  constructor(readonly lost: (chunk: BlobId) => string | undefined) {}

  /** Every file under `root` that needs an unreadable chunk, in path order. */
  files(forest: Forest, root: BlobId): PackUser[] {
    const out: PackUser[] = [];
    this.#walk(forest, root, "", out);
    return out;
  }

  #walk(forest: Forest, id: BlobId, dir: string, out: PackUser[]): void {
    if (!this.#needs(forest, id)) return;
    const tree = forestTree(forest, id);
    for (const name of [...tree.keys()].sort(compareUtf8)) {
      const c = tree.get(name)!.contents;
      const p = dir === "" ? name : `${dir}/${name}`;
      if (c.kind === "file") {
        const needs = this.#lostOf(c.chunks);
        if (needs !== undefined) out.push({ path: p, needs });
      } else if (c.kind === "dir") this.#walk(forest, c.tree, p, out);
    }
  }

  #needs(forest: Forest, id: BlobId): boolean {
    let known = this.#affected.get(id);
    if (known === undefined) {
      known = [...forestTree(forest, id).values()].some((n) =>
        n.contents.kind === "file" ? this.#lostOf(n.contents.chunks) !== undefined : n.contents.kind === "dir" && this.#needs(forest, n.contents.tree),
      );
      this.#affected.set(id, known);
    }
    return known;
  }

  #lostOf(chunks: readonly BlobId[]): string | undefined {
    for (const c of chunks) {
      const why = this.lost(c);
      if (why !== undefined) return why;
    }
    return undefined;
  }
}
