/** The user's backpak.toml (and a directory's .backpak): cache size, skip patterns, backup and restore defaults. */
import path from "node:path";
import { log } from "../lib/log.ts";
import { parseByteSize } from "../lib/sizes.ts";
import { parseTomlTable } from "./toml.ts";

export const DEFAULT_CACHE_SIZE = 1024 ** 3;

export interface UserConfig {
  readonly cacheSize: number;
  readonly skips: readonly string[];
  readonly backup: BackupDefaults;
  readonly restore: { readonly output?: string };
}

/** The `[backup]` table: what backup does without flags, and what it always leaves out. */
export interface BackupDefaults {
  readonly dereference: boolean;
  readonly excludes: readonly string[];
  readonly iexcludes: readonly string[];
  /** Absolute (a relative one in the file is taken from the file's directory). */
  readonly excludeFiles: readonly string[];
  readonly excludeIfPresent: readonly string[];
  readonly excludeCaches: boolean;
  readonly oneFileSystem: boolean;
  /** Store what can be read and warn about the rest (exit status 3) instead of stopping the backup. */
  readonly skipUnreadable: boolean;
}

const DEFAULT_BACKUP: BackupDefaults = { dereference: false, excludes: [], iexcludes: [], excludeFiles: [], excludeIfPresent: [], excludeCaches: false, oneFileSystem: false, skipUnreadable: false };

export const DEFAULT_USER_CONFIG: UserConfig = {
  cacheSize: DEFAULT_CACHE_SIZE,
  skips: [],
  backup: DEFAULT_BACKUP,
  restore: {},
};

const KNOWN: Record<string, readonly string[]> = { "": ["cache_size", "skips", "backup", "restore"], backup: ["dereference", "excludes", "iexcludes", "exclude_files", "exclude_if_present", "exclude_caches", "one_file_system", "skip_unreadable"], restore: ["output"] };

/** Warns about keys backpak doesn't know (a typo such as `skip` would otherwise do nothing, silently). */
function warnUnknownKeys(table: Record<string, unknown>, section: string, where: string): void {
  for (const k of Object.keys(table)) {
    if (!KNOWN[section]!.includes(k)) log.warn(`Ignoring unknown key ${section === "" ? k : `${section}.${k}`} in ${where}`);
  }
}

/** Parses config text; `where` names the file in errors. Unknown keys are ignored with a warning. */
export function parseUserConfig(text: string, where: string): UserConfig {
  const { raw, bad } = parseTomlTable(text, where, "usage");
  warnUnknownKeys(raw, "", where);
  const table = (k: string): Record<string, unknown> => {
    const v = raw[k];
    if (v === undefined) return {};
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : bad(`[${k}] must be a table`);
  };
  let cacheSize = DEFAULT_CACHE_SIZE;
  if (raw.cache_size !== undefined) {
    if (typeof raw.cache_size !== "string") return bad('cache_size must be a string such as "1 GiB"');
    cacheSize = parseByteSize(raw.cache_size, false);
  }
  const skips = raw.skips ?? [];
  if (!Array.isArray(skips) || !skips.every((s) => typeof s === "string")) return bad("skips must be a list of strings");
  const backup = table("backup");
  warnUnknownKeys(backup, "backup", where);
  const flag = (key: string): boolean => {
    const v = backup[key] ?? false;
    return typeof v === "boolean" ? v : bad(`backup.${key} must be true or false`);
  };
  const strings = (key: string): string[] => {
    const v = backup[key] ?? [];
    return Array.isArray(v) && v.every((s) => typeof s === "string") ? (v as string[]) : bad(`backup.${key} must be a list of strings`);
  };
  const restore = table("restore");
  warnUnknownKeys(restore, "restore", where);
  const output = restore.output;
  if (output !== undefined && typeof output !== "string") return bad("restore.output must be a string");
  return {
    cacheSize,
    skips: skips as string[],
    backup: {
      dereference: flag("dereference"),
      excludes: strings("excludes"),
      iexcludes: strings("iexcludes"),
      excludeFiles: strings("exclude_files").map((f) => path.resolve(path.dirname(path.resolve(where)), f)),
      excludeIfPresent: strings("exclude_if_present"),
      excludeCaches: flag("exclude_caches"),
      oneFileSystem: flag("one_file_system"),
      skipUnreadable: flag("skip_unreadable"),
    },
    restore: output === undefined ? {} : { output },
  };
}
