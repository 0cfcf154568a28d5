/**
 * Snapshot files: "MKBAKSNP", a version byte ('1' legacy, '2' current), then CBOR (uncompressed).
 * Snapshot ID = SHA-224 of the CBOR after the version byte. Version 2 stores time as i64
 * nanoseconds plus a zone name and omits empty tags; version 1 stored an RFC 9557 string.
 */
import { concatBytes } from "../lib/bytes.ts";
import { BackpakError } from "../lib/errors.ts";
import { comparePaths, compareUtf8, sortedUnique } from "../lib/order.ts";
import { CborWriter, decodeCbor, type CborMap } from "./cbor.ts";
import { idFromDigest, idToDigest, type BlobId } from "./id.ts";
import { SNAPSHOT_MAGIC, SNAPSHOT_WRITE_VERSION, hasMagic, magicBytes, type SnapshotVersion } from "./magic.ts";
import { parseZoned, zonedString } from "./time.ts";

export interface Snapshot {
  /** Nanoseconds since the Unix epoch. */
  readonly time: bigint;
  /** The zone the snapshot was taken in (IANA name, or a fixed offset). */
  readonly tz: string;
  readonly author: string;
  /** Sorted by UTF-8 bytes, no duplicates. */
  readonly tags: readonly string[];
  /** Absolute paths backed up, sorted component-wise, no duplicates. */
  readonly paths: readonly string[];
  readonly tree: BlobId;
}

/** Builds a snapshot with tags and paths in the canonical order. */
export function makeSnapshot(s: Snapshot): Snapshot {
  return { ...s, tags: sortedUnique(s.tags, compareUtf8), paths: sortedUnique(s.paths, comparePaths) };
}

/** The CBOR body of a snapshot in the given version's layout (what the ID is computed over). */
export function encodeSnapshotBody(s: Snapshot, version: SnapshotVersion = SNAPSHOT_WRITE_VERSION): Uint8Array {
  const w = new CborWriter();
  const tags = sortedUnique(s.tags, compareUtf8);
  const paths = sortedUnique(s.paths, comparePaths);
  if (version === "2") {
    w.map(tags.length > 0 ? 6 : 5).text("time").int(s.time).text("tz").text(s.tz);
  } else {
    w.map(5).text("time").text(zonedString(s.time, s.tz));
  }
  w.text("author").text(s.author);
  if (version === "1" || tags.length > 0) {
    w.text("tags").array(tags.length);
    for (const t of tags) w.text(t);
  }
  w.text("paths").array(paths.length);
  for (const p of paths) w.text(p);
  w.text("tree").bytes(idToDigest(s.tree));
  return w.finish();
}

/** The whole file: magic, version byte, body. */
export function encodeSnapshotFile(body: Uint8Array, version: SnapshotVersion = SNAPSHOT_WRITE_VERSION): Uint8Array {
  return concatBytes([magicBytes(SNAPSHOT_MAGIC), magicBytes(version), body]);
}

/** Splits a snapshot file into its version and body, checking the magic. */
export function splitSnapshotFile(file: Uint8Array, what: string): { version: SnapshotVersion; body: Uint8Array } {
  if (!hasMagic(file, SNAPSHOT_MAGIC)) {
    throw new BackpakError("corrupt", `Wrong magic bytes for snapshot file ${what}`);
  }
  const v = String.fromCharCode(file[SNAPSHOT_MAGIC.length] ?? 0);
  if (v !== "1" && v !== "2") throw new BackpakError("corrupt", `Unknown snapshot file version ${v} in ${what}`);
  return { version: v, body: file.subarray(SNAPSHOT_MAGIC.length + 1) };
}

export function decodeSnapshotBody(body: Uint8Array, version: SnapshotVersion, what: string): Snapshot {
  const v = decodeCbor(body, what);
  const bad = (msg: string): never => {
    throw new BackpakError("corrupt", `${what} is malformed: ${msg}`);
  };
  if (!(v instanceof Map)) return bad("not a map");
  const text = (m: CborMap, k: string): string => {
    const x = m.get(k);
    return typeof x === "string" ? x : bad(`${k} is not text`);
  };
  const textList = (k: string, optional: boolean): string[] => {
    const x = v.get(k);
    if (x === undefined && optional) return [];
    if (!Array.isArray(x) || !x.every((e) => typeof e === "string")) return bad(`${k} is not a list of text`);
    return x as string[];
  };
  let time: bigint;
  let tz: string;
  if (version === "2") {
    const t = v.get("time");
    if (typeof t === "number" && Number.isInteger(t)) time = BigInt(t);
    else if (typeof t === "bigint") time = t;
    else return bad("time is not an integer");
    tz = text(v, "tz");
  } else {
    ({ ns: time, tz } = parseZoned(text(v, "time")));
  }
  const tree = v.get("tree");
  if (!(tree instanceof Uint8Array) || tree.length !== 28) return bad("tree is not a 28-byte ID");
  return {
    time,
    tz,
    author: text(v, "author"),
    tags: textList("tags", version === "2"),
    paths: textList("paths", false),
    tree: idFromDigest<"blob">(tree),
  };
}

/** Same snapshot apart from its time (backup's "same as the last" rule). */
export function sameButTime(a: Snapshot, b: Snapshot): boolean {
  const eq = (x: readonly string[], y: readonly string[]): boolean => x.length === y.length && x.every((e, i) => e === y[i]);
  return a.author === b.author && a.tree === b.tree && eq(a.tags, b.tags) && eq(a.paths, b.paths);
}
