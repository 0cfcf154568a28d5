/** `backpak restore [flags] <SNAPSHOT>`: make the disk match a snapshot. */
import { newWriteProgress } from "../../ops/file-writer.ts";
import { restore as runRestore } from "../../ops/restore.ts";
import { restoreLines } from "../../ui/progress-lines.ts";
import { DiffPrinter } from "../../ui/diff-printer.ts";
import { JsonChanges } from "../../ui/json-changes.ts";
import { printJson } from "../../ui/json-lines.ts";
import { stdout } from "../../ui/output.ts";
import { restoreStatus, restoreSummary } from "../../ui/restore-json.ts";
import { arg, JSON_OPTION, type Command } from "../command.ts";
import { progressDisplay, wantsJson } from "../report-mode.ts";

export const restore: Command = {
  lock: "read",
  interrupted: "the files the restore hadn't finished were removed, and running it again finishes it",
  spec: {
    name: "restore",
    about: "Restore the given snapshot to the filesystem",
    details:
      "Prints changes made (unless --quiet) using the same codes as the `diff` command\n(with --json, as `change` messages, then a `summary`; see docs/json.md):\n+ added/file/or/dir\n- removed\nC contents changed\nO ownership changed\nP permissions changed\nT modify time changed\nA access time changed\nM other metadata changed\n\nType changes (e.g. dir -> file, or file -> symlink)\nare modeled as removing one and adding the other." +
      "\n\nOwnership is never changed. What can't be restored (a file whose pack is missing or damaged)\nis named and left as it was, everything else is restored, and then restore fails." +
      "\n\nExamples:\n  backpak -r /srv/backups restore LAST                      (back where it was backed up from)\n  backpak -r /srv/backups restore -o /tmp/old -t -p LAST~2  (into /tmp/old, with times and permissions)",
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
      JSON_OPTION,
    ],
    positionals: [{ name: "SNAPSHOT", required: true, help: "The snapshot: an ID prefix, LAST or LAST~N" }],
  },
  async run(args, ctx) {
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
      snapshot: arg.pos(args, "SNAPSHOT"),
      ...(output !== undefined ? { output } : {}),
      dryRun,
      delete: arg.flag(args, "delete"),
      times: arg.flag(args, "times"),
      permissions: arg.flag(args, "permissions"),
      report: json ?? new DiffPrinter(quiet ? () => {} : stdout.line, metadata),
    }, progress).finally(() => view?.done());
    if (json) printJson("summary", restoreSummary(id, progress, json.counts, dryRun, (performance.now() - started) / 1000));
  },
};
