/**
 * Gathers backup's excludes from its flags and the `[backup]` config table: patterns
 * (`--exclude`, `--iexclude`, and the lines of `--exclude-file` / `--iexclude-file` files),
 * marker files, caches and `--one-file-system`. Every file is read and every pattern compiled
 * here, so a missing file or a malformed glob is a usage error (exit 2) before anything is written.
 */
import type { BackupDefaults } from "../format/user-config.ts";
import { compileExcludes, type DirRules, type ExcludePattern, type ExcludeSpec } from "../fs/excludes.ts";
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

/** The excludes of this backup: the config's first, then the command line's (so a command-line `!pattern` can re-include). */
export function excludeSpec(args: Parsed, config: BackupDefaults): ExcludeSpec {
  const given = (flag: string, ignoreCase: boolean, values: readonly string[]): ExcludePattern[] =>
    values.map((pattern) => ({ pattern, ignoreCase, source: flag }));
  const spec: ExcludeSpec = {
    patterns: [
      ...given("backup.excludes in the config", false, config.excludes),
      ...given("backup.iexcludes in the config", true, config.iexcludes),
      ...config.excludeFiles.flatMap((f) => filePatterns("backup.exclude_files", f, false)),
      ...given("--exclude", false, arg.multi(args, "exclude")),
      ...given("--iexclude", true, arg.multi(args, "iexclude")),
      ...arg.multi(args, "exclude-file").flatMap((f) => filePatterns("--exclude-file", f, false)),
      ...arg.multi(args, "iexclude-file").flatMap((f) => filePatterns("--iexclude-file", f, true)),
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
  try {
    return compileExcludes(spec);
  } catch (err) {
    if (!(err instanceof BackpakError)) throw err;
    throw new UsageError("usage", err.message, err.hint === undefined ? {} : { hint: err.hint });
  }
}
