/** `snapshots --json`: one `snapshot` message per snapshot, with its sizes when asked for (docs/json.md). */
import type { SnapshotId } from "../format/id.ts";
import type { Snapshot } from "../format/snapshot.ts";
import type { ForestSizes } from "../ops/sizes.ts";
import { snapshotFields } from "./json.ts";
import { newDataFiles } from "./snapshot-report.ts";

function sizesJson(s: ForestSizes, perFile: boolean): object {
  const sizes = { total_bytes: s.treeBytes + s.chunkBytes, file_bytes: s.chunkBytes, metadata_bytes: s.treeBytes, new_bytes: s.introduced, reused_bytes: s.reused };
  if (!perFile) return sizes;
  return { ...sizes, files: Array.from(newDataFiles(s), ([path, f]) => ({ path, new_bytes: f.introduced, reused_bytes: f.reused })) };
}

export function snapshotMessage(id: SnapshotId, s: Snapshot, sizes: ForestSizes | undefined, perFile: boolean): object {
  return { ...snapshotFields(id, s), ...(sizes ? { sizes: sizesJson(sizes, perFile) } : {}) };
}
