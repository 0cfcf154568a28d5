/** The user's backpak.toml (and a directory's .backpak): cache size, skip patterns, backup and restore defaults. */
import { log } from "../lib/log.ts";
import { parseByteSize } from "../lib/sizes.ts";
import { parseTomlTable } from "./toml.ts";

export const DEFAULT_CACHE_SIZE = 1024 ** 3;

export interface UserConfig {
  readonly cacheSize: number;
  readonly skips: readonly string[];
  readonly backup: { readonly dereference: boolean };
  readonly restore: { readonly output?: string };
}

export const DEFAULT_USER_CONFIG: UserConfig = {
  cacheSize: DEFAULT_CACHE_SIZE,
  skips: [],
  backup: { dereference: false },
  restore: {},
};

const KNOWN: Record<string, readonly string[]> = { "": ["cache_size", "skips", "backup", "restore"], backup: ["dereference"], restore: ["output"] };

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
  const dereference = backup.dereference ?? false;
  if (typeof dereference !== "boolean") return bad("backup.dereference must be true or false");
  const restore = table("restore");
  warnUnknownKeys(restore, "restore", where);
  const output = restore.output;
  if (output !== undefined && typeof output !== "string") return bad("restore.output must be a string");
  return {
    cacheSize,
    skips: skips as string[],
    backup: { dereference },
    restore: output === undefined ? {} : { output },
  };
}
