/**
 * `backpak init [--pack-size SIZE] [--gpg KEY] (filesystem [--force-cache] | backblaze -k ID -a KEY -b BUCKET [-c N]
 * | sftp [--port P] [--identity FILE] [--command CMD] [USER@]HOST:PATH)`: create a repository (a directory),
 * a Backblaze B2 repository's config file (B2 isn't contacted), or an SFTP repository's directories on
 * its server and then its config file.
 */
import fs from "node:fs";
import path from "node:path";
import { SftpBackend } from "../../backend/sftp.ts";
import { checkFilterRoundTrip } from "../../backend/filter-check.ts";
import { DEFAULT_PACK_SIZE, serializeRepoConfig, type BackendConfig, type RepoConfig } from "../../format/repo-config.ts";
import { BackpakError } from "../../lib/errors.ts";
import { createFileAtomic } from "../../lib/fsutil.ts";
import { log } from "../../lib/log.ts";
import { parseByteSize } from "../../lib/sizes.ts";
import { initFilesystemRepository } from "../../repo/repository.ts";
import type { Parsed } from "../args.ts";
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
        about: "Backup to Backblaze B2. Writes the repository's config file at -r (B2 isn't contacted).",
        options: [
          { long: "key-id", short: "k", kind: "value", value: "KEY_ID", help: "The B2 application key ID" },
          { long: "application-key", short: "a", kind: "value", value: "APPLICATION_KEY", help: "The B2 application key" },
          { long: "bucket", short: "b", kind: "value", value: "BUCKET", help: "The bucket to store backups in" },
          { long: "concurrent-connections", short: "c", kind: "value", value: "N", help: "Connections to B2 at once [default: 4]" },
        ],
      },
      {
        name: "sftp",
        about: "Backup to a directory on an SFTP server, reached with OpenSSH's ssh (~/.ssh/config, ssh-agent and known_hosts apply).\nCreates the directory on the server, then writes the repository's config file at -r.",
        options: [
          { long: "port", kind: "value", value: "PORT", help: "The SSH server's port [default: ssh's, usually 22]" },
          { long: "identity", short: "i", kind: "value", value: "FILE", help: "The private key to log in with (ssh -i)" },
          { long: "command", kind: "value", value: "CMD", help: "The ssh program and any options of its own, run by sh [default: ssh]" },
        ],
        positionals: [{ name: "TARGET", required: true, help: "[USER@]HOST:PATH, the repository's directory on the server (a relative PATH starts at the home directory)" }],
      },
    ],
  },
  async run(args, ctx) {
    const sizeText = arg.value(args, "pack-size");
    const packSize = sizeText === undefined ? DEFAULT_PACK_SIZE : parseByteSize(sizeText, true);
    if (packSize <= 0) throw new BackpakError("usage", "Couldn't parse --pack-size: the size must be positive");
    const sub = args.sub!;
    const backend: BackendConfig =
      sub.spec.name === "backblaze" ? backblaze(sub) : sub.spec.name === "sftp" ? sftp(sub) : { type: "Filesystem", forceCache: arg.flag(sub, "force-cache") };
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
      createConfigFile(ctx.repositoryPath, config);
      log.info(`Wrote the configuration of a Backblaze B2 repository (bucket ${backend.bucket}) to ${ctx.repositoryPath}`);
    } else if (backend.type === "SFTP") {
      // Refused before the server is touched, so a path that can't take the config file leaves nothing made there.
      if (fs.existsSync(ctx.repositoryPath)) throw configExists(ctx.repositoryPath);
      try {
        fs.accessSync(path.dirname(path.resolve(ctx.repositoryPath)), fs.constants.W_OK);
      } catch (err) {
        throw new BackpakError("io", `Couldn't create ${ctx.repositoryPath}`, { cause: err, hint: "give -r a path in a directory you can write to" });
      }
      const remote = new SftpBackend(backend);
      try {
        await remote.create();
      } finally {
        await remote.close();
      }
      createConfigFile(ctx.repositoryPath, config);
      log.info(`Initialized the ${remote.description}; its configuration is in ${ctx.repositoryPath}`);
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
    throw new BackpakError("usage", `the following required arguments were not provided:\n  ${missing.join("\n  ")}`, {
      hint: "For more information, try 'backpak init backblaze --help'.",
    });
  }
  const connections = arg.value(sub, "concurrent-connections") ?? "4";
  if (!/^[0-9]+$/.test(connections) || Number(connections) < 1 || Number(connections) > 0xffff_ffff) {
    throw new BackpakError("usage", `invalid value '${connections}' for '--concurrent-connections <N>': give a whole number of at least 1`);
  }
  return {
    type: "Backblaze",
    keyId: arg.value(sub, "key-id")!,
    applicationKey: arg.value(sub, "application-key")!,
    bucket: arg.value(sub, "bucket")!,
    concurrentConnections: Number(connections),
  };
}

/** The SFTP backend config from `init sftp`'s flags and `[USER@]HOST:PATH`. */
function sftp(sub: Parsed): BackendConfig {
  const target = arg.pos(sub, "TARGET");
  // The host may be an IPv6 address in brackets; a leading "-" would read as an ssh option.
  const m = /^(?:([^@/:\s-][^@/:\s]*)@)?(\[[0-9A-Fa-f:.]+\]|[^@/:\[\]\s-][^@/:\[\]\s]*):(.+)$/.exec(target);
  if (m === null) {
    throw new BackpakError("usage", `invalid value '${target}' for '<TARGET>': give [USER@]HOST:PATH, e.g. backup@example.com:/srv/backpak`);
  }
  const port = arg.value(sub, "port");
  if (port !== undefined && !(/^[0-9]+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw new BackpakError("usage", `invalid value '${port}' for '--port <PORT>': give a port number from 1 to 65535`);
  }
  const identity = arg.value(sub, "identity");
  return {
    type: "SFTP",
    host: m[2]!.replace(/^\[(.*)\]$/, "$1"),
    path: m[3]!,
    user: m[1],
    port: port === undefined ? undefined : Number(port),
    // ssh expands a leading ~ itself; other relative paths are made absolute, so the config works from anywhere.
    identity: identity === undefined || identity.startsWith("~") ? identity : path.resolve(identity),
    command: arg.value(sub, "command"),
  };
}

/** A B2 or SFTP repository's config file; it must not exist yet. Readable by its owner only: a B2 one holds the application key. */
function createConfigFile(file: string, config: RepoConfig): void {
  try {
    createFileAtomic(file, serializeRepoConfig(config), 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw configExists(file, err);
    throw new BackpakError("io", `Couldn't create ${file}`, { cause: err });
  }
}

function configExists(file: string, cause?: unknown): BackpakError {
  return new BackpakError("conflict", `${file} already exists`, { cause, hint: "choose a new path for the repository's config file" });
}

/** A key ID or fingerprint as is (backpak's exact config text); anything else (`Name <mail>`) single-quoted for sh. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
