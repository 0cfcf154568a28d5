/** `backpak snapshots [-r] [<SNAPSHOTS>...]`: list snapshots, oldest first. */
import { findSnapshots, loadSnapshotsChronologically } from "../../repo/snapshots.ts";
import { stdout } from "../../ui/output.ts";
import { snapshotLines } from "../../ui/snapshot-text.ts";
import { arg, type Command } from "../command.ts";

export const snapshots: Command = {
  spec: {
    name: "snapshots",
    about: "List snapshots",
    options: [{ long: "reverse", short: "r", kind: "flag", help: "Newest first" }],
    positionals: [{ name: "SNAPSHOTS", variadic: true, help: "Only these snapshots (ID prefixes, LAST, LAST~N); default: all" }],
  },
  async run(args, ctx) {
    const all = await loadSnapshotsChronologically(ctx.openRepository().backend);
    const refs = arg.list(args, "SNAPSHOTS");
    const chosen = refs.length > 0 ? findSnapshots(all, refs) : [...all];
    if (arg.flag(args, "reverse")) chosen.reverse();
    for (const s of chosen) stdout.write(snapshotLines(s.id, s.snapshot).join("\n") + "\n");
  },
};
