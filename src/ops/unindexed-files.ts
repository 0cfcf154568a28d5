/**
 * Drops from a parent snapshot's trees the files whose chunks aren't all indexed (their pack was
 * lost, and rebuild-index left it out), so that backup reads them again instead of recording
 * chunks the repository no longer has.
 */
import type { BlobId } from "../format/id.ts";
import type { Tree } from "../format/tree.ts";
import { log } from "../lib/log.ts";
import type { Forest } from "../repo/tree-cache.ts";

export function withoutUnindexedFiles(forest: Forest, indexed: { has(id: BlobId): boolean }): Forest {
  let dropped = 0;
  const out = new Map<BlobId, Tree>();
  for (const [id, tree] of forest) {
    const lost = [...tree].filter(([, n]) => n.contents.kind === "file" && n.contents.chunks.some((c) => !indexed.has(c)));
    if (lost.length === 0) {
      out.set(id, tree);
      continue;
    }
    const kept = new Map(tree);
    for (const [name] of lost) kept.delete(name);
    out.set(id, kept);
    dropped += lost.length;
  }
  if (dropped > 0) log.warn(`${dropped} files of the parent snapshot need chunks no index lists; reading them again`);
  return out;
}
