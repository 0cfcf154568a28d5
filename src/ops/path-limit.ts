/**
 * Refuses a restore whose deepest path would pass Linux's PATH_MAX (4096 bytes with the NUL), before
 * anything is written: the operating system would refuse to create it, half-way through. The
 * longest path beneath each distinct tree is found once, children first, on an explicit stack.
 */
import type { BlobId } from "../format/id.ts";
import type { Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import type { Forest } from "../repo/tree-cache.ts";
import { foldTrees } from "../repo/tree-fold.ts";

/** The longest path a kernel call accepts, in bytes, without its NUL. */
const PATH_MAX_BYTES = 4095;

/** The longest path beneath a tree: its length in bytes, and its first step (name, and the subtree it enters). */
interface Longest {
  readonly bytes: number;
  readonly name: string | undefined;
  readonly sub: BlobId | undefined;
}

const NOTHING: Longest = { bytes: 0, name: undefined, sub: undefined };

function longestIn(tree: Tree, sub: (id: BlobId) => Longest): Longest {
  let best = NOTHING;
  for (const [name, node] of tree) {
    const below = node.contents.kind === "dir" ? sub(node.contents.tree) : NOTHING;
    const bytes = Buffer.byteLength(name) + (below.bytes > 0 ? 1 + below.bytes : 0);
    if (bytes > best.bytes) best = { bytes, name, sub: node.contents.kind === "dir" ? node.contents.tree : undefined };
  }
  return best;
}

/** Throws, naming the path, when restoring the root entries to their destinations (top-level name → path) would make a path longer than PATH_MAX. */
export function refuseOverlongPaths(destinations: ReadonlyMap<string, string>, root: Tree, forest: Forest): void {
  const memo = new Map<BlobId, Longest>();
  for (const [name, dest] of destinations) {
    const node = root.get(name);
    if (node?.contents.kind !== "dir") continue;
    const longest = foldTrees(node.contents.tree, forest, longestIn, memo);
    if (Buffer.byteLength(dest) + 1 + longest.bytes <= PATH_MAX_BYTES) continue;
    const parts = [dest];
    for (let step = longest; step.name !== undefined; step = step.sub ? memo.get(step.sub)! : NOTHING) parts.push(step.name);
    const deepest = parts.join("/");
    throw new BackpakError("usage", `Won't restore: the path ${deepest} (${Buffer.byteLength(deepest)} bytes) is longer than PATH_MAX (4096 bytes), the longest path the system accepts`, {
      hint: "nothing was written; a shorter --output directory may be enough",
    });
  }
}
