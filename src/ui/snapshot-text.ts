/** A snapshot as `snapshots` lists it: ID and tags, author, date, paths. */
import type { SnapshotId } from "../format/id.ts";
import type { Snapshot } from "../format/snapshot.ts";
import { humanDate } from "../format/time.ts";

export function snapshotLines(id: SnapshotId, s: Snapshot): string[] {
  const lines = [`snapshot ${id}${s.tags.length > 0 ? ` (${s.tags.join(" ")})` : ""}`, `Author: ${s.author}`, `Date:   ${humanDate(s.time, s.tz)}`];
  if (s.paths.length > 0) lines.push("");
  for (const p of s.paths) lines.push(`  - ${p}`);
  lines.push("");
  return lines;
}
