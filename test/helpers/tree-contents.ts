/** What a directory holds, entry by entry, so tests and scripts can compare two trees byte for byte. */
import fs from "node:fs";
import path from "node:path";

/**
 * Every entry under `dir`, relative, sorted, directories with a trailing `/`. Names are read as
 * bytes so non-UTF-8 names are listed too (decoded lossily).
 */
export function entriesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: Buffer, rel: string): void => {
    for (const name of fs.readdirSync(abs, { encoding: "buffer" })) {
      const child = Buffer.concat([abs, Buffer.from("/"), name]);
      const r = rel === "" ? name.toString() : `${rel}/${name.toString()}`;
      if (fs.lstatSync(child).isDirectory()) {
        out.push(`${r}/`);
        walk(child, r);
      } else out.push(r);
    }
  };
  walk(Buffer.from(dir), "");
  return out.sort();
}

/**
 * A directory's entries and what they hold: each file as a hex SHA-256 of its bytes, each
 * symlink as `-> target`, each directory as `/`. Two trees are byte-for-byte the same when these are equal.
 */
export function contentsOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of entriesIn(dir)) {
    const p = path.join(dir, rel);
    const st = fs.lstatSync(p);
    if (st.isDirectory()) out[rel] = "/";
    else if (st.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(p)}`;
    else out[rel] = new Bun.CryptoHasher("sha256").update(fs.readFileSync(p)).digest("hex");
  }
  return out;
}
