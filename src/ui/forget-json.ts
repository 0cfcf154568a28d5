/** forget's `--json` messages: a `verdict` per snapshot (kept or removed, and why), then a `summary` (docs/json.md). */
import type { SnapshotId } from "../format/id.ts";
import type { RetentionGroup } from "../ops/retention.ts";
import { printJson } from "./json-lines.ts";
import { snapshotFields } from "./json.ts";

/** A policy's verdicts, group by group, newest first: the rules that keep each kept snapshot are its reasons. */
export function printPolicyVerdicts(groups: readonly RetentionGroup[]): void {
  for (const g of groups) {
    for (const { snapshot: s, keep, reasons } of g.verdicts) {
      printJson("verdict", { action: keep ? "keep" : "remove", snapshot_id: s.id, reasons, group_paths: g.paths, snapshot: snapshotFields(s.id, s.snapshot) });
    }
  }
}

/** A snapshot forgotten by reference: named on the command line, or a duplicate of an earlier one (DUPLICATES). */
export function printNamedVerdict(id: SnapshotId, duplicateOf: SnapshotId | undefined): void {
  printJson("verdict", { action: "remove", snapshot_id: id, reasons: [duplicateOf === undefined ? "named" : `duplicate of ${duplicateOf}`] });
}

export function printForgetSummary(dryRun: boolean, kept: number, removed: readonly SnapshotId[]): void {
  printJson("summary", { dry_run: dryRun, kept, removed });
}
