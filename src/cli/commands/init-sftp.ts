/** `backpak init sftp [--port P] [--identity FILE] [--command CMD] [USER@]HOST:PATH`: the SFTP backend config from its flags, and its directories on the server. */
import fs from "node:fs";
import path from "node:path";
import { SftpBackend } from "../../backend/sftp.ts";
import type { SftpConfig } from "../../format/sftp-config.ts";
import { BackpakError } from "../../lib/errors.ts";
import { usageError, type CommandSpec, type Parsed } from "../args.ts";
import { arg } from "../command.ts";
import { configExists } from "./init-config-file.ts";

export const INIT_SFTP: CommandSpec = {
  name: "sftp",
  about: "Backup to a directory on an SFTP server, reached with OpenSSH's ssh (~/.ssh/config, ssh-agent and known_hosts apply).\nCreates the directory on the server, then writes the repository's config file at -r.",
  options: [
    { long: "port", kind: "value", value: "PORT", help: "The SSH server's port [default: ssh's, usually 22]" },
    { long: "identity", short: "i", kind: "value", value: "FILE", path: true, help: "The private key to log in with (ssh -i)" },
    { long: "command", kind: "value", value: "CMD", help: "The ssh program and any options of its own, run by sh [default: ssh]" },
  ],
  positionals: [{ name: "TARGET", required: true, help: "[USER@]HOST:PATH, the repository's directory on the server (a relative PATH starts at the home directory)" }],
};

/** The SFTP backend config from `init sftp`'s flags and `[USER@]HOST:PATH`. */
export function sftpBackendFromFlags(sub: Parsed): SftpConfig {
  const target = arg.pos(sub, "TARGET");
  // The host may be an IPv6 address in brackets; a leading "-" would read as an ssh option.
  const m = /^(?:([^@/:\s-][^@/:\s]*)@)?(\[[0-9A-Fa-f:.]+\]|[^@/:\[\]\s-][^@/:\[\]\s]*):(.+)$/.exec(target);
  if (m === null) {
    throw usageError("backpak init sftp", `invalid value '${target}' for '<TARGET>': give [USER@]HOST:PATH, e.g. backup@example.com:/srv/backpak`);
  }
  const port = arg.value(sub, "port");
  if (port !== undefined && !(/^[0-9]+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw usageError("backpak init sftp", `invalid value '${port}' for '--port <PORT>': give a port number from 1 to 65535`);
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

/**
 * Makes the repository's directories on the server, after checking that the config file can then
 * be written (so a bad -r leaves nothing made on the server); returns the backend's description.
 */
export async function createSftpDirectories(backend: SftpConfig, configPath: string): Promise<string> {
  if (fs.existsSync(configPath)) throw configExists(configPath);
  try {
    fs.accessSync(path.dirname(path.resolve(configPath)), fs.constants.W_OK);
  } catch (err) {
    throw new BackpakError("io", `Couldn't create ${configPath}`, { cause: err, hint: "give -r a path in a directory you can write to" });
  }
  const remote = new SftpBackend(backend);
  try {
    await remote.create();
  } finally {
    await remote.close();
  }
  return remote.description;
}
