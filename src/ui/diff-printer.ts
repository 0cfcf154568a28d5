/**
 * Prints tree differences with backpak's codes: `+` added, `-` removed, `C` contents, and with
 * -m a metadata letter. `snapshots --stat` indents the codes by a space and may pad lines to
 * append per-file sizes, so each line is handed over with the path it is about and the node now
 * there (in the new tree; none for a removal).
 */
import type { Node } from "../format/tree.ts";
import { ChangeReporter } from "./change-reporter.ts";
import { nodeLine } from "./tree-lines.ts";

export class DiffPrinter extends ChangeReporter {
  constructor(
    print: (line: string, path: string, now: Node | undefined) => void,
    /** Print metadata changes (-m); otherwise they are silent. */
    metadata: boolean,
    /** Put a space before each code (`snapshots --stat`). */
    indent = false,
  ) {
    super((code, path, node, now) => print(nodeLine(indent ? ` ${code} ` : `${code} `, path, node), path, now), metadata);
  }
}
