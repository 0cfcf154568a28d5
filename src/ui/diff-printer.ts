/** Prints tree differences with backpak's codes: `+` added, `-` removed, `C` contents, and with -m a metadata letter. */
import type { Node } from "../format/tree.ts";
import type { CompareCallbacks } from "../ops/compare.ts";
import type { Forest } from "../repo/tree-cache.ts";
import { metadataLetter, nodeLine, walkNode } from "./tree-lines.ts";

export class DiffPrinter implements CompareCallbacks {
  constructor(
    readonly print: (line: string) => void,
    /** Print metadata changes (-m); otherwise they are silent. */
    readonly metadata: boolean,
  ) {}

  async added(path: string, node: Node, forest: Forest): Promise<void> {
    for (const [p, n] of walkNode(path, node, forest)) this.print(nodeLine("+ ", p, n));
  }

  async removed(path: string, node: Node, forest: Forest): Promise<void> {
    for (const [p, n] of walkNode(path, node, forest)) this.print(nodeLine("- ", p, n));
  }

  async contentsChanged(path: string, oldNode: Node, newNode: Node): Promise<void> {
    if (oldNode.contents.kind === "symlink") {
      this.print(nodeLine("- ", path, oldNode));
      this.print(nodeLine("+ ", path, newNode));
    } else {
      this.print(nodeLine("C ", path, oldNode));
    }
  }

  async metadataChanged(path: string, oldNode: Node, newNode: Node): Promise<void> {
    if (this.metadata) this.print(nodeLine(`${metadataLetter(oldNode.metadata, newNode.metadata)} `, path, newNode));
  }
}
