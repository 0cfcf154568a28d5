/** The config file that is the whole local side of a B2, S3 or SFTP repository, written by `init`. */
import { serializeRepoConfig, type RepoConfig } from "../../format/repo-config.ts";
import { BackpakError } from "../../lib/errors.ts";
import { createFileAtomic } from "../../lib/fsutil.ts";

/** A B2, S3 or SFTP repository's config file (the repository itself is elsewhere); it must not exist yet. Readable by its owner only: it may hold a key. */
export function createConfigOnlyRepository(file: string, config: RepoConfig): void {
  try {
    createFileAtomic(file, serializeRepoConfig(config), 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw configExists(file, err);
    throw new BackpakError("io", `Couldn't create ${file}`, { cause: err });
  }
}

export function configExists(file: string, cause?: unknown): BackpakError {
  return new BackpakError("conflict", `${file} already exists`, { cause, hint: "choose a new path for the repository's config file" });
}
