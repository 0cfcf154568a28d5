/** `backpak backup [flags] <PATHS>...`: create a snapshot. */
import fs from "node:fs";
import os from "node:os";
import { shortId } from "../../format/id.ts";
import { DEFAULT_PACK_SIZE } from "../../format/repo-config.ts";
import { BackpakError } from "../../lib/errors.ts";
import { parseUserTime, systemZone } from "../../format/time.ts";
import { log } from "../../lib/log.ts";
import { backup as runBackup, newBackupProgress } from "../../ops/backup.ts";
import { backupStdin } from "../../ops/backup-stdin.ts";
import { mergeSkips } from "../../fs/skips.ts";
import { initFilesystemRepository } from "../../repo/index.ts";
import { stdout } from "../../ui/output.ts";
import { backupLines } from "../../ui/progress-lines.ts";
import { backupSummaryLines } from "../../ui/backup-summary.ts";
import { backupStatus, backupSummary } from "../../ui/backup-json.ts";
import { printJson } from "../../ui/json-lines.ts";
import { UsageError } from "../args.ts";
import { arg, JSON_OPTION, type Command } from "../command.ts";
import { progressDisplay, wantsJson } from "../report-mode.ts";
import { excludeSpec } from "../exclude-args.ts";
import { pathsFromFiles } from "../files-from.ts";
import { stdinInput } from "../stdin-input.ts";
import { plural } from "../../lib/plural.ts";

/** --time: a local date-time in the system's zone, or RFC 3339 (checked while parsing, so a bad one is a usage error). */
function snapshotTime(text: string): bigint {
  try {
    return parseUserTime(text, systemZone());
  } catch (err) {
    throw new BackpakError("usage", (err as Error).message, {
      hint: 'give a local time as "YYYY-MM-DD HH:MM:SS" (e.g. "2012-11-01 22:08:41") or RFC 3339 (e.g. "2012-11-01T22:08:41+01:00")',
    });
  }
}

/** The exit status of a backup that stored its snapshot but left out files it couldn't read. */
const LEFT_OUT_EXIT = 3;

export const backup: Command = {
  lock: "shared",
  interrupted: "run it again and it resumes where it stopped",
  spec: {
    name: "backup",
    about: "Create a snapshot of the given files and directories.",
    details: [
      "Each path becomes a top-level entry named by its last component, so two paths with the same",
      "name can't be backed up together. Unchanged files (same size and modification time as in the",
      "newest snapshot of the same paths) are not read again. A missing path stops the backup. Entries",
      "that can't be read (permission denied, vanished, a name that isn't UTF-8) stop it too, all of",
      "them listed, before anything is written; with --skip-unreadable the rest is stored, each left-out",
      "entry is named on stderr, and the exit status is 3. An interrupted backup resumes when run again.",
      "",
      "With --json, stdout carries `status` messages (at most one a second) and then one `summary`",
      "with the counts of files and directories, the bytes read and added, and the snapshot's ID",
      "(docs/json.md).",
      "",
      "Exit status: 0 done, 1 error, 2 usage error, 3 snapshot stored without some entries (unreadable",
      "ones with --skip-unreadable, or files that changed while being read and couldn't be read again),",
      "10 no repository, 11 repository locked,",
      "128+N killed by signal N.",
      "",
      "Examples:",
      "  backpak -r /srv/backups backup /home /etc",
      "  backpak -r /srv/backups backup --tag nightly --skip /node_modules/ ~/src",
      "  backpak -r /srv/backups backup --stdin mydb.sql   (after a pipe: pg_dump mydb | backpak …)",
      "  backpak -r /srv/backups backup --skip-unreadable /home   (stores the rest, exit status 3)",
    ].join("\n"),
    options: [
      { long: "dereference", short: "L", kind: "flag", help: "Dereference symbolic links instead of just saving their target.", conflicts: ["no-dereference"] },
      { long: "no-dereference", short: "P", kind: "flag", help: "Do not dereference symbolic links, just save their targets. (default)" },
      { long: "allow-empty", kind: "flag", help: "Allow empty snapshots." },
      { long: "allow-repeat", kind: "flag", help: "Allow a snapshot to match the previous one." },
      { long: "author", short: "a", kind: "value", value: "name", help: "The author of the snapshot (otherwise the hostname is used)" },
      { long: "tag", short: "t", kind: "multi", value: "tag", help: "Add a metadata tag to the snapshot (can be specified multiple times)" },
      { long: "skip", short: "s", kind: "multi", value: "regex", help: "Skip anything whose absolute path matches the given regular expression" },
      { long: "exclude", kind: "multi", value: "GLOB", help: "Leave out what matches this gitignore-style pattern (a leading / anchors it at the filesystem root; otherwise it matches at any depth)" },
      { long: "iexclude", kind: "multi", value: "GLOB", help: "Like --exclude, ignoring case" },
      { long: "exclude-file", kind: "multi", value: "FILE", path: true, help: "Read --exclude patterns from FILE, one a line (gitignore syntax)" },
      { long: "iexclude-file", kind: "multi", value: "FILE", path: true, help: "Read --iexclude patterns from FILE, one a line" },
      { long: "exclude-if-present", kind: "multi", value: "NAME", help: "Leave out every directory that has an entry named NAME (e.g. .nobackup)" },
      { long: "exclude-caches", kind: "flag", help: "Leave out every directory with a valid CACHEDIR.TAG" },
      { long: "one-file-system", short: "x", kind: "flag", help: "Don't descend into directories on another filesystem than the path given (they are kept, empty)" },
      { long: "files-from", kind: "multi", value: "FILE", path: true, help: "Back up the paths listed in FILE too, one a line (# comments and blank lines skipped)" },
      { long: "stdin", kind: "value", value: "NAME", help: "Store standard input as one file named NAME (snapshot path /NAME), e.g. pg_dump db | backpak backup --stdin db.sql" },
      { long: "skip-unreadable", kind: "flag", help: "Store what can be read, warning about each entry that can't (exit status 3), instead of stopping" },
      { long: "dry-run", short: "n", kind: "flag", help: "Do everything but store anything in the repository" },
      { long: "time", kind: "value", value: "TIME", help: 'The snapshot\'s time instead of now, e.g. "2012-11-01 22:08:41" (local) or RFC 3339', validate: snapshotTime },
      { long: "quiet", short: "q", kind: "flag", help: "Print only warnings, errors and the snapshot's ID line (no progress or summary), e.g. for cron;\nwith --json, only the summary" },
      JSON_OPTION,
    ],
    positionals: [
      {
        name: "PATHS",
        path: true,
        variadic: true,
        help: "The paths to back up (more can be listed in --files-from files)\n\nThese paths are canonicalized into absolute ones.\nSnapshots can be restored to either the same absolute paths,\nor to a given directory with `restore -o some/dir`",
      },
    ],
  },
  async run(args, ctx) {
    const paths = [...arg.list(args, "PATHS"), ...pathsFromFiles(arg.multi(args, "files-from"))];
    const stdinName = arg.value(args, "stdin");
    const input = stdinName === undefined ? undefined : stdinInput(stdinName, paths);
    if (stdinName === undefined && paths.length === 0) throw new UsageError("usage", "No paths to back up", { hint: "give paths as arguments or with --files-from FILE (For more information, try 'backpak backup --help'.)" });
    const excludes = excludeSpec(args, ctx.config.backup);
    // First, so a scratch directory it can't write stops it before the repository is touched.
    const scratchDir = ctx.scratch();
    const dereference = arg.flag(args, "dereference") ? true : arg.flag(args, "no-dereference") ? false : ctx.config.backup.dereference;
    const openRepo = async () => {
      if (ctx.repositorySource === "default" && !fs.existsSync(ctx.repositoryPath) && !arg.flag(args, "dry-run")) {
        log.info(`Creating the default repository at ${ctx.repositoryPath}`);
        initFilesystemRepository(ctx.repositoryPath, { packSize: DEFAULT_PACK_SIZE, backend: { type: "Filesystem", forceCache: false } });
        return ctx.openRepositoryAt(ctx.repositoryPath);
      }
      return await ctx.openRepository();
    };
    const timeText = arg.value(args, "time");
    const time = timeText === undefined ? undefined : snapshotTime(timeText);
    const json = wantsJson(args);
    const dryRun = arg.flag(args, "dry-run");
    const progress = newBackupProgress();
    const view = progressDisplay(args, (spin, elapsed) => backupLines(progress, ctx.traffic, spin, elapsed), (elapsed) => backupStatus(progress, elapsed));
    if (view) progress.tick = () => view.tick();
    const start = new Date();
    const snapshotOpts = {
      author: arg.value(args, "author") ?? os.hostname(),
      tags: arg.multi(args, "tag"),
      dryRun,
      allowEmpty: arg.flag(args, "allow-empty"),
      allowRepeat: arg.flag(args, "allow-repeat"),
      ...(time !== undefined ? { time } : {}),
      scratchDir,
    };
    const started = input !== undefined ? backupStdin(openRepo, input, { ...snapshotOpts, name: stdinName! }, progress) : runBackup(openRepo, {
      ...snapshotOpts,
      paths,
      dereference,
      skips: mergeSkips(ctx.config.skips, arg.multi(args, "skip")),
      excludes,
      skipUnreadable: ctx.config.backup.skipUnreadable || arg.flag(args, "skip-unreadable"),
      repositoryExists: !(ctx.repositorySource === "default" && !fs.existsSync(ctx.repositoryPath)),
    }, progress);
    const outcome = await started.finally(() => view?.done());
    if (json) printJson("summary", backupSummary(progress, outcome, dryRun, { start, end: new Date() }));
    else {
      if (view) stdout.write(backupSummaryLines(progress, view.elapsed, dryRun).join("\n") + "\n");
      // backpak's spelling, kept as the last line so scripts that look for it keep working.
      if (outcome.kind === "snapshot") stdout.line(`${view ? "\n" : ""}Snaphsot ${shortId(outcome.id)} done`);
    }
    const n = progress.leftOutFiles;
    const skipped = progress.skippedEntries;
    if (n > 0) log.warn(`${plural(n, "file", "files")} changed while being read and couldn't be read again: left out of the snapshot (exit status 3)`);
    if (skipped > 0) log.warn(`${skipped} unreadable ${skipped === 1 ? "entry" : "entries"} left out of the snapshot (exit status 3)`);
    return n + skipped > 0 ? LEFT_OUT_EXIT : undefined;
  },
};
