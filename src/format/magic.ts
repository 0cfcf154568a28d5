/** The permanent on-disk identifiers: magic bytes and versions of every file kind, in one table. */

export const PACK_MAGIC = "MKBAKPAK1";
export const INDEX_MAGIC = "MKBAKIDX1";
export const SNAPSHOT_MAGIC = "MKBAKSNP";
/** Snapshot versions readers accept; writers emit the last one. */
export const SNAPSHOT_VERSIONS = ["1", "2"] as const;
export type SnapshotVersion = (typeof SNAPSHOT_VERSIONS)[number];
export const SNAPSHOT_WRITE_VERSION: SnapshotVersion = "2";

/** File extensions of the three object kinds, and the repository folders holding them. */
export const OBJECT_DIRS = { pack: "packs", index: "indexes", snapshot: "snapshots" } as const;
export type ObjectKind = keyof typeof OBJECT_DIRS;

/** The folder of lock objects (our extension: backpak 0.3.0 neither makes nor reads it). */
export const LOCKS_DIR = "locks";

const encoder = new TextEncoder();
export function magicBytes(magic: string): Uint8Array {
  return encoder.encode(magic);
}

/** True when `data` starts with `magic`. */
export function hasMagic(data: Uint8Array, magic: string): boolean {
  if (data.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (data[i] !== magic.charCodeAt(i)) return false;
  return true;
}
