/**
 * Prints tree differences with backpak's codes: `+` added, `-` removed, `C` contents, and with
 * -m a metadata letter. `snapshots --stat` indents the codes by a space and may pad lines to
 * append per-file sizes, so each line is handed over with the path it is about and the node now
 * there (in the new tree; none for a removal).
 */
import type { Node } from "../format/tree.ts";
import type { CompareCallbacks } from "../ops/compare.ts";
import type { Forest } from "../repo/tree-cache.ts";
import { walkNode } from "../repo/tree-walk.ts";
import { metadataLetter, nodeLine } from "./tree-lines.ts";

export class DiffPrinter implements CompareCallbacks {
  constructor(
    readonly print: (line: string, path: string, now: Node | undefined) => void,
    /** Print metadata changes (-m); otherwise they are silent. */
    readonly metadata: boolean,
    /** Put a space before each code (`snapshots --stat`). */
    readonly indent = false,
  ) {}

  /** Prints a line for `node`; `now` is the node at `path` in the new tree, if there is one. */
  #emit(code: string, path: string, node: Node, now: Node | undefined): void {
    this.print(nodeLine(this.indent ? ` ${code} ` : `${code} `, path, node), path, now);
  }

  async added(path: string, node: Node, forest: Forest): Promise<void> {
    for (const [p, n] of walkNode(path, node, forest)) this.#emit("+", p, n, n);
  }

  async removed(path: string, node: Node, forest: Forest): Promise<void> {
    for (const [p, n] of walkNode(path, node, forest)) this.#emit("-", p, n, undefined);
  }

  async contentsChanged(path: string, oldNode: Node, newNode: Node): Promise<void> {
    if (oldNode.contents.kind === "symlink") {
      this.#emit("-", path, oldNode, undefined);
      this.#emit("+", path, newNode, newNode);
    } else {
      this.#emit("C", path, oldNode, newNode);
    }
  }

  async metadataChanged(path: string, oldNode: Node, newNode: Node): Promise<void> {
    if (this.metadata) this.#emit(metadataLetter(oldNode.metadata, newNode.metadata), path, newNode, newNode);
  }
}
