/**
 * Gathers backup's excludes from its flags and the `[backup]` config table: patterns
 * (`--exclude`, `--iexclude`, and the lines of `--exclude-file` / `--iexclude-file` files),
 * marker files, caches and `--one-file-system`; and restore's `--include`/`--exclude` patterns
 * (with their `i` and `-file` variants). Every file is read and every pattern compiled here, so a
 * missing file or a malformed glob is a usage error (exit 2) before anything is written.
 */
import type { BackupDefaults } from "../format/user-config.ts";
import { compileExcludes, type DirRules, type ExcludePattern, type ExcludeSpec } from "../fs/excludes.ts";
import { RestoreFilter } from "../fs/restore-filter.ts";
import { BackpakError } from "../lib/errors.ts";
import { UsageError, type Parsed } from "./args.ts";
import { arg } from "./command.ts";
import { readListFile } from "./list-file.ts";

/** The patterns of one exclude file (gitignore syntax), each named by its file and line. */
function filePatterns(flag: string, file: string, ignoreCase: boolean): ExcludePattern[] {
  const out: ExcludePattern[] = [];
  for (const [i, line] of readListFile(flag, file).entries()) {
    if (line === "" || line.startsWith("#")) continue;
    out.push({ pattern: line, ignoreCase, source: `${flag} ${file}, line ${i + 1}` });
  }
  return out;
}

/** Runs `compile`, turning the error of a malformed pattern into a usage error (exit status 2). */
function compiling<T>(compile: () => T): T {
  try {
    return compile();
  } catch (err) {
    if (!(err instanceof BackpakError) || err.kind !== "usage") throw err;
    throw new UsageError("usage", err.message, err.hint === undefined ? {} : { hint: err.hint });
  }
}

/** The patterns of `--<kind>`, `--i<kind>`, `--<kind>-file` and `--i<kind>-file`, in that order. */
function patternArgs(args: Parsed, kind: "include" | "exclude"): ExcludePattern[] {
  return [
    ...arg.multi(args, kind).map((pattern) => ({ pattern, ignoreCase: false, source: `--${kind}` })),
    ...arg.multi(args, `i${kind}`).map((pattern) => ({ pattern, ignoreCase: true, source: `--i${kind}` })),
    ...arg.multi(args, `${kind}-file`).flatMap((f) => filePatterns(`--${kind}-file`, f, false)),
    ...arg.multi(args, `i${kind}-file`).flatMap((f) => filePatterns(`--i${kind}-file`, f, true)),
  ];
}

/** What restore's `--include`/`--exclude` flags select, or undefined when none is given. */
export function restoreFilter(args: Parsed): RestoreFilter | undefined {
  const include = patternArgs(args, "include");
  const exclude = patternArgs(args, "exclude");
  if (include.length === 0 && exclude.length === 0) return undefined;
  return compiling(() => new RestoreFilter(include, exclude));
}

/** The excludes of this backup: the config's first, then the command line's (so a command-line `!pattern` can re-include). */
export function excludeSpec(args: Parsed, config: BackupDefaults): ExcludeSpec {
  const given = (flag: string, ignoreCase: boolean, values: readonly string[]): ExcludePattern[] =>
    values.map((pattern) => ({ pattern, ignoreCase, source: flag }));
  const spec: ExcludeSpec = {
    patterns: [
      ...given("backup.excludes in the config", false, config.excludes),
      ...given("backup.iexcludes in the config", true, config.iexcludes),
      ...config.excludeFiles.flatMap((f) => filePatterns("backup.exclude_files", f, false)),
      ...patternArgs(args, "exclude"),
    ],
    ifPresent: [...config.excludeIfPresent, ...arg.multi(args, "exclude-if-present")],
    caches: config.excludeCaches || arg.flag(args, "exclude-caches"),
    oneFileSystem: config.oneFileSystem || arg.flag(args, "one-file-system"),
  };
  compileAsUsage(spec);
  return spec;
}

/** Compiles the patterns, a malformed one being a usage error (exit 2) that names it and its source. */
export function compileAsUsage(spec: ExcludeSpec): DirRules {
  return compiling(() => compileExcludes(spec));
}
