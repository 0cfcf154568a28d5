/** The warnings `check` and `usage` give for packs no index lists (left by an interrupted run, or by a lost index). */
import type { PackId } from "../format/id.ts";
import { log } from "../lib/log.ts";
import { plural } from "../lib/plural.ts";

/** Warns about each stored pack missing from `indexed`, then once with advice; returns how many there were. */
export function warnUnlistedPacks(stored: Iterable<PackId>, indexed: ReadonlyMap<PackId, unknown> | ReadonlySet<PackId>): number {
  let unlisted = 0;
  for (const id of stored) {
    if (indexed.has(id)) continue;
    log.warn(`Pack ${id} not listed in any index`);
    unlisted++;
  }
  if (unlisted > 0) {
    log.warn(`${plural(unlisted, "pack is", "packs are")} unreachable. If no \`backup\` is running now, \`prune\` deletes them (their blobs are packed again when needed), or \`rebuild-index\` lists them if an index was lost.`);
  }
  return unlisted;
}
