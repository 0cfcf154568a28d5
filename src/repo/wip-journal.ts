/**
 * The work-in-progress journal, `backpak-wip.journal` in a run's scratch directory: what an
 * interrupted run had finished, so the next one can pick up where it stopped. It starts with a
 * magic line, then one record per event, each appended and fsynced before the pack it lists is
 * stored: a finished pack (its ID, the bytes written, its manifest's CBOR), packs dropped (stored
 * short), or an index superseded (a prune's). A record is its body's length (4 bytes, little
 * endian), the body (a kind byte, a 28-byte ID, then for a pack its size as a float64 and its
 * manifest) and the first 8 bytes of the body's SHA-224. Reading stops at the first record that
 * is cut short or doesn't match its checksum (a run killed while appending it), keeping those
 * before it. Appending costs what the new pack's manifest does, however many came before.
 */
import fs from "node:fs";
import path from "node:path";
import type { IndexContents } from "../format/index-file.ts";
import { idFromDigest, idToDigest, ID_BYTES, type IndexId, type PackId } from "../format/id.ts";
import { decodeManifest, type Manifest } from "../format/manifest.ts";
import { IdHasher, sha224 } from "../kernels/sha224.ts";
import { context } from "../lib/errors.ts";
import { PRIVATE_FILE, writeFileAtomic } from "../lib/fsutil.ts";
import { log } from "../lib/log.ts";
import { scratchWrite, workTempTag } from "./work-temps.ts";

export const WIP_JOURNAL = "backpak-wip.journal";

const MAGIC = new TextEncoder().encode("BPKWIPJ1");
/** A record's kinds: a finished pack, a pack dropped, an index superseded. */
const [PACK, DROP, SUPERSEDES] = [1, 2, 3];
/** The bytes of a record's length, its checksum, and a pack's size. */
const [LENGTH_BYTES, CHECK_BYTES, SIZE_BYTES] = [4, 8, 8];

/** What a journal lists: a resume index, and the sizes written of its packs. */
export interface JournalContents extends IndexContents {
  readonly sizes: ReadonlyMap<PackId, number>;
}

/**
 * A record of `kind` about `id`, with `size` and `manifest` for a finished pack, as the parts to
 * write one after another: the manifest is written as it is, not copied (a big pack's manifest
 * copied per pack piled up in buffers only a full collection frees).
 */
function record(kind: number, id: PackId | IndexId, size?: number, manifest?: Uint8Array): Uint8Array[] {
  const headBytes = 1 + ID_BYTES + (manifest ? SIZE_BYTES : 0);
  const head = new Uint8Array(LENGTH_BYTES + headBytes);
  const view = new DataView(head.buffer);
  view.setUint32(0, headBytes + (manifest?.length ?? 0), true);
  head[LENGTH_BYTES] = kind;
  idToDigest(id, head.subarray(LENGTH_BYTES + 1, LENGTH_BYTES + 1 + ID_BYTES));
  if (manifest) view.setFloat64(LENGTH_BYTES + 1 + ID_BYTES, size ?? -1, true);
  const hasher = new IdHasher().update(head.subarray(LENGTH_BYTES));
  if (manifest) hasher.update(manifest);
  const check = idToDigest(hasher.finish()).subarray(0, CHECK_BYTES);
  return manifest ? [head, manifest, check] : [head, check];
}

/** The records listing `packs` (manifests' CBOR, with the `sizes` known) and the indexes `supersedes`, as parts to write in turn. */
function recordsOf(packs: ReadonlyMap<PackId, Uint8Array>, supersedes: Iterable<IndexId>, sizes: ReadonlyMap<PackId, number>): Uint8Array[] {
  const out = [...supersedes].flatMap((id) => record(SUPERSEDES, id));
  for (const [id, manifest] of packs) out.push(...record(PACK, id, sizes.get(id), manifest));
  return out;
}

/**
 * Writes `dir`'s journal afresh, atomically, listing `packs` (manifests' CBOR) with their `sizes`
 * and the indexes `supersedes`.
 */
export function writeJournal(dir: string, packs: ReadonlyMap<PackId, Uint8Array>, supersedes: Iterable<IndexId>, sizes: ReadonlyMap<PackId, number>): void {
  const file = path.join(dir, WIP_JOURNAL);
  scratchWrite(file, () => createJournal(file, recordsOf(packs, supersedes, sizes)));
}

/** Makes the journal `file` holding `records`, atomically (errors as they come: callers name the file). */
function createJournal(file: string, records: readonly Uint8Array[]): void {
  writeFileAtomic(file, [MAGIC, ...records], PRIVATE_FILE, workTempTag());
}

/** A run's journal, appended to as it finishes packs. */
export class WipJournal {
  #fd: number | undefined;

  /** Starts `dir`'s journal afresh listing `start`, or with nothing when it is empty (the file is made with its first record). */
  constructor(
    readonly dir: string,
    start: { readonly packs: ReadonlyMap<PackId, Uint8Array>; readonly supersedes: ReadonlySet<IndexId> },
    sizes: ReadonlyMap<PackId, number>,
  ) {
    // Replaced atomically: a kill meanwhile leaves the adopted journal this run started from.
    if (start.packs.size > 0 || start.supersedes.size > 0) this.#open(() => createJournal(this.path, recordsOf(start.packs, start.supersedes, sizes)));
    else fs.rmSync(this.path, { force: true });
  }

  get path(): string {
    return path.join(this.dir, WIP_JOURNAL);
  }

  /** Records the finished pack `id` of `size` bytes with its manifest's CBOR, durably. */
  addPack(id: PackId, manifest: Uint8Array, size: number): void {
    this.#append(record(PACK, id, size, manifest));
  }

  /** Records that the packs `ids` are no longer listed, durably. */
  dropPacks(ids: readonly PackId[]): void {
    if (ids.length > 0) this.#append(ids.flatMap((id) => record(DROP, id)));
  }

  /** Appends the `parts` of records and fsyncs them (making the file with them if it isn't there yet). */
  #append(parts: readonly Uint8Array[]): void {
    const fd = this.#fd;
    if (fd === undefined) return this.#open(() => createJournal(this.path, parts));
    scratchWrite(this.path, () => {
      for (const r of parts) for (let done = 0; done < r.length; ) done += fs.writeSync(fd, r, done);
      fs.fsyncSync(fd);
    });
  }

  /** Makes the file with `create` and opens it for appending. */
  #open(create: () => void): void {
    scratchWrite(this.path, () => {
      create();
      this.#fd = fs.openSync(this.path, "a");
    });
  }

  /** Closes and removes the file, once what it lists is safely stored. */
  remove(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
    fs.rmSync(this.path, { force: true });
  }
}

/** Whether run directory `dir` has a journal. */
export function hasJournal(dir: string): boolean {
  return fs.existsSync(path.join(dir, WIP_JOURNAL));
}

/**
 * What `dir`'s journal lists (nothing when there is none). A record cut short or damaged ends
 * it: the packs listed after it are made again. An unreadable manifest in a whole record is an error.
 */
export function readJournal(dir: string): JournalContents {
  const file = path.join(dir, WIP_JOURNAL);
  const packs = new Map<PackId, Manifest>();
  const supersedes = new Set<IndexId>();
  const sizes = new Map<PackId, number>();
  if (!fs.existsSync(file)) return { packs, supersedes, sizes };
  const bytes = new Uint8Array(fs.readFileSync(file));
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    log.warn(`Ignoring ${file}: it isn't a backpak WIP journal; the packs it lists will be made again`);
    return { packs, supersedes, sizes };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let at = MAGIC.length;
  while (at < bytes.length) {
    const bodyLength = at + LENGTH_BYTES <= bytes.length ? view.getUint32(at, true) : -1;
    const end = at + LENGTH_BYTES + bodyLength + CHECK_BYTES;
    const body = bytes.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + bodyLength);
    if (bodyLength < 1 + ID_BYTES || end > bytes.length || !sha224(body).subarray(0, CHECK_BYTES).every((b, i) => b === bytes[end - CHECK_BYTES + i])) {
      log.warn(`Ignoring the end of ${file} from byte ${at}: a record there is cut short or damaged (a run killed while writing it); the packs it lists will be made again`);
      break;
    }
    const id = idFromDigest<"pack">(body, 1);
    if (body[0] === SUPERSEDES) supersedes.add(idFromDigest<"index">(body, 1));
    else if (body[0] === PACK) {
      const size = new DataView(body.buffer, body.byteOffset, body.length).getFloat64(1 + ID_BYTES, true);
      packs.set(id, manifestIn(body.subarray(1 + ID_BYTES + SIZE_BYTES), id, file));
      if (size >= 0) sizes.set(id, size);
    } else if (body[0] === DROP) {
      packs.delete(id);
      sizes.delete(id);
    }
    at = end;
  }
  return { packs, supersedes, sizes };
}

/** The manifest of pack `id` whose CBOR `bytes` journal `file` records, saying what to do when it can't be read. */
function manifestIn(bytes: Uint8Array, id: PackId, file: string): Manifest {
  try {
    return decodeManifest(bytes, `the manifest of pack ${id} in ${file}`);
  } catch (err) {
    throw context("corrupt", `Couldn't read ${file}`, err, `delete ${file} to start over`);
  }
}
