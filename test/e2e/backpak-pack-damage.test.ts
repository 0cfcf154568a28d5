/**
 * A pack written as backpak writes one (all its blobs in one streamed zstd frame, which the
 * workers can't split, so it is read whole) damaged three ways: check --read-packs names the pack
 * and every snapshot and path that needs it; restore writes what needs no chunk of it, names
 * each file it couldn't restore, and writes no wrong byte.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { writeBackpakRepo } from "../helpers/backpak-written-repo.ts";
import { damageFile, packRegions, type Damage } from "../helpers/damage.ts";
import { cleanUpAfterThisFile, cli, entriesIn, errorReport, fails, objectIds, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const NEED_THE_PACK = ["data/a.txt", "data/big.bin", "data/sub/c.txt"];

for (const damage of ["flip", "truncate", "zero"] as const satisfies readonly Damage[]) {
  test(`backpak's one-frame chunk pack, ${damage}: check --read-packs names it and the paths; restore names the files it couldn't write`, async () => {
    const repo = tempDir("bpdamage");
    const { chunkPack } = await writeBackpakRepo(repo);
    const file = path.join(repo, "packs", `${chunkPack.id}.pack`);
    const [frame] = packRegions(fs.readFileSync(file)).frames;
    damageFile(file, damage, frame!);
    const work = tempDir("bpdamage-work");

    const check = errorReport(fails(cli(work, repo, ["check", "--read-packs"])));
    expect(check).toContain(`Pack ${chunkPack.id}:`);
    for (const snapshot of objectIds(repo, "snapshots")) {
      const named = [...check.matchAll(new RegExp(`Snapshot ${snapshot}: (\\S+) needs broken pack ${chunkPack.id}`, "g"))].map((m) => m[1]);
      expect(named).toEqual(NEED_THE_PACK);
    }

    const out = tempDir("bpdamage-out");
    const restore = errorReport(fails(cli(work, repo, ["restore", "--output", out, "LAST"])));
    for (const f of NEED_THE_PACK) expect(restore).toContain(`Couldn't restore ${path.join(out, path.relative("data", f))}, which needs pack ${chunkPack.id}`);
    expect(restore).toMatch(/\nHint: \S/);
    // What needs nothing from the pack is restored; nothing else is there.
    expect(entriesIn(out)).toEqual(["empty", "link", "sub/"]);
    expect(fs.statSync(path.join(out, "empty")).size).toBe(0);
    expect(fs.readlinkSync(path.join(out, "link"))).toBe("a.txt");
  });
}
