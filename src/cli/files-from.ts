/** Reads `--files-from` files: one path to back up a line, taken literally; blank lines and lines starting with `#` are skipped. */
import { readListFile } from "./list-file.ts";

export function pathsFromFiles(files: readonly string[]): string[] {
  return files.flatMap((f) =>
    readListFile("--files-from", f)
      .map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line))
      .filter((line) => line.trim() !== "" && !line.startsWith("#")),
  );
}
