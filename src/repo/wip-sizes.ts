/**
 * The sizes of the finished packs a run's WIP index lists, kept beside it in the run's scratch
 * directory as `backpak-wip.sizes` (one `<pack id> <bytes>` line per pack, written atomically
 * before the WIP index that lists a new pack). The WIP index itself becomes the run's index, so
 * its format stays backpak's and can't carry them. A resumed run compares them with the sizes
 * listed in the repository, so a pack stored short by a run killed before its end-of-run check
 * isn't trusted (see resume.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { isId, type PackId } from "../format/id.ts";
import { PRIVATE_FILE, writeFileAtomic } from "../lib/fsutil.ts";
import { log } from "../lib/log.ts";
import { scratchWrite, workTempTag } from "./work-temps.ts";

export const WIP_SIZES = "backpak-wip.sizes";

/** The sizes recorded in run directory `dir`, by pack; empty when there are none (a run of an earlier version) or they can't be read. */
export function readWipSizes(dir: string): Map<PackId, number> {
  const file = path.join(dir, WIP_SIZES);
  if (!fs.existsSync(file)) return new Map();
  const sizes = new Map<PackId, number>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line === "") continue;
    const m = /^(\S+) (\d+)$/.exec(line);
    if (!m || !isId(m[1]!)) {
      log.warn(`Ignoring ${file}: can't read the line ${JSON.stringify(line)}; the packs of the WIP index are trusted at the sizes the repository lists`);
      return new Map();
    }
    sizes.set(m[1] as PackId, Number(m[2]));
  }
  return sizes;
}

/** Writes the sizes of the packs `listed` (those the WIP index lists) into run directory `dir`, atomically. */
export function writeWipSizes(dir: string, sizes: ReadonlyMap<PackId, number>, listed: Iterable<PackId>): void {
  const file = path.join(dir, WIP_SIZES);
  let text = "";
  for (const id of listed) {
    const size = sizes.get(id);
    if (size !== undefined) text += `${id} ${size}\n`;
  }
  scratchWrite(file, () => writeFileAtomic(file, text, PRIVATE_FILE, workTempTag()));
}
