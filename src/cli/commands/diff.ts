/** `backpak diff [-m] <SNAPSHOT_1> [<SNAPSHOT_2>]`: what changed between two snapshots, or since one. */
import { diff as runDiff } from "../../ops/diff.ts";
import { DiffPrinter } from "../../ui/diff-printer.ts";
import { stdout } from "../../ui/output.ts";
import { JsonChanges } from "../../ui/json-changes.ts";
import { printJson } from "../../ui/json-lines.ts";
import { arg, JSON_OPTION, QUIET_OPTION, type Command } from "../command.ts";
import { wantsJson } from "../report-mode.ts";

export const diff: Command = {
  lock: "read",
  quiet: true,
  spec: {
    name: "diff",
    about: "Compare two snapshots, or compare a snapshot to its paths on the filesystem",
    details:
      "+ added/file/or/dir\n- removed\nC contents changed\nO ownership changed\nP permissions changed\nT modify time changed\nA access time changed\nM other metadata changed\n\nWith --json: a `change` message per path (its code in `modifier`), then `statistics` (docs/json.md).",
    options: [{ long: "metadata", short: "m", kind: "flag", help: "Print metadata changes (times, permissions)" }, QUIET_OPTION, JSON_OPTION],
    positionals: [
      { name: "SNAPSHOT_1", required: true, help: "The older snapshot" },
      { name: "SNAPSHOT_2", help: "The newer snapshot (default: the filesystem now)" },
    ],
  },
  async run(args, ctx) {
    const second = arg.optPos(args, "SNAPSHOT_2");
    const metadata = arg.flag(args, "metadata");
    const json = wantsJson(args) ? new JsonChanges(metadata) : undefined;
    const compared = await runDiff(await ctx.openRepository(), {
      first: arg.pos(args, "SNAPSHOT_1"),
      ...(second !== undefined ? { second } : {}),
      callbacks: json ?? new DiffPrinter(stdout.line, metadata),
    });
    if (json) printJson("statistics", { source_snapshot: compared.first, target_snapshot: compared.second ?? null, ...json.counts });
  },
};
