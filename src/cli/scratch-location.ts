/**
 * Where a repository's scratch directory is: `<base>/<key>`, the base being --scratch-dir, else
 * $BACKPAK_SCRATCH_DIR, else `scratch` in the cache directory, and the key a hash of the
 * repository's canonical absolute location (the directory of a filesystem repository, the config
 * file of the others). So every run on one repository finds the same scratch directory, whatever
 * its working directory; the same storage reached through two locations (a bucket through two
 * config files) gets two, which only costs packs sent again.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { defaultCacheDir } from "../backend/cache-store.ts";

/** The scratch directory of the repository at `location`, and that location made canonical. */
export function scratchLocation(location: string, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): { root: string; canonical: string } {
  const base = flag ?? (env.BACKPAK_SCRATCH_DIR || path.join(defaultCacheDir(env), "scratch"));
  const canonical = canonicalPath(path.resolve(location));
  const key = createHash("sha256").update(canonical).digest("hex").slice(0, 16);
  return { root: path.join(path.resolve(base), key), canonical };
}

/** `p` with symbolic links resolved, as far as it exists (a default repository the first backup creates doesn't yet). */
function canonicalPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    const parent = path.dirname(p);
    return parent === p ? p : path.join(canonicalPath(parent), path.basename(p));
  }
}

export const SCRATCH_HINT = "give a directory you can write to with --scratch-dir DIR or $BACKPAK_SCRATCH_DIR";
