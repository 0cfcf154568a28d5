/**
 * The `[backend]` table of an SFTP repository's config.toml (`type = "SFTP"`, which backpak 0.3.0
 * can't read): the server, the repository's directory there, and how to run ssh.
 */
import { optionalString, stringLines } from "./toml.ts";

/** A repository in a directory on an SFTP server, reached with OpenSSH's `ssh` (optional fields are left to ssh's config). */
export interface SftpConfig {
  readonly type: "SFTP";
  readonly host: string;
  /** The repository directory on the server (relative paths start at the account's home). */
  readonly path: string;
  readonly user?: string;
  readonly port?: number;
  readonly identity?: string;
  /** The ssh program, with any options of its own (default: `ssh`). */
  readonly command?: string;
}

/** The table's lines after `type`, optional keys only when set. */
export function sftpConfigLines(b: SftpConfig): string[] {
  const port = b.port === undefined ? [] : [`port = ${b.port}`];
  return [...stringLines([["host", b.host], ["path", b.path], ["user", b.user]]), ...port, ...stringLines([["identity", b.identity], ["command", b.command]])];
}

/** The [backend] table of an SFTP repository; `bad` throws naming the file. */
export function parseSftpBackend(be: Record<string, unknown>, bad: (why: string) => never): SftpConfig {
  const optional = (k: string): string | undefined => optionalString(be, k, "backend", bad);
  const host = optional("host") ?? bad("backend.host must be a non-empty string");
  // Never an ssh option: a host or user starting with "-" would be read as one.
  if (host.startsWith("-")) bad("backend.host must not start with \"-\"");
  const user = optional("user");
  if (user?.startsWith("-")) bad("backend.user must not start with \"-\"");
  const port = be.port;
  if (port !== undefined && (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)) bad("backend.port must be a whole number from 1 to 65535");
  const path = optional("path") ?? bad("backend.path must be a non-empty string");
  return { type: "SFTP", host, path, user, port: port as number | undefined, identity: optional("identity"), command: optional("command") };
}
