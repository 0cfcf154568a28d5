/**
 * Prints tree differences with backpak's codes: `+` added, `-` removed, `C` contents, and with
 * -m a metadata letter. `snapshots --stat` indents the codes by a space and may pad lines to
 * append per-file sizes, so each line is handed over with the path it is about.
 */
import type { Node } from "../format/tree.ts";
import type { CompareCallbacks } from "../ops/compare.ts";
import { streamNode, type Trees } from "../repo/tree-walk.ts";
import { metadataLetter, nodeLine } from "./tree-lines.ts";

export class DiffPrinter implements CompareCallbacks {
  constructor(
    readonly print: (line: string, path: string) => void,
    /** Print metadata changes (-m); otherwise they are silent. */
    readonly metadata: boolean,
    /** Put a space before each code (`snapshots --stat`). */
    readonly indent = false,
  ) {}

  #emit(code: string, path: string, node: Node): void {
    this.print(nodeLine(this.indent ? ` ${code} ` : `${code} `, path, node), path);
  }

  async added(path: string, node: Node, trees: Trees): Promise<void> {
    for await (const [p, n] of streamNode(path, node, trees)) this.#emit("+", p, n);
  }

  async removed(path: string, node: Node, trees: Trees): Promise<void> {
    for await (const [p, n] of streamNode(path, node, trees)) this.#emit("-", p, n);
  }

  async contentsChanged(path: string, oldNode: Node, newNode: Node): Promise<void> {
    if (oldNode.contents.kind === "symlink") {
      this.#emit("-", path, oldNode);
      this.#emit("+", path, newNode);
    } else {
      this.#emit("C", path, oldNode);
    }
  }

  async metadataChanged(path: string, oldNode: Node, newNode: Node): Promise<void> {
    if (this.metadata) this.#emit(metadataLetter(oldNode.metadata, newNode.metadata), path, newNode);
  }
}
