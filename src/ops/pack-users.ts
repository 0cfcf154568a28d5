/** Finds the files of a snapshot that need chunks which can't be read (to name what a missing or damaged pack, or a lost index entry, breaks). */
import type { BlobId } from "../format/id.ts";
import type { Node, Tree } from "../format/tree.ts";
import { streamFold, streamTree, type TreeSource } from "../repo/index.ts";

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

  /** Every file under `root` that needs an unreadable chunk, in path order, as the walk finds them. */
  async *files(trees: TreeSource, root: BlobId): AsyncGenerator<PackUser> {
    if (!(await this.#needs(trees, root))) return;
    // The fold above settled every tree beneath the root: only the affected ones are walked.
    const skip = (node: Node): boolean => node.contents.kind === "dir" && !this.#affected.get(node.contents.tree);
    for await (const [path, node] of streamTree("", trees, root, { skip })) {
      if (node.contents.kind !== "file") continue;
      const needs = this.#lostOf(node.contents.chunks);
      if (needs !== undefined) yield { path, needs };
    }
  }

  #needs(trees: TreeSource, id: BlobId): Promise<boolean> {
    const needs = (tree: Tree, sub: (id: BlobId) => boolean): boolean =>
      [...tree.values()].some((n) => (n.contents.kind === "file" ? this.#lostOf(n.contents.chunks) !== undefined : n.contents.kind === "dir" && sub(n.contents.tree)));
    return streamFold(id, trees, needs, this.#affected);
  }

  #lostOf(chunks: readonly BlobId[]): string | undefined {
    for (const c of chunks) {
      const why = this.lost(c);
      if (why !== undefined) return why;
    }
    return undefined;
  }
}
