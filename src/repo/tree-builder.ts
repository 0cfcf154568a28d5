/** Builds trees while walking: one node map per open directory; closing one turns it into a node of its parent. */
import type { BlobId } from "../format/id.ts";
import type { Node, PosixMetadata, Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";

export class TreeBuilder {
  readonly #open: Map<string, Node>[] = [new Map()];

  /** A directory starts: its entries follow until `exit`. */
  enter(): void {
    this.#open.push(new Map());
  }

  add(name: string, node: Node): void {
    const top = this.#open[this.#open.length - 1]!;
    if (top.has(name)) throw new BackpakError("internal", `Duplicate tree entries for ${name}`);
    top.set(name, node);
  }

  /** The directory ends: `store` turns its tree into an ID (returned), which becomes a node named `name` in its parent. */
  async exit(name: string, metadata: PosixMetadata, store: (tree: Tree) => Promise<BlobId>): Promise<BlobId> {
    if (this.#open.length < 2) throw new BackpakError("internal", "exit without enter");
    const tree = await store(this.#open.pop()!);
    this.add(name, { contents: { kind: "dir", tree }, metadata });
    return tree;
  }

  /** The top-level tree (every `enter` matched by an `exit`). */
  async root(store: (tree: Tree) => Promise<BlobId>): Promise<BlobId> {
    if (this.#open.length !== 1) throw new BackpakError("internal", "unclosed directories");
    return store(this.#open[0]!);
  }
}
