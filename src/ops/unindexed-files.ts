/**
 * Drops from a parent snapshot's trees, one tree at a time as backup's walk reaches them, the
 * files whose chunks aren't all indexed (their pack was lost, and rebuild-index left it out), so
 * that backup reads them again instead of recording chunks the repository no longer has.
 */
import type { BlobId } from "../format/id.ts";
import type { Tree } from "../format/tree.ts";
import { log } from "../lib/log.ts";

export class IndexedFilesOnly {
  /** Trees whose dropped files were counted (a tree met again under another path is counted once). */
  readonly #counted = new Set<BlobId>();
  #dropped = 0;

  constructor(readonly indexed: { has(id: BlobId): boolean }) {}

  /** The tree `id` without its files that need unindexed chunks. */
  tree(id: BlobId, tree: Tree): Tree {
    const lost = [...tree].filter(([, n]) => n.contents.kind === "file" && n.contents.chunks.some((c) => !this.indexed.has(c)));
    if (lost.length === 0) return tree;
    if (!this.#counted.has(id)) {
      this.#counted.add(id);
      this.#dropped += lost.length;
    }
    const kept = new Map(tree);
    for (const [name] of lost) kept.delete(name);
    return kept;
  }

  /** Warns once about every file dropped so far. */
  report(): void {
    if (this.#dropped > 0) log.warn(`${this.#dropped} files of the parent snapshot need chunks no index lists; reading them again`);
  }
}
