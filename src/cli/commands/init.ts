/**
 * `backpak init [--pack-size SIZE] [--gpg KEY] (filesystem [--force-cache] | backblaze -k ID -a KEY -b BUCKET [-c N]
 * | s3 --bucket B ... | sftp [--port P] [--identity FILE] [--command CMD] [USER@]HOST:PATH)`: create a repository
 * (a directory), a Backblaze B2 or S3 repository's config file (the service isn't contacted), or an SFTP
 * repository's directories on its server and then its config file.
 */
import { checkFilterRoundTrip } from "../../backend/filter-check.ts";
import { DEFAULT_PACK_SIZE, type BackendConfig, type RepoConfig } from "../../format/repo-config.ts";
import { BackpakError } from "../../lib/errors.ts";
import { log } from "../../lib/log.ts";
import { parseByteSize } from "../../lib/sizes.ts";
import { initFilesystemRepository } from "../../repo/index.ts";
import { usageError, type Parsed } from "../args.ts";
import { arg, type Command } from "../command.ts";
import { createConfigOnlyRepository } from "./init-config-file.ts";
import { INIT_S3, s3BackendFromFlags } from "./init-s3.ts";
import { createSftpDirectories, INIT_SFTP, sftpBackendFromFlags } from "./init-sftp.ts";

export const init: Command = {
  lock: "none",
  spec: {
    name: "init",
    about: "Initialize a backup repository",
    details: [
      "A filesystem repository is made at -r PATH (absent or an empty directory); for backblaze, s3 and",
      "sftp, -r PATH is where the repository's config file is written, which later commands take as -r.",
      "`backpak init <COMMAND> --help` tells what each kind needs.",
      "",
      "Examples:",
      "  backpak -r /srv/backups init filesystem",
      "  backpak -r /srv/secret init --gpg 0123456789ABCDEF0123456789ABCDEF01234567 filesystem",
      "  backpak -r ~/s3.toml init s3 --bucket my-backups --region eu-west-1",
      "  backpak -r ~/nas.toml init sftp backup@nas.example.com:/srv/backpak",
    ].join("\n"),
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
        about: "Backup to Backblaze B2. Writes the repository's config file at -r (B2 isn't contacted).",
        options: [
          { long: "key-id", short: "k", kind: "value", value: "KEY_ID", help: "The B2 application key ID" },
          { long: "application-key", short: "a", kind: "value", value: "APPLICATION_KEY", help: "The B2 application key" },
          { long: "bucket", short: "b", kind: "value", value: "BUCKET", help: "The bucket to store backups in" },
          { long: "concurrent-connections", short: "c", kind: "value", value: "N", help: "Connections to B2 at once [default: 4]" },
        ],
      },
      INIT_S3,
      INIT_SFTP,
    ],
  },
  async run(args, ctx) {
    const sizeText = arg.value(args, "pack-size");
    const packSize = sizeText === undefined ? DEFAULT_PACK_SIZE : parseByteSize(sizeText, true);
    if (packSize <= 0) throw usageError("backpak init", "Couldn't parse --pack-size: the size must be positive");
    const sub = args.sub!;
    const backend: BackendConfig =
      sub.spec.name === "backblaze"
        ? backblaze(sub)
        : sub.spec.name === "s3"
          ? s3BackendFromFlags(sub)
          : sub.spec.name === "sftp"
            ? sftpBackendFromFlags(sub)
            : { type: "Filesystem", forceCache: arg.flag(sub, "force-cache") };
    let config: RepoConfig = { packSize, backend };
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
    if (backend.type === "Backblaze") {
      createConfigOnlyRepository(ctx.repositoryPath, config);
      log.info(`Wrote the configuration of a Backblaze B2 repository (bucket ${backend.bucket}) to ${ctx.repositoryPath}`);
    } else if (backend.type === "S3") {
      createConfigOnlyRepository(ctx.repositoryPath, config);
      log.info(`Wrote the configuration of an S3 repository (bucket ${backend.bucket}) to ${ctx.repositoryPath}`);
    } else if (backend.type === "SFTP") {
      const description = await createSftpDirectories(backend, ctx.repositoryPath);
      createConfigOnlyRepository(ctx.repositoryPath, config);
      log.info(`Initialized the ${description}; its configuration is in ${ctx.repositoryPath}`);
    } else {
      initFilesystemRepository(ctx.repositoryPath, config);
      log.info(`Initialized a filesystem repository at ${ctx.repositoryPath}`);
    }
  },
};

const REQUIRED_B2_OPTIONS = [
  ["key-id", "KEY_ID"],
  ["application-key", "APPLICATION_KEY"],
  ["bucket", "BUCKET"],
] as const;

/** The B2 backend config from `init backblaze`'s flags. */
function backblaze(sub: Parsed): BackendConfig {
  const missing = REQUIRED_B2_OPTIONS.filter(([long]) => arg.value(sub, long) === undefined).map(([long, value]) => `--${long} <${value}>`);
  if (missing.length > 0) {
    throw usageError("backpak init backblaze", `the following required arguments were not provided:\n  ${missing.join("\n  ")}`);
  }
  const connections = arg.value(sub, "concurrent-connections") ?? "4";
  if (!/^[0-9]+$/.test(connections) || Number(connections) < 1 || Number(connections) > 0xffff_ffff) {
    throw usageError("backpak init backblaze", `invalid value '${connections}' for '--concurrent-connections <N>': give a whole number of at least 1`);
  }
  return {
    type: "Backblaze",
    keyId: arg.value(sub, "key-id")!,
    applicationKey: arg.value(sub, "application-key")!,
    bucket: arg.value(sub, "bucket")!,
    concurrentConnections: Number(connections),
  };
}

/** A key ID or fingerprint as is (backpak's exact config text); anything else (`Name <mail>`) single-quoted for sh. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
