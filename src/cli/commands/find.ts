/** `backpak find [-i] [--json] [-s SNAPSHOT]... [FILTERS] <PATTERN>...`: the entries of snapshots whose paths match, with their size, type and time. */
import { shortId } from "../../format/id.ts";
import { humanDate, timestampString } from "../../format/time.ts";
import { isExcluded, NO_EXCLUDES } from "../../fs/excludes.ts";
import { FindCache } from "../../ops/find-cache.ts";
import { findInSnapshot, type FoundEntry } from "../../ops/find.ts";
import { loadRepository } from "../../ops/open.ts";
import { selectSnapshots, type StoredSnapshot } from "../../repo/index.ts";
import { BufferedLines } from "../../ui/buffered-lines.ts";
import { jsonLine } from "../../ui/json-lines.ts";
import { arg, JSON_OPTION, type Command } from "../command.ts";
import { compileAsUsage } from "../exclude-args.ts";
import { wantsJson } from "../report-mode.ts";
import { FILTER_OPTIONS, snapshotFilter } from "../snapshot-filter-args.ts";

/** What is remembered of trees already searched: about 64 MiB, in lists of at most 4096 entries. */
const CACHE_BUDGET = 64 * 1024 * 1024;
const CACHE_LIST = 4096;

const mtimeText = (e: FoundEntry): string | null => (e.mtime === null ? null : timestampString(e.mtime));

/** `file        1234  2024-05-01T10:00:00Z  /home/me/notes.txt` (size `-` when not recorded). */
const textLine = (e: FoundEntry): string => `${e.type.padEnd(7)} ${String(e.size ?? "-").padStart(12)}  ${mtimeText(e) ?? "-"}  ${e.path}`;

/** The fields of a `match` message (docs/json.md). */
const matchFields = (s: StoredSnapshot, e: FoundEntry): object => ({ snapshot: s.id, path: e.path, type: e.type, size: e.size ?? null, mtime: mtimeText(e) });

export const find: Command = {
  lock: "read",
  quiet: true,
  spec: {
    name: "find",
    about: "Find files and directories in snapshots",
    details: [
      "Patterns are globs as --exclude takes them (gitignore syntax): one without a slash matches a name",
      "at any depth, `*` and `?` stop at `/`, `**` crosses it, a leading `/` anchors at the root, a trailing",
      "`/` matches directories only, and `!PATTERN` leaves out what earlier patterns matched.",
      "Paths are the absolute ones backed up. Every snapshot is searched, oldest first, unless",
      "--snapshot or the filters (--tag, --author/--host, --path) choose some.",
      "",
      "Each snapshot with matches gets a line `Found matching entries in snapshot <id> from <date>`,",
      "then one line per entry: its type, size in bytes, modification time and path. With --json, one",
      'object per entry: {"message_type":"match","snapshot":ID,"path":…,"type":…,"size":…,"mtime":…}.',
      "",
      "Examples:",
      "  backpak -r /srv/backups find '*.pdf'",
      "  backpak -r /srv/backups find -s LAST -s LAST~1 '/home/*/notes/**'",
    ].join("\n"),
    options: [
      { long: "snapshot", short: "s", kind: "multi", value: "SNAPSHOT", help: "Search only this snapshot (repeatable; ID prefix, LAST, latest, LAST~N)" },
      { long: "ignore-case", short: "i", kind: "flag", help: "Match patterns without regard to case" },
      JSON_OPTION,
      ...FILTER_OPTIONS,
    ],
    positionals: [{ name: "PATTERN", required: true, variadic: true, help: "Globs the paths must match (at least one of them)" }],
  },
  async run(args, ctx) {
    const ignoreCase = arg.flag(args, "ignore-case");
    const rules = compileAsUsage({ ...NO_EXCLUDES, patterns: arg.list(args, "PATTERN").map((pattern) => ({ pattern, ignoreCase, source: "find's <PATTERN>" })) });
    const json = wantsJson(args);
    const loaded = await loadRepository(await ctx.openRepository());
    const cache = new FindCache(CACHE_BUDGET, CACHE_LIST);
    const out = new BufferedLines();
    let printed = false;
    for (const s of selectSnapshots(loaded.snapshots, arg.multi(args, "snapshot"), snapshotFilter(args))) {
      let first = true;
      await findInSnapshot(s, loaded.trees, (path, name, isDir) => isExcluded(rules, path, name, isDir), cache, (e) => {
        if (json) return out.line(jsonLine("match", matchFields(s, e)));
        if (first && printed) out.line("");
        if (first) out.line(`Found matching entries in snapshot ${shortId(s.id)} from ${humanDate(s.snapshot.time, s.snapshot.tz)}`);
        first = false;
        printed = true;
        out.line(textLine(e));
      });
    }
    out.flush();
  },
};
