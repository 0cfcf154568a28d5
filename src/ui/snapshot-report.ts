/** `snapshots` with --sizes, --file-sizes and --stat: each snapshot's lines, sizes, and its changes from the one before. */
import type { BlobId } from "../format/id.ts";
import type { Snapshot } from "../format/snapshot.ts";
import type { StoredSnapshot, Trees } from "../repo/index.ts";
import { compareTrees } from "../ops/compare.ts";
import { SHALLOW_TREES } from "../ops/shallow-node.ts";
import type { FileSize, ForestSizes } from "../ops/sizes.ts";
import { EMPTY_TREE_ID, type Node } from "../format/tree.ts";
import { niceSize } from "../lib/sizes.ts";
import { DiffPrinter } from "./diff-printer.ts";
import { snapshotLines } from "./snapshot-text.ts";

const segmenter = new Intl.Segmenter();
/** Printable ASCII only: one character is one grapheme. */
const PLAIN = /^[\x20-\x7e]*$/;

/** Width in user-perceived characters (graphemes), as backpak pads; ASCII is measured without segmenting (an object per character). */
export const width = (s: string): number => (PLAIN.test(s) ? s.length : [...segmenter.segment(s)].length);

export function sizesLine(s: ForestSizes): string {
  return `Sizes: ${niceSize(s.treeBytes + s.chunkBytes)} total (${niceSize(s.chunkBytes)} files, ${niceSize(s.treeBytes)} metadata / ${niceSize(s.introduced)} new, ${niceSize(s.reused)} reused)`;
}

/** The snapshot's block: ID and tags, then (with sizes) the Sizes line, author, date, paths. */
export function snapshotBlock(id: StoredSnapshot["id"], s: Snapshot, sizes: ForestSizes | undefined): string[] {
  const lines = snapshotLines(id, s);
  if (sizes) lines.splice(1, 0, sizesLine(sizes));
  return lines;
}

/** The files that brought new data, most first (in walk order where they tie), each made as it is asked for. */
export function* newDataFiles(sizes: ForestSizes): Generator<[string, FileSize]> {
  const files = sizes.newFiles;
  for (const i of files.mostNewFirst()) yield [files.path(i), files.sizeOf(i)];
}

/** Files that brought new data, most first: ` <path><pad> | <new> new, <reused> reused`, then an empty line; made as they are asked for. */
export function* fileSizeLines(sizes: ForestSizes): Generator<string> {
  const files = sizes.newFiles;
  if (files.size === 0) return;
  let pad = 0;
  for (let i = 0; i < files.size; i++) pad = Math.max(pad, width(files.path(i)));
  for (const [p, f] of newDataFiles(sizes)) yield ` ${p}${" ".repeat(pad - width(p))} | ${niceSize(f.introduced)} new, ${niceSize(f.reused)} reused`;
  yield "";
}

/** The changes from `before` (the empty tree for the first snapshot) to `after`, with sizes padded onto file lines when given. */
export async function statLines(before: [BlobId, Trees] | undefined, after: [BlobId, Trees], metadata: boolean, sizes: ForestSizes | undefined): Promise<string[]> {
  const collected: [line: string, path: string, now: Node | undefined][] = [];
  await compareTrees(before ?? [EMPTY_TREE_ID, SHALLOW_TREES], after, "", new DiffPrinter((line, path, now) => collected.push([line, path, now]), metadata, true));
  if (!sizes) return collected.map(([l]) => l);
  // The widest line, in a loop: spread into Math.max's arguments, a million lines overflow the stack.
  let pad = 0;
  for (const [l] of collected) pad = Math.max(pad, width(l));
  return collected.map(([l, p, now]) => {
    const f = now && sizes.fileSize(p, now);
    return f ? `${l}${" ".repeat(pad - width(l))} | ${niceSize(f.introduced)} new, ${niceSize(f.reused)} reused` : l;
  });
}
