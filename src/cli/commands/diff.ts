/** `backpak diff [-m] <SNAPSHOT_1> [<SNAPSHOT_2>]`: what changed between two snapshots, or since one. */
import { diff as runDiff } from "../../ops/diff.ts";
import { DiffPrinter } from "../../ui/diff-printer.ts";
import { stdout } from "../../ui/output.ts";
import { arg, type Command } from "../command.ts";

export const diff: Command = {
  lock: "read",
  quiet: true,
  spec: {
    name: "diff",
    about: "Compare two snapshots, or compare a snapshot to its paths on the filesystem",
    details:
      "+ added/file/or/dir\n- removed\nC contents changed\nO ownership changed\nP permissions changed\nT modify time changed\nA access time changed\nM other metadata changed",
    options: [{ long: "metadata", short: "m", kind: "flag", help: "Print metadata changes (times, permissions)" }],
    positionals: [
      { name: "SNAPSHOT_1", required: true, help: "The older snapshot" },
      { name: "SNAPSHOT_2", help: "The newer snapshot (default: the filesystem now)" },
    ],
  },
  async run(args, ctx) {
    const second = arg.optPos(args, "SNAPSHOT_2");
    await runDiff(await ctx.openRepository(), {
      first: arg.pos(args, "SNAPSHOT_1"),
      ...(second !== undefined ? { second } : {}),
      callbacks: new DiffPrinter(stdout.line, arg.flag(args, "metadata")),
    });
  },
};
