/** `backpak tag (--set TAG... | --add TAG... | --remove TAG...) <SNAPSHOTS>...`: change the tags of snapshots. */
import { tag as runTag, type TagEdit } from "../../ops/tag.ts";
import { stdout } from "../../ui/output.ts";
import { usageError } from "../args.ts";
import { arg, type Command } from "../command.ts";
import { plural } from "../../lib/plural.ts";

export const tag: Command = {
  lock: "shared",
  spec: {
    name: "tag",
    about: "Add, remove or replace the tags of snapshots",
    details: [
      "A snapshot's ID is the hash of its contents, tags included, so each changed snapshot gets a new ID:",
      "the new snapshot file (same tree, time, author and paths) is stored before the old one is removed.",
      "`Snapshot <old> is now <new>` names each one changed. --set '' removes every tag.",
      "",
      "Examples:",
      "  backpak -r /srv/backups tag --add keep LAST",
      "  backpak -r /srv/backups tag --remove daily --add monthly 1a2b3c4d",
    ].join("\n"),
    options: [
      { long: "add", kind: "multi", value: "TAG", help: "Add this tag (repeatable)" },
      { long: "remove", kind: "multi", value: "TAG", help: "Remove this tag (repeatable)" },
      { long: "set", kind: "multi", value: "TAG", help: "Replace all tags with these (repeatable; '' for none)", conflicts: ["add", "remove"] },
    ],
    positionals: [{ name: "SNAPSHOTS", required: true, variadic: true, help: "The snapshots to change (ID prefixes, LAST, latest, LAST~N)" }],
  },
  async run(args, ctx) {
    const set = args.options.set === undefined ? undefined : arg.multi(args, "set").filter((t) => t !== "");
    const edit: TagEdit = { ...(set === undefined ? {} : { set }), add: arg.multi(args, "add"), remove: arg.multi(args, "remove") };
    if (set === undefined && edit.add.length === 0 && edit.remove.length === 0) {
      throw usageError("backpak tag", "Say what to change with --add, --remove or --set");
    }
    const scratchDir = ctx.scratch();
    const changed = await runTag(await ctx.openRepository(), arg.list(args, "SNAPSHOTS"), edit, scratchDir, stdout.line);
    stdout.line(`Changed the tags of ${plural(changed, "snapshot", "snapshots")}`);
  },
};
