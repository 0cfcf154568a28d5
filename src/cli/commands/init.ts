/** `backpak init [--pack-size SIZE] [--gpg KEY] filesystem [--force-cache]`: create a repository. */
import { checkFilterRoundTrip } from "../../backend/filter-check.ts";
import { DEFAULT_PACK_SIZE, type RepoConfig } from "../../format/repo-config.ts";
import { BackpakError } from "../../lib/errors.ts";
import { log } from "../../lib/log.ts";
import { parseByteSize } from "../../lib/sizes.ts";
import { initFilesystemRepository } from "../../repo/repository.ts";
import { arg, type Command } from "../command.ts";

export const init: Command = {
  spec: {
    name: "init",
    about: "Initialize a backup repository",
    options: [
      { long: "pack-size", short: "p", kind: "value", value: "PACK_SIZE", help: "Target size of pack files, e.g. 100MB or 64MiB [default: 100 MB]" },
      { long: "gpg", kind: "value", value: "GPG", help: "Encrypt everything stored with `gpg --encrypt --recipient <GPG>`\n(and decrypt it with `gpg --decrypt`)" },
    ],
    subcommands: [
      {
        name: "filesystem",
        about: "Backup to a directory on the local filesystem.",
        options: [
          {
            long: "force-cache",
            kind: "flag",
            help: "Normally filesystem backups skip caching in ~/.cache/backpak,\nassuming reads & writes directly to the backend are just as fast.\nIf the given path is over a remote mount (e.g., FTP, SMB, SSHFS)\nuse this to override that assumption.",
          },
        ],
      },
      {
        name: "backblaze",
        about: "Backup to Backblaze B2 (not supported by this build: use backpak itself).",
        options: [
          { long: "key-id", short: "k", kind: "value", value: "KEY_ID", help: "The B2 application key ID" },
          { long: "application-key", short: "a", kind: "value", value: "APPLICATION_KEY", help: "The B2 application key" },
          { long: "bucket", short: "b", kind: "value", value: "BUCKET", help: "The bucket to store backups in" },
          { long: "concurrent-connections", short: "c", kind: "value", value: "N", help: "Connections to B2 at once [default: 4]" },
        ],
      },
    ],
  },
  async run(args, ctx) {
    if (args.sub!.spec.name === "backblaze") {
      // A config this build can't open would only be a trap: refuse before writing anything.
      throw new BackpakError("usage", "Backblaze B2 repositories are not supported by this build", {
        hint: "back up to a directory (`backpak init filesystem`), or use the Rust backpak for B2; repositories are interchangeable",
      });
    }
    const sizeText = arg.value(args, "pack-size");
    const packSize = sizeText === undefined ? DEFAULT_PACK_SIZE : parseByteSize(sizeText, true);
    if (packSize <= 0) throw new BackpakError("usage", "Couldn't parse --pack-size: the size must be positive");
    const forceCache = arg.flag(args.sub!, "force-cache");
    let config: RepoConfig = { packSize, backend: { type: "Filesystem", forceCache } };
    const gpg = arg.value(args, "gpg");
    if (gpg !== undefined) {
      const filter = { filter: `gpg --encrypt --quiet --recipient ${shellWord(gpg)}`, unfilter: "gpg --decrypt --quiet" };
      // Proven before anything is created, so a key gpg can't use leaves no half-made repository.
      try {
        await checkFilterRoundTrip(filter.filter, filter.unfilter);
      } catch (err) {
        if (!(err instanceof BackpakError)) throw err;
        const hint = `check that \`gpg --list-keys ${gpg}\` finds the key and that its secret key is there to decrypt with`;
        throw new BackpakError(err.kind, err.message, { cause: err.cause, hint });
      }
      config = { ...config, filter };
    }
    initFilesystemRepository(ctx.repositoryPath, config);
    log.info(`Initialized a filesystem repository at ${ctx.repositoryPath}`);
  },
};

/** A key ID or fingerprint as is (backpak's exact config text); anything else (`Name <mail>`) single-quoted for sh. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
