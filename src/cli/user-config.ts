/**
 * Loads the user configuration: ~/.config/backpak.toml if it exists (or --config PATH, which must
 * exist; --config "" means the built-in defaults), then a .backpak file in the directory backpak was started from, whose
 * `skips` replace the global list, whose `restore.output` wins if set, and whose `[backup]` excludes
 * add to the global ones.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_CACHE_SIZE, DEFAULT_USER_CONFIG, parseUserConfig, type BackupDefaults, type UserConfig } from "../format/user-config.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { UsageError } from "./args.ts";

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new BackpakError("io", `Couldn't open ${file}`, { cause: err });
  }
}

/** The global `[backup]` table with a local one's excludes added (its `dereference` is not taken, as before). */
function withLocalExcludes(global: BackupDefaults, local: BackupDefaults): BackupDefaults {
  return {
    dereference: global.dereference,
    excludes: [...global.excludes, ...local.excludes],
    iexcludes: [...global.iexcludes, ...local.iexcludes],
    excludeFiles: [...global.excludeFiles, ...local.excludeFiles],
    excludeIfPresent: [...global.excludeIfPresent, ...local.excludeIfPresent],
    excludeCaches: global.excludeCaches || local.excludeCaches,
    oneFileSystem: global.oneFileSystem || local.oneFileSystem,
    skipUnreadable: global.skipUnreadable || local.skipUnreadable,
  };
}

export function loadUserConfig(configFlag: string | undefined, startDir: string): UserConfig {
  if (configFlag === "") {
    log.debug('Using default config per --config ""');
    return DEFAULT_USER_CONFIG;
  }
  const file = configFlag ?? path.join(process.env.HOME || os.homedir(), ".config", "backpak.toml");
  const text = readIfPresent(file);
  if (text === undefined && configFlag !== undefined) {
    throw new UsageError("usage", `The config file ${file} (given with --config) doesn't exist`, { hint: 'check the path, or pass --config "" for the built-in defaults' });
  }
  const global = text === undefined ? DEFAULT_USER_CONFIG : parseUserConfig(text, file);
  const localFile = path.join(startDir, ".backpak");
  const localText = readIfPresent(localFile);
  if (localText === undefined) return global;
  const local = parseUserConfig(localText, localFile);
  if (local.cacheSize !== DEFAULT_CACHE_SIZE) {
    log.warn(`Ignoring cache_size in ${localFile} - set it globally in ~/.config/backpak.toml`);
  }
  const output = local.restore.output ?? global.restore.output;
  return { ...global, skips: local.skips, backup: withLocalExcludes(global.backup, local.backup), restore: output === undefined ? {} : { output } };
}
