/** Writes the "many" corpus: N small files (0-8 KiB, about 1.5 KiB on average) of seeded text, random bytes and duplicates, the same bytes on every machine. */
import fs from "node:fs";
import path from "node:path";
import { prng, randomBytes } from "../../test/helpers/random.ts";

/** Writes `count` files under `dir` in leaf directories of 1,000 (`d00/d00/f0000000.txt` ...). */
export function writeMany(dir: string, count: number): void {
  const next = prng(20261202);
  const unit = (): number => (next() + 0.5) / 2 ** 32;
  const letters = "abcdefghijklmnopqrstuvwxyz_";
  const words = Array.from({ length: 5000 }, () => {
    const n = 2 + (next() % 11);
    return new TextEncoder().encode(Array.from({ length: n }, () => letters[next() % letters.length]).join("") + " ");
  });
  // Sizes are log-normal like real small files (median ~1 KiB), capped at 8 KiB.
  const size = (): number => Math.min(8192, Math.floor(Math.exp(6.9 + 0.9 * Math.sqrt(-2 * Math.log(unit())) * Math.cos(2 * Math.PI * unit()))));
  const earlier: Uint8Array[] = [];
  let leaf = "";
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `d${String(Math.floor(i / 100_000)).padStart(2, "0")}`, `d${String(Math.floor(i / 1000) % 100).padStart(2, "0")}`);
    if (sub !== leaf) fs.mkdirSync((leaf = sub), { recursive: true });
    const kind = next() % 100;
    let data: Uint8Array;
    if (kind < 5 && earlier.length > 0) {
      data = earlier[next() % earlier.length]!;
    } else if (kind < 75) {
      data = new Uint8Array(size());
      for (let off = 0; off < data.length; ) {
        const w = words[next() % words.length]!;
        data.set(w.subarray(0, data.length - off), off);
        off += w.length;
      }
    } else {
      data = randomBytes(next(), size());
    }
    if (earlier.length < 2000 && next() % 100 === 0) earlier.push(data);
    fs.writeFileSync(path.join(sub, `f${String(i).padStart(7, "0")}.${kind < 75 ? "txt" : "bin"}`), data);
  }
}
