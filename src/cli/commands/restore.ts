/** `backpak restore [flags] <SNAPSHOT>[:PATH]`: make the disk match a snapshot, or the part of it the path and patterns select. */
import { newWriteProgress } from "../../ops/file-writer.ts";
import { restore as runRestore } from "../../ops/restore.ts";
import { SelectionError } from "../../ops/restore-select.ts";
import { restoreLines } from "../../ui/progress-lines.ts";
import { DiffPrinter } from "../../ui/diff-printer.ts";
import { JsonChanges } from "../../ui/json-changes.ts";
import { printJson } from "../../ui/json-lines.ts";
import { stdout } from "../../ui/output.ts";
import { restoreStatus, restoreSummary } from "../../ui/restore-json.ts";
import { UsageError } from "../args.ts";
import { arg, JSON_OPTION, type Command } from "../command.ts";
import { restoreFilter } from "../exclude-args.ts";
import { progressDisplay, wantsJson } from "../report-mode.ts";

export const restore: Command = {
  lock: "read",
  interrupted: "the files the restore hadn't finished were removed, and running it again finishes it",
  spec: {
    name: "restore",
    about: "Restore the given snapshot (or part of it) to the filesystem",
    details:
      "Prints changes made (unless --quiet) using the same codes as the `diff` command\n(with --json, as `change` messages, then a `summary`; see docs/json.md):\n+ added/file/or/dir\n- removed\nC contents changed\nO ownership changed\nP permissions changed\nT modify time changed\nA access time changed\nM other metadata changed\n\nType changes (e.g. dir -> file, or file -> symlink)\nare modeled as removing one and adding the other." +
      "\n\nPart of a snapshot: SNAPSHOT:PATH restores only PATH, a path inside the snapshot as `ls` shows it\n(src/lib) or as it was backed up (/home/me/src/lib); with --output, a directory's contents go into\nOUTPUT, a file goes in as OUTPUT/<name>; without, it goes back where it was backed up from.\n--include/--exclude patterns (gitignore syntax, as backup's --exclude) match the absolute paths\nthat were backed up. An included directory brings everything beneath it, an included file the\ndirectories on its way (with their metadata). Excludes win over includes (restic refuses to take\nboth), and nothing beneath an excluded directory comes back; among the includes, as among the\nexcludes, the last matching pattern decides, so `!pattern` takes back part of an earlier one.\nWith --delete, only what the patterns select is deleted, and a directory only once nothing is left\nin it. A malformed pattern, an include that matches nothing or a PATH that isn't in the snapshot\nis a usage error (exit status 2), and nothing is written." +
      "\n\nOwnership is never changed. What can't be restored (a file whose pack is missing or damaged)\nis named and left as it was, everything else is restored, and then restore fails." +
      "\n\nExamples:\n  backpak -r /srv/backups restore LAST                      (back where it was backed up from)\n  backpak -r /srv/backups restore -o /tmp/old -t -p LAST~2  (into /tmp/old, with times and permissions)\n  backpak -r /srv/backups restore -o /tmp/lib LAST:src/lib  (just src/lib, its contents into /tmp/lib)\n  backpak -r /srv/backups restore -o /tmp/c -i '*.c' -e '/home/me/src/old/' LAST",
    options: [
      {
        long: "output",
        short: "o",
        kind: "value",
        value: "OUTPUT",
        path: true,
        help: "Restore the snapshot to the given directory (created if missing)\ninstead of the absolute path(s) in the snapshot.\nA snapshot of one directory has its contents restored into it;\na snapshot of one file, or of several paths,\ngets each under its name.",
      },
      { long: "dry-run", short: "n", kind: "flag", help: "Print what would change, change nothing" },
      { long: "delete", short: "d", kind: "flag", help: "Delete files not contained in the snapshot" },
      { long: "times", short: "t", kind: "flag", help: "Restore modification and access times" },
      { long: "permissions", short: "p", kind: "flag", help: "Restore file permissions" },
      { long: "quiet", short: "q", kind: "flag", help: "Don't print each change or progress (warnings, errors and the --json summary still show)" },
      { long: "include", short: "i", kind: "multi", value: "GLOB", help: "Restore only what matches this gitignore-style pattern (and what is beneath it)" },
      { long: "iinclude", kind: "multi", value: "GLOB", help: "Like --include, ignoring case" },
      { long: "include-file", kind: "multi", value: "FILE", path: true, help: "Read --include patterns from FILE, one a line" },
      { long: "iinclude-file", kind: "multi", value: "FILE", path: true, help: "Read --iinclude patterns from FILE, one a line" },
      { long: "exclude", short: "e", kind: "multi", value: "GLOB", help: "Don't restore what matches this gitignore-style pattern (wins over --include)" },
      { long: "iexclude", kind: "multi", value: "GLOB", help: "Like --exclude, ignoring case" },
      { long: "exclude-file", kind: "multi", value: "FILE", path: true, help: "Read --exclude patterns from FILE, one a line" },
      { long: "iexclude-file", kind: "multi", value: "FILE", path: true, help: "Read --iexclude patterns from FILE, one a line" },
      JSON_OPTION,
    ],
    positionals: [{ name: "SNAPSHOT", required: true, help: "The snapshot: an ID prefix, LAST (or latest) or LAST~N; SNAPSHOT:PATH restores only PATH" }],
  },
  async run(args, ctx) {
    const [snapshot, subPath] = splitSnapshotPath(arg.pos(args, "SNAPSHOT"));
    const filter = restoreFilter(args);
    const output = arg.value(args, "output") ?? ctx.config.restore.output;
    const progress = newWriteProgress();
    const view = progressDisplay(args, (spin, elapsed) => restoreLines(progress, ctx.traffic, spin, elapsed), (elapsed) => restoreStatus(progress, elapsed));
    if (view) progress.tick = () => view.tick();
    const started = performance.now();
    // Metadata changes are shown when they are restored.
    const metadata = arg.flag(args, "times") || arg.flag(args, "permissions");
    const quiet = arg.flag(args, "quiet");
    const json = wantsJson(args) ? new JsonChanges(metadata, !quiet) : undefined;
    const dryRun = arg.flag(args, "dry-run");
    const id = await runRestore(await ctx.openRepository(), {
      snapshot,
      ...(subPath !== undefined || filter ? { select: { ...(subPath !== undefined ? { subPath } : {}), ...(filter ? { filter } : {}) } } : {}),
      ...(output !== undefined ? { output } : {}),
      dryRun,
      delete: arg.flag(args, "delete"),
      times: arg.flag(args, "times"),
      permissions: arg.flag(args, "permissions"),
      report: json ?? new DiffPrinter(quiet ? () => {} : stdout.line, metadata),
    }, progress)
      .catch((err: unknown) => {
        // Asked for what the snapshot doesn't hold: a mistake on the command line.
        throw err instanceof SelectionError ? new UsageError("usage", err.message, err.hint === undefined ? {} : { hint: err.hint }) : err;
      })
      .finally(() => view?.done());
    if (json) printJson("summary", restoreSummary(id, progress, json.counts, dryRun, (performance.now() - started) / 1000));
  },
};

/** `SNAPSHOT:PATH` → the snapshot and the path (snapshot references never hold a colon). */
function splitSnapshotPath(ref: string): [string, string | undefined] {
  const colon = ref.indexOf(":");
  return colon < 0 ? [ref, undefined] : [ref.slice(0, colon), ref.slice(colon + 1)];
}
