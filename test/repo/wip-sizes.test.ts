/** The pack sizes kept beside a WIP index: written for the listed packs only, read back, and ignored (trusting the listing, as before) when they can't be read. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import type { PackId } from "../../src/format/id.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { readWipSizes, WIP_SIZES, writeWipSizes } from "../../src/repo/wip-sizes.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

const a = hashId<"pack">("a") as PackId;
const b = hashId<"pack">("b") as PackId;
const c = hashId<"pack">("c") as PackId;

test("the sizes of the listed packs are written and read back; a pack no longer listed is left out", () => {
  const dir = tempDir("wip-sizes");
  writeWipSizes(dir, new Map([[a, 1048583], [b, 17], [c, 5]]), [a, b]);
  expect(readWipSizes(dir)).toEqual(new Map([[a, 1048583], [b, 17]]));
  expect(fs.readdirSync(dir)).toEqual([WIP_SIZES]);
});

test("a run directory without sizes (an earlier version's) or with a damaged file has none", () => {
  const dir = tempDir("wip-sizes-none");
  expect(readWipSizes(dir).size).toBe(0);
  fs.writeFileSync(path.join(dir, WIP_SIZES), `${a} 12\n${b} twelve\n`);
  expect(readWipSizes(dir).size).toBe(0);
});
