/** Reads which glibc version an ELF executable needs: the highest GLIBC_x.y among its versioned symbol requirements (.gnu.version_r). */
import fs from "node:fs";

/** Section type of the version-needed table (SHT_GNU_verneed). */
const SHT_GNU_VERNEED = 0x6ffffffe;

/** `n` bytes of the open file `fd` from `offset`. */
function readAt(fd: number, offset: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  if (fs.readSync(fd, buf, 0, n, offset) !== n) throw new Error(`the file ends before byte ${offset + n}`);
  return buf;
}

interface Section {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
}

function sections(fd: number): Section[] {
  const header = readAt(fd, 0, 64);
  if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) throw new Error("not a 64-bit little-endian ELF file");
  const shoff = Number(header.readBigUInt64LE(0x28));
  const shentsize = header.readUInt16LE(0x3a);
  const shnum = header.readUInt16LE(0x3c);
  const table = readAt(fd, shoff, shentsize * shnum);
  return Array.from({ length: shnum }, (_, i) => {
    const s = table.subarray(i * shentsize);
    return { type: s.readUInt32LE(4), offset: Number(s.readBigUInt64LE(24)), size: Number(s.readBigUInt64LE(32)), link: s.readUInt32LE(40), info: s.readUInt32LE(44) };
  });
}

/** Every version `file` requires of its shared libraries, e.g. `GLIBC_2.17`, `GLIBC_2.2.5`. */
export function requiredVersions(file: string): string[] {
  const fd = fs.openSync(file, "r");
  try {
    const all = sections(fd);
    const verneed = all.find((s) => s.type === SHT_GNU_VERNEED);
    if (!verneed) return [];
    const strtab = all[verneed.link]!;
    const strings = readAt(fd, strtab.offset, strtab.size);
    const name = (at: number): string => strings.toString("latin1", at, strings.indexOf(0, at));
    const table = readAt(fd, verneed.offset, verneed.size);
    const versions: string[] = [];
    let need = 0;
    for (let i = 0; i < verneed.info; i++) {
      let aux = need + table.readUInt32LE(need + 8);
      for (let j = 0; j < table.readUInt16LE(need + 2); j++) {
        versions.push(name(table.readUInt32LE(aux + 8)));
        aux += table.readUInt32LE(aux + 12);
      }
      need += table.readUInt32LE(need + 12);
    }
    return versions;
  } finally {
    fs.closeSync(fd);
  }
}

/** Compares dotted version numbers (`2.2.5` < `2.17`). */
function byVersion(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** The oldest glibc that can run `file` (e.g. "2.17"), or undefined when it needs no versioned glibc symbol. */
export function glibcNeeded(file: string): string | undefined {
  const glibc = requiredVersions(file).filter((v) => v.startsWith("GLIBC_")).map((v) => v.slice("GLIBC_".length));
  return glibc.sort(byVersion).at(-1);
}
