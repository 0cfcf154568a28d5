/**
 * A pack damaged beyond reading, with the index damaged too: rebuild-index names the pack and
 * leaves it out, check names every file whose data is lost, restore names them, and the next
 * backup stores those files again rather than pointing at data the repository no longer has,
 * which mends the older snapshot too.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { damageFile, packRegions, wholeFile } from "../helpers/damage.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, objectIds, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const FILES = ["data/a.bin", "data/b.bin", "data/sub/notes.txt"];

test("rebuild-index leaves out a pack it can't read and says so; check and restore name what is lost; the next backup stores it again, mending the snapshot", () => {
  const { work, repo } = setup("lost-pack");
  const data = path.join(tempDir("lost-pack-data"), "data");
  fs.mkdirSync(path.join(data, "sub"), { recursive: true });
  fs.writeFileSync(path.join(data, "a.bin"), randomBytes(31, 1_500_000));
  fs.writeFileSync(path.join(data, "b.bin"), randomBytes(32, 1_500_000));
  fs.writeFileSync(path.join(data, "sub", "notes.txt"), "notes\n");
  ok(cli(work, repo, ["backup", data]));
  const [first] = objectIds(repo, "snapshots");
  const [index] = objectIds(repo, "indexes");
  // The chunk pack is the big one; cut it inside its blob stream, so its manifest is gone.
  const chunkPack = objectIds(repo, "packs").sort((a, b) => fs.statSync(path.join(repo, "packs", `${b}.pack`)).size - fs.statSync(path.join(repo, "packs", `${a}.pack`)).size)[0]!;
  const packFile = path.join(repo, "packs", `${chunkPack}.pack`);
  damageFile(packFile, "truncate", packRegions(fs.readFileSync(packFile)).frames[0]!);
  const indexFile = path.join(repo, "indexes", `${index}.index`);
  damageFile(indexFile, "flip", wholeFile(indexFile));

  const rebuild = errorReport(fails(cli(work, repo, ["rebuild-index"])));
  expect(rebuild).toContain(`ERROR Leaving out packs/${chunkPack}.pack, whose manifest can't be read`);
  expect(rebuild).toContain("Error: The rebuilt index leaves out 1 damaged pack (named above): the blobs in it are lost");
  expect(rebuild).toContain(`Hint: \`backpak check\` names the snapshots and files that needed them; put back good copies of packs/${chunkPack}.pack`);
  // The damaged index is replaced all the same.
  expect(objectIds(repo, "indexes")).not.toContain(index);
  expect(objectIds(repo, "indexes")).toHaveLength(1);

  const check = errorReport(fails(cli(work, repo, ["check"])));
  const named = [...check.matchAll(/Snapshot (\S+): (\S+) needs chunk \S+, which no index lists/g)].map((m) => `${m[1]} ${m[2]}`);
  expect(named).toEqual(FILES.map((f) => `${first} ${f}`));

  const out = tempDir("lost-pack-out");
  const restore = errorReport(fails(cli(work, repo, ["restore", "--output", out, first!])));
  for (const f of FILES) expect(restore).toContain(`Couldn't restore ${path.join(out, path.relative("data", f))}`);
  expect(contentsOf(out)).toEqual({ "sub/": "/" });

  // The files are unchanged since the first backup, but their chunks are gone: they are read again.
  const again = ok(cli(work, repo, ["backup", data]));
  expect(again.stderr).toContain("3 files of the parent snapshot need chunks no index lists; reading them again");
  // Chunks are named by their contents, so storing them again heals the first snapshot too.
  ok(cli(work, repo, ["check", "--read-packs"]));
  for (const id of objectIds(repo, "snapshots")) {
    const dest = tempDir("lost-pack-again");
    ok(cli(work, repo, ["restore", "--output", dest, id]));
    expect(contentsOf(dest)).toEqual(contentsOf(data));
  }
});
