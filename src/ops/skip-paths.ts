/**
 * Skip patterns for copy and filter-snapshot, matched like backup's: against absolute paths. A
 * tree-relative path (`src/backend/fs.rs`) becomes absolute through the snapshot path whose last
 * component starts it (`/home/me/src/backend/fs.rs`). (backpak matched tree-relative paths here,
 * so patterns written for backup, and the config's skips, meant different things in copy.)
 */
import path from "node:path";
import { skipMatcher } from "../fs/skips.ts";

/** A predicate over tree-relative paths for a snapshot of `paths`, or undefined without patterns. */
export function treeSkipper(patterns: readonly string[], paths: readonly string[]): ((treePath: string) => boolean) | undefined {
  const matches = skipMatcher(patterns);
  if (!matches) return undefined;
  const parents = new Map(paths.map((p) => [path.basename(p), path.dirname(p)]));
  return (treePath) => {
    const slash = treePath.indexOf("/");
    const top = slash < 0 ? treePath : treePath.slice(0, slash);
    const parent = parents.get(top);
    return matches(parent === undefined ? treePath : path.join(parent, treePath));
  };
}
