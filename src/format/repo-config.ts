/**
 * The repository's config.toml: pack size (a byte-size string), optional filter/unfilter commands,
 * and the backend. Unknown keys are ignored, as backpak ignores them.
 */
import { formatExactSize, parseByteSize } from "../lib/sizes.ts";
import { parseTomlTable } from "./toml.ts";

export const DEFAULT_PACK_SIZE = 100_000_000;

export type BackendConfig =
  | { readonly type: "Filesystem"; readonly forceCache: boolean }
  | {
      readonly type: "Backblaze";
      readonly keyId: string;
      readonly applicationKey: string;
      readonly bucket: string;
      readonly concurrentConnections: number;
    }
  | SftpConfig;

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

export interface RepoConfig {
  readonly packSize: number;
  readonly filter?: { readonly filter: string; readonly unfilter: string };
  readonly backend: BackendConfig;
}

/** A TOML basic string. */
export function tomlString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function serializeRepoConfig(c: RepoConfig): string {
  const lines = [`pack_size = ${tomlString(formatExactSize(c.packSize))}`];
  if (c.filter) {
    lines.push(`filter = ${tomlString(c.filter.filter)}`, `unfilter = ${tomlString(c.filter.unfilter)}`);
  }
  lines.push("", "[backend]", `type = ${tomlString(c.backend.type)}`);
  if (c.backend.type === "Filesystem") {
    lines.push(`force_cache = ${c.backend.forceCache}`);
  } else if (c.backend.type === "SFTP") {
    lines.push(...serializeSftp(c.backend));
  } else {
    lines.push(
      `key_id = ${tomlString(c.backend.keyId)}`,
      `application_key = ${tomlString(c.backend.applicationKey)}`,
      `bucket = ${tomlString(c.backend.bucket)}`,
      `concurrent_connections = ${c.backend.concurrentConnections}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Parses config.toml text; `where` (its path) names the file in errors. */
export function parseRepoConfig(text: string, where: string): RepoConfig {
  const { raw, bad } = parseTomlTable(text, where, "corrupt");
  let packSize = DEFAULT_PACK_SIZE;
  if (raw.pack_size !== undefined) {
    if (typeof raw.pack_size !== "string") return bad("pack_size must be a string such as \"100 MB\"");
    packSize = parseByteSize(raw.pack_size, false);
    if (packSize <= 0) return bad("pack_size must be positive");
  }
  const hasFilter = raw.filter !== undefined;
  if (hasFilter !== (raw.unfilter !== undefined)) {
    return bad("config should set filter and unfilter or neither.");
  }
  if (hasFilter && (typeof raw.filter !== "string" || typeof raw.unfilter !== "string")) {
    return bad("filter and unfilter must be strings");
  }
  const b = raw.backend;
  if (typeof b !== "object" || b === null) return bad("no [backend] table");
  const be = b as Record<string, unknown>;
  let backend: BackendConfig;
  if (be.type === "Filesystem") {
    if (typeof be.force_cache !== "boolean") return bad("backend.force_cache must be true or false");
    backend = { type: "Filesystem", forceCache: be.force_cache };
  } else if (be.type === "Backblaze") {
    const str = (k: string): string => (typeof be[k] === "string" ? (be[k] as string) : bad(`backend.${k} must be a string`));
    const n = be.concurrent_connections;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) return bad("backend.concurrent_connections must be a positive integer");
    backend = { type: "Backblaze", keyId: str("key_id"), applicationKey: str("application_key"), bucket: str("bucket"), concurrentConnections: n };
  } else if (be.type === "SFTP") {
    backend = parseSftp(be, bad);
  } else {
    return bad(`unknown backend type ${JSON.stringify(be.type)}`);
  }
  const config: RepoConfig = { packSize, backend };
  return hasFilter ? { ...config, filter: { filter: raw.filter as string, unfilter: raw.unfilter as string } } : config;
}

function serializeSftp(b: SftpConfig): string[] {
  const lines = [`host = ${tomlString(b.host)}`, `path = ${tomlString(b.path)}`];
  if (b.user !== undefined) lines.push(`user = ${tomlString(b.user)}`);
  if (b.port !== undefined) lines.push(`port = ${b.port}`);
  if (b.identity !== undefined) lines.push(`identity = ${tomlString(b.identity)}`);
  if (b.command !== undefined) lines.push(`command = ${tomlString(b.command)}`);
  return lines;
}

/** The [backend] table of an SFTP repository; `bad` throws naming the file. */
function parseSftp(be: Record<string, unknown>, bad: (why: string) => never): SftpConfig {
  const optional = (k: string): string | undefined => {
    if (be[k] === undefined) return undefined;
    return typeof be[k] === "string" && be[k] !== "" ? (be[k] as string) : bad(`backend.${k} must be a non-empty string`);
  };
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
