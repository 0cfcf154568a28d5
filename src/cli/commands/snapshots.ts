/** `backpak snapshots [-r] [--stat] [-m] [-s] [-f] [FILTERS] [<SNAPSHOTS>...]`: list snapshots, oldest first, with sizes and changes on request. */
import type { SnapshotId } from "../../format/id.ts";
import { loadRepository } from "../../ops/open.ts";
import { forestSizes, type ForestSizes } from "../../ops/sizes.ts";
import { EventGcSchedule } from "../../pipeline/gc-schedule.ts";
import { BlobMarks, loadSnapshots, selectSnapshots } from "../../repo/index.ts";
import { stdout } from "../../ui/output.ts";
import { fileSizeLines, snapshotBlock, statLines } from "../../ui/snapshot-report.ts";
import { printJson } from "../../ui/json-lines.ts";
import { snapshotMessage } from "../../ui/snapshot-json.ts";
import { arg, JSON_OPTION, QUIET_OPTION, type Command } from "../command.ts";
import { wantsJson } from "../report-mode.ts";
import { FILTER_OPTIONS, snapshotFilter } from "../snapshot-filter-args.ts";

/**
 * Lines written to stdout a batch at a time, so a million of them are never one string; their
 * garbage is collected as they go (left to the runtime, a million lines grew the peak RSS by 190 MB).
 */
const LINES_PER_WRITE = 4096;

function writeLines(lines: Iterable<string>): void {
  const gc = new EventGcSchedule();
  let batch: string[] = [];
  const flush = (): void => {
    if (batch.length > 0) stdout.write(batch.join("\n") + "\n");
    batch = [];
  };
  for (const line of lines) {
    gc.tick();
    if (batch.push(line) === LINES_PER_WRITE) flush();
  }
  flush();
}

export const snapshots: Command = {
  lock: "read",
  spec: {
    name: "snapshots",
    about: "List snapshots",
    options: [
      { long: "reverse", short: "r", kind: "flag", help: "Newest first" },
      { long: "stat", kind: "flag", help: "Show what changed since the snapshot before", conflicts: ["json"] },
      { long: "metadata", short: "m", kind: "flag", help: "With --stat, show metadata changes too" },
      { long: "sizes", short: "s", kind: "flag", help: "Show how much data each snapshot holds, and how much of it is new" },
      { long: "file-sizes", short: "f", kind: "flag", help: "Show the files that brought new data (implies --sizes)" },
      ...FILTER_OPTIONS,
      QUIET_OPTION,
      JSON_OPTION,
    ],
    positionals: [{ name: "SNAPSHOTS", variadic: true, help: "Only these snapshots (ID prefixes, LAST, latest, LAST~N); default: all (that the filters select)" }],
  },
  async run(args, ctx) {
    const fileSizes = arg.flag(args, "file-sizes");
    const sizes = fileSizes || arg.flag(args, "sizes");
    const stat = arg.flag(args, "stat");
    const json = wantsJson(args);
    const repo = await ctx.openRepository();
    // A plain listing needs only the snapshots; sizes and changes need the index and trees.
    const loaded = sizes || stat ? await loadRepository(repo) : undefined;
    const list = loaded?.snapshots ?? (await loadSnapshots(repo.backend));
    const all = list.chronological;
    const refs = arg.list(args, "SNAPSHOTS");
    const chosen = new Set<SnapshotId>(selectSnapshots(list, refs, snapshotFilter(args)).map((s) => s.id));
    // Sizes need every snapshot, oldest first (a blob is new where it first appears). Trees are
    // read through the bounded cache as each walk reaches them, never held a snapshot at a time.
    const sized = new Map<number, ForestSizes>();
    if (sizes && loaded) {
      const seen = new BlobMarks(loaded.index.blobs);
      // Files with new data are listed only for the snapshots shown.
      for (const [i, s] of all.entries()) sized.set(i, await forestSizes(s.snapshot.tree, loaded.trees, loaded.index.blobs, seen, { perFile: fileSizes && chosen.has(s.id) }));
    }
    const order = all.map((_, i) => i);
    if (arg.flag(args, "reverse")) order.reverse();
    for (const i of order) {
      const s = all[i]!;
      if (!chosen.has(s.id)) continue;
      if (json) {
        printJson("snapshot", snapshotMessage(s.id, s.snapshot, sized.get(i), fileSizes));
        continue;
      }
      // Written block by block, never spread into arguments: a million file lines overflow the stack.
      stdout.write(snapshotBlock(s.id, s.snapshot, sized.get(i)).join("\n") + "\n");
      if (stat && loaded) {
        const before = all[i - 1];
        const lines = await statLines(before && [before.snapshot.tree, loaded.trees], [s.snapshot.tree, loaded.trees], arg.flag(args, "metadata"), fileSizes ? sized.get(i) : undefined);
        lines.push("");
        writeLines(lines);
      } else if (fileSizes) writeLines(fileSizeLines(sized.get(i)!));
    }
  },
};
