/**
 * `restore --delete` in a partial restore: of what is on disk but not in the snapshot, only what
 * the patterns select is deleted. Files and symlinks go one by one; a directory goes when it is
 * selected itself and nothing is left in it (so a file an exclude protects keeps its directory).
 * The destination's scan already left out what can't be selected; this decides the rest.
 */
import fs from "node:fs";
import path from "node:path";
import type { Node } from "../format/tree.ts";
import { removeNode } from "../fs/apply.ts";
import { reach } from "../fs/long-path.ts";
import type { RestoreFilter, Within } from "../fs/restore-filter.ts";
import { BackpakError } from "../lib/errors.ts";
import { streamNode, type Trees } from "../repo/index.ts";
import type { CompareCallbacks } from "./compare.ts";
import { shallow, SHALLOW_TREES } from "./shallow-node.ts";

export interface SelectedRemoval {
  readonly filter: RestoreFilter;
  /** A path in the snapshot ("top/a/b") → where it is on disk. */
  readonly dest: (p: string) => string;
  /** A path in the snapshot → the absolute path it was backed up from. */
  readonly abs: (p: string) => string;
  readonly dryRun: boolean;
  readonly report: CompareCallbacks;
}

/** Deletes what `r.filter` selects of `node` (on disk at snapshot path `p`, its trees in `trees`), reporting each deletion first. */
export async function removeSelected(p: string, node: Node, trees: Trees, r: SelectedRemoval): Promise<void> {
  /** Directories on the current branch: where their entries lie, whether they are selected, which of their names were deleted. */
  const dirs: { readonly within: Within; readonly selected: boolean; readonly gone: Set<string> }[] = [];
  const start = r.filter.withinAbove(r.abs(p));
  for await (const [q, n, exit] of streamNode(p, node, trees, { exits: true })) {
    const dest = r.dest(q);
    const isDir = n.contents.kind === "dir";
    if (exit) {
      const dir = dirs.pop()!;
      if (dir.selected && leftIn(dest, dir.gone).length === 0) await gone(q, dest, shallow(n), SHALLOW_TREES, true);
      continue;
    }
    const parent = dirs[dirs.length - 1];
    const d = r.filter.entry(parent ? parent.within : start, r.abs(q), path.basename(q), isDir);
    if (isDir) dirs.push({ within: d.within, selected: d.selected, gone: new Set() });
    else if (d.selected) await gone(q, dest, n, trees, false);
  }

  async function gone(q: string, dest: string, n: Node, f: Trees, isDir: boolean): Promise<void> {
    await r.report.removed(dest, n, f);
    if (!r.dryRun) {
      if (isDir) rmdir(dest);
      else removeNode(dest, false);
    }
    dirs[dirs.length - 1]?.gone.add(path.basename(q));
  }
}

/** The names in directory `dest` that aren't among `gone` (a dry run deletes nothing, so those are still there). */
function leftIn(dest: string, gone: ReadonlySet<string>): string[] {
  try {
    return fs.readdirSync(reach(dest)).filter((name) => !gone.has(name));
  } catch (err) {
    throw new BackpakError("io", `Couldn't list ${dest}`, { cause: err });
  }
}

function rmdir(dest: string): void {
  try {
    fs.rmdirSync(reach(dest));
  } catch (err) {
    throw new BackpakError("io", `Couldn't remove ${dest}`, { cause: err });
  }
}
