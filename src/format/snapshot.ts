/**
 * Snapshot files: "MKBAKSNP", a version byte ('1' legacy, '2' current), then CBOR (uncompressed).
 * Snapshot ID = SHA-224 of the CBOR after the version byte. Version 2 stores time as i64
 * nanoseconds plus a zone name and omits empty tags; version 1 stored an RFC 9557 string.
 */
import { concatBytes } from "../lib/bytes.ts";
import { BackpakError } from "../lib/errors.ts";
import { comparePaths, compareUtf8, sortedUnique } from "../lib/order.ts";
import { CborWriter } from "./cbor.ts";
import { CborCursor } from "./cbor-cursor.ts";
import { idToDigest, type BlobId } from "./id.ts";
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
  const c = new CborCursor(body, what);
  let time: bigint | undefined;
  let tz: string | undefined;
  let author: string | undefined;
  let tags: string[] | undefined;
  let paths: string[] | undefined;
  let tree: BlobId | undefined;
  const texts = (): string[] => {
    const out: string[] = [];
    const n = c.array();
    if (n < 0) while (!c.atBreak()) out.push(c.text());
    else for (let i = 0; i < n; i++) out.push(c.text());
    return out;
  };
  const field = (): void => {
    switch (c.key()) {
      case "time":
        if (version === "2") time = c.bigint();
        else ({ ns: time, tz } = parseZoned(c.text()));
        break;
      case "tz":
        tz = c.text();
        break;
      case "author":
        author = c.text();
        break;
      case "tags":
        tags = texts();
        break;
      case "paths":
        paths = texts();
        break;
      case "tree":
        tree = c.id<"blob">();
        break;
      default:
        c.skip();
    }
  };
  const n = c.map();
  if (n < 0) while (!c.atBreak()) field();
  else for (let i = 0; i < n; i++) field();
  if (!c.done) c.fail("trailing bytes after the snapshot");
  const missing = (k: string): never => c.fail(`${what} has no ${k}`);
  return {
    time: time ?? missing("time"),
    tz: tz ?? missing("tz"),
    author: author ?? missing("author"),
    // Version 2 omits empty tags; version 1 always has them.
    tags: tags ?? (version === "2" ? [] : missing("tags")),
    paths: paths ?? missing("paths"),
    tree: tree ?? missing("tree"),
  };
}

/** Same snapshot apart from its time (backup's "same as the last" rule). */
export function sameButTime(a: Snapshot, b: Snapshot): boolean {
  const eq = (x: readonly string[], y: readonly string[]): boolean => x.length === y.length && x.every((e, i) => e === y[i]);
  return a.author === b.author && a.tree === b.tree && eq(a.tags, b.tags) && eq(a.paths, b.paths);
}
