/**
 * The `[backend]` table of an S3 repository's config.toml (`type = "S3"`, which backpak 0.3.0 can't
 * read): the bucket, where it is, a key prefix, and optionally the credentials themselves.
 */
import { optionalString, stringLines, tomlString } from "./toml.ts";

export interface S3BackendConfig {
  readonly type: "S3";
  readonly bucket: string;
  /** The service's URL, e.g. http://127.0.0.1:9000; default: AWS's for the region. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Objects are stored under `<prefix>/`; none: at the bucket's root. */
  readonly prefix?: string;
  /** Address the bucket as a path (`endpoint/bucket/key`) instead of a host name (`bucket.endpoint/key`). */
  readonly pathStyle: boolean;
  readonly concurrentConnections: number;
  /** When these are absent, the standard AWS environment variables and profiles supply them. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
}

export const DEFAULT_S3_CONNECTIONS = 4;

/** The table's lines after `type`, optional keys only when set. */
export function s3ConfigLines(c: S3BackendConfig): string[] {
  const optional: [string, string | undefined][] = [
    ["endpoint", c.endpoint],
    ["region", c.region],
    ["prefix", c.prefix],
  ];
  const secrets: [string, string | undefined][] = [
    ["access_key_id", c.accessKeyId],
    ["secret_access_key", c.secretAccessKey],
    ["session_token", c.sessionToken],
  ];
  return [`bucket = ${tomlString(c.bucket)}`, ...stringLines(optional), `path_style = ${c.pathStyle}`, `concurrent_connections = ${c.concurrentConnections}`, ...stringLines(secrets)];
}

/** Checks the S3 `[backend]` table `be`; `bad` throws naming the config file. */
export function parseS3Backend(be: Record<string, unknown>, bad: (msg: string) => never): S3BackendConfig {
  const optional = (k: string): string | undefined => optionalString(be, k, "backend", bad);
  const bucket = optional("bucket") ?? bad("backend.bucket must name the S3 bucket");
  const endpoint = optional("endpoint");
  if (endpoint !== undefined) {
    const problem = endpointProblem(endpoint);
    if (problem !== undefined) bad(`backend.endpoint ${problem}`);
  }
  const pathStyle = be.path_style ?? false;
  if (typeof pathStyle !== "boolean") bad("backend.path_style must be true or false");
  const n = be.concurrent_connections ?? DEFAULT_S3_CONNECTIONS;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) bad("backend.concurrent_connections must be a positive integer");
  const accessKeyId = optional("access_key_id");
  const secretAccessKey = optional("secret_access_key");
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) bad("backend should set access_key_id and secret_access_key or neither");
  const config: S3BackendConfig = { type: "S3", bucket, pathStyle: pathStyle as boolean, concurrentConnections: n as number };
  const extras = { endpoint, region: optional("region"), prefix: normalizePrefix(optional("prefix")), accessKeyId, secretAccessKey, sessionToken: optional("session_token") };
  return { ...config, ...Object.fromEntries(Object.entries(extras).filter(([, v]) => v !== undefined)) };
}

/** Why `url` can't be an S3 endpoint, or undefined when it can. */
export function endpointProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `must be a URL such as https://s3.example.com, not ${JSON.stringify(url)}`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `must be an http:// or https:// URL, not ${JSON.stringify(url)}`;
  if (parsed.search !== "" || parsed.hash !== "" || parsed.username !== "" || parsed.password !== "") return `must be a plain URL (no query, fragment or user), not ${JSON.stringify(url)}`;
  return undefined;
}

/** A prefix without leading or trailing slashes; undefined when nothing is left. */
export function normalizePrefix(prefix: string | undefined): string | undefined {
  const p = prefix?.replace(/^\/+|\/+$/g, "");
  return p === undefined || p === "" ? undefined : p;
}
