/**
 * Turns tree differences into one call per changed path with backpak's code: `+` added, `-`
 * removed, `C` contents, and (when metadata changes are shown) a metadata letter. The text
 * (DiffPrinter) and JSON (JsonChanges) renderings each say how a change is shown.
 */
import type { Node } from "../format/tree.ts";
import type { CompareCallbacks } from "../ops/compare.ts";
import { streamNode, type Trees } from "../repo/index.ts";
import { metadataLetter } from "./tree-lines.ts";

export class ChangeReporter implements CompareCallbacks {
  constructor(
    /** `node` is what the line shows; `now`, the node at `path` in the new tree (none for a removal). */
    readonly emit: (code: string, path: string, node: Node, now: Node | undefined) => void,
    /** Report metadata changes (-m); otherwise they are silent. */
    readonly metadata: boolean,
  ) {}

  async added(path: string, node: Node, trees: Trees): Promise<void> {
    for await (const [p, n] of streamNode(path, node, trees)) this.emit("+", p, n, n);
  }

  addedAlone(path: string, node: Node): void {
    this.emit("+", path, node, node);
  }

  async removed(path: string, node: Node, trees: Trees): Promise<void> {
    for await (const [p, n] of streamNode(path, node, trees)) this.emit("-", p, n, undefined);
  }

  async contentsChanged(path: string, oldNode: Node, newNode: Node): Promise<void> {
    if (oldNode.contents.kind === "symlink") {
      this.emit("-", path, oldNode, undefined);
      this.emit("+", path, newNode, newNode);
    } else {
      this.emit("C", path, oldNode, newNode);
    }
  }

  async metadataChanged(path: string, oldNode: Node, newNode: Node): Promise<void> {
    if (this.metadata) this.emit(metadataLetter(oldNode.metadata, newNode.metadata), path, newNode, newNode);
  }
}
