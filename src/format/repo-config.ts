/**
 * The repository's config.toml: pack size (a byte-size string), optional filter/unfilter commands,
 * and the backend. Unknown keys are ignored, as backpak ignores them.
 */
import { formatExactSize, parseByteSize } from "../lib/sizes.ts";
import { parseS3Backend, s3ConfigLines, type S3BackendConfig } from "./s3-config.ts";
import { parseSftpBackend, sftpConfigLines, type SftpConfig } from "./sftp-config.ts";
import { parseTomlTable, tomlString, trackReads } from "./toml.ts";

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
  | S3BackendConfig
  | SftpConfig;

export interface RepoConfig {
  readonly packSize: number;
  readonly filter?: { readonly filter: string; readonly unfilter: string };
  readonly backend: BackendConfig;
}

export function serializeRepoConfig(c: RepoConfig): string {
  const lines = [`pack_size = ${tomlString(formatExactSize(c.packSize))}`];
  if (c.filter) {
    lines.push(`filter = ${tomlString(c.filter.filter)}`, `unfilter = ${tomlString(c.filter.unfilter)}`);
  }
  lines.push("", "[backend]", `type = ${tomlString(c.backend.type)}`);
  if (c.backend.type === "Filesystem") {
    lines.push(`force_cache = ${c.backend.forceCache}`);
  } else if (c.backend.type === "S3") {
    lines.push(...s3ConfigLines(c.backend));
  } else if (c.backend.type === "SFTP") {
    lines.push(...sftpConfigLines(c.backend));
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
  return parseRepoConfigKeys(text, where).config;
}

/** The same, also listing (dotted) the keys it ignored: none that backpak or this tool writes. */
export function parseRepoConfigKeys(text: string, where: string): { config: RepoConfig; ignored: string[] } {
  const parsed = parseTomlTable(text, where, "corrupt");
  const tracked = trackReads(parsed.raw);
  return { config: repoConfigFrom(tracked.table, parsed.bad), ignored: tracked.unread() };
}

function repoConfigFrom(raw: Record<string, unknown>, bad: (msg: string) => never): RepoConfig {
  let packSize = DEFAULT_PACK_SIZE;
  if (raw.pack_size !== undefined) {
    if (typeof raw.pack_size !== "string") return bad("pack_size must be a string such as \"100 MB\"");
    try {
      packSize = parseByteSize(raw.pack_size, false);
    } catch {
      // The size parser's hint speaks of command-line values; this one is in the file.
      return bad(`pack_size = ${JSON.stringify(raw.pack_size)} is not a byte size such as "100 MB"`);
    }
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
  } else if (be.type === "S3") {
    backend = parseS3Backend(be, bad);
  } else if (be.type === "SFTP") {
    backend = parseSftpBackend(be, bad);
  } else {
    return bad(`unknown backend type ${JSON.stringify(be.type)}`);
  }
  const config: RepoConfig = { packSize, backend };
  return hasFilter ? { ...config, filter: { filter: raw.filter as string, unfilter: raw.unfilter as string } } : config;
}
