/**
 * Before a restore to a snapshot's own paths: a path inside another (`/a` and `/a/b/c`) is written
 * through the directories between them, which may be restored after it (entries go in name order).
 * If one of those is a symlink or a file on disk now, writing there would land wherever it points,
 * so the restore is refused, naming it, before anything is written.
 */
import fs from "node:fs";
import path from "node:path";
import { BackpakError } from "../lib/errors.ts";
import { nestedPaths } from "../repo/index.ts";

/** Throws when, for a path of `paths` inside another, the outer path or a directory between them is on disk as something other than a directory. */
export function refuseNonDirectoriesBetween(paths: readonly string[]): void {
  for (const [outer, inner, parts] of nestedPaths(paths)) {
    const between = [outer];
    for (const name of parts.slice(0, -1)) between.push(path.join(between.at(-1)!, name));
    for (const dir of between) {
      const st = fs.lstatSync(dir, { throwIfNoEntry: false });
      if (st && !st.isDirectory()) {
        throw new BackpakError("conflict", `Won't restore ${inner}: ${dir} is on disk as a ${st.isSymbolicLink() ? "symlink" : "non-directory"}, and the snapshot's ${outer} holds it as a directory`, {
          hint: "nothing was written; move it away, or restore with --output",
        });
      }
    }
  }
}
