/** `backpak filter-snapshot [-n] [-k] [-a NAME] [-t TAG]... -s REGEX... <SNAPSHOT>`: a copy of a snapshot without the skipped paths. */
import os from "node:os";
import { shortId } from "../../format/id.ts";
import { usageError } from "../args.ts";
import { filterSnapshot as runFilter } from "../../ops/filter-snapshot.ts";
import { mergeSkips } from "../../fs/skips.ts";
import { stdout } from "../../ui/output.ts";
import { arg, type Command } from "../command.ts";

export const filterSnapshot: Command = {
  lock: "shared",
  spec: {
    name: "filter-snapshot",
    about: "Copy a snapshot, filtering out given paths",
    options: [
      { long: "dry-run", short: "n", kind: "flag", help: "Build everything, store nothing" },
      { long: "keep-metadata", short: "k", kind: "flag", help: "Preserve snapshot author, time, and tags from the target" },
      { long: "author", short: "a", kind: "value", value: "name", help: "The author of the snapshot (otherwise the hostname is used)" },
      { long: "tag", short: "t", kind: "multi", value: "tag", help: "Add a metadata tag to the snapshot (can be specified multiple times)" },
      { long: "skip", short: "s", kind: "multi", value: "regex", help: "Skip anything whose absolute path matches the given regular expression (required)" },
    ],
    positionals: [{ name: "SNAPSHOT", required: true, help: "The snapshot to filter" }],
  },
  async run(args, ctx) {
    const keep = arg.flag(args, "keep-metadata");
    const author = arg.value(args, "author");
    const tags = arg.multi(args, "tag");
    if (keep && (author !== undefined || tags.length > 0)) {
      throw usageError("backpak filter-snapshot", "Give either --keep-metadata or new metadata with --author, --tags");
    }
    const skips = arg.multi(args, "skip");
    if (skips.length === 0) throw usageError("backpak filter-snapshot", "filter-snapshot needs at least one --skip <regex>");
    const scratchDir = ctx.scratch();
    const id = await runFilter(await ctx.openRepository(), {
      snapshot: arg.pos(args, "SNAPSHOT"),
      skips: mergeSkips(ctx.config.skips, skips),
      keepMetadata: keep,
      author: author ?? os.hostname(),
      tags,
      dryRun: arg.flag(args, "dry-run"),
      scratchDir,
    });
    if (id) stdout.line(`\nSnapshot ${shortId(id)} done`);
  },
};
