/**
 * JSON renderings of objects for `cat` and the --json messages: IDs as base32 strings, timestamps
 * as RFC 3339 strings, the repository's config with the keys of config.toml and its credentials redacted.
 */
import { shortId, type SnapshotId } from "../format/id.ts";
import type { IndexContents } from "../format/index-file.ts";
import type { Manifest } from "../format/manifest.ts";
import { serializeRepoConfig, type RepoConfig } from "../format/repo-config.ts";
import { parseTomlTable } from "../format/toml.ts";
import type { Snapshot } from "../format/snapshot.ts";
import { timestampString, zonedString } from "../format/time.ts";
import { sortedEntries, type Node, type NodeMetadata, type Tree } from "../format/tree.ts";
import { jsonLine } from "./json-lines.ts";

const ts = (t: bigint | null): string | null => (t === null ? null : timestampString(t));

function metadataJson(m: NodeMetadata): object {
  const size = m.size === undefined ? {} : { size: m.size };
  if (m.type === "posix") {
    return { type: "posix", mode: m.mode, ...size, uid: m.uid, gid: m.gid, atime: ts(m.atime), mtime: ts(m.mtime) };
  }
  return {
    type: "windows",
    attributes: m.attributes,
    ...size,
    creation_time: ts(m.creationTime),
    access_time: ts(m.accessTime),
    write_time: ts(m.writeTime),
  };
}

export function treeJson(tree: Tree): string {
  const out: Record<string, object> = {};
  for (const [name, node] of sortedEntries(tree)) {
    const c = node.contents;
    const contents = c.kind === "file" ? { chunks: c.chunks } : c.kind === "dir" ? { tree: c.tree } : { symlink: c.target };
    out[name] = { ...contents, metadata: metadataJson(node.metadata) };
  }
  return JSON.stringify(out);
}

export function manifestJson(m: Manifest): string {
  return JSON.stringify(m.map((e) => ({ type: e.type, length: e.length, id: e.id })));
}

export function indexJson(index: IndexContents): string {
  const packs: Record<string, unknown> = {};
  for (const id of [...index.packs.keys()].sort()) packs[id] = JSON.parse(manifestJson(index.packs.get(id)!));
  return JSON.stringify({ supersedes: [...index.supersedes].sort(), packs });
}

export function snapshotJson(s: Snapshot): string {
  return JSON.stringify({ time: zonedString(s.time, s.tz), author: s.author, tags: s.tags, paths: s.paths, tree: s.tree });
}

/** The `[backend]` keys that hold credentials (B2's and S3's): never printed. */
const CREDENTIALS = ["key_id", "application_key", "access_key_id", "secret_access_key", "session_token"];

/** The config as config.toml holds it (same keys), each credential replaced by "(redacted)". */
export function repoConfigJson(config: RepoConfig): string {
  const { raw } = parseTomlTable(serializeRepoConfig(config), "the repository config", "internal");
  const backend = raw.backend as Record<string, unknown>;
  for (const key of CREDENTIALS) if (key in backend) backend[key] = "(redacted)";
  return JSON.stringify(raw);
}

/** A snapshot in --json messages: its ID and short ID, its time in RFC 3339 (UTC) and the zone it was taken in, author, tags, paths and tree. */
export function snapshotFields(id: SnapshotId, s: Snapshot): object {
  return { id, short_id: shortId(id), time: timestampString(s.time), time_zone: s.tz, author: s.author, tags: s.tags, paths: s.paths, tree: s.tree };
}

/** ls --json's `node` message: the path in the snapshot, its kind, a symlink's target, and its metadata as `cat` shows it. */
export function nodeJsonLine(path: string, node: Node): string {
  const c = node.contents;
  return jsonLine("node", { path, type: c.kind, ...(c.kind === "symlink" ? { target: c.target } : {}), metadata: metadataJson(node.metadata) });
}
