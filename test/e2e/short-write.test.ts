/**
 * Storage that keeps only part of an upload and reports success (BACKPAK_BACKEND_FAULT "short"):
 * the run fails naming the object, no index or snapshot refers to what was cut short, and the
 * next run stores it again, also when the run was killed before it could check.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, objectIds, ok, randomSourceAndRepo, spawnCli, tempDir } from "./harness.ts";
import { scratchRootOf, whenRun } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

/** A repository with 1 MiB packs and a source of 6 MB that doesn't compress, plus a small file. */
function setupSource(label: string): { work: string; repo: string; src: string } {
  const made = randomSourceAndRepo(label, 3, 2 << 20);
  fs.writeFileSync(path.join(made.src, "small"), "hello\n");
  return made;
}

/** The repository checks clean, and a backup without faults completes and restores byte for byte. */
function recovers(work: string, repo: string, src: string): void {
  ok(cli(work, repo, ["check", "--read-packs"]));
  ok(cli(work, repo, ["backup", src]));
  ok(cli(work, repo, ["check", "--read-packs"]));
  const out = tempDir("short-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
}

for (const [folder, what] of [["packs", "pack"], ["indexes", "index"], ["snapshots", "snapshot"]] as const) {
  test(`a backup whose ${what} is stored short fails naming it, and nothing refers to it`, () => {
    const { work, repo, src } = setupSource(`short-${folder}`);
    const r = fails(cli(work, repo, ["backup", src], { env: { BACKPAK_BACKEND_FAULT: `put:${folder}/:*:short` } }));
    const report = errorReport(r);
    expect(report).toMatch(new RegExp(`The storage didn't keep what was written: ${folder}/[0-9a-v]+\\.[a-z]+ \\(\\d+ bytes stored, not \\d+\\)`));
    expect(report).toContain("run the command again");
    expect(objectIds(repo, "snapshots")).toEqual([]);
    recovers(work, repo, src);
  });
}

test("a pack stored short before another upload fails is named, and the resumed run doesn't trust it", () => {
  const { work, repo, src } = setupSource("short-then-eio");
  const r = fails(cli(work, repo, ["backup", src], { env: { BACKPAK_BACKEND_FAULT: "put:packs/:1:short,put:packs/:3:EIO" } }));
  expect(errorReport(r)).toMatch(/Couldn't store packs\/[0-9a-v]+\.pack[\s\S]*EIO/);
  expect(r.stderr).toMatch(/WARN The storage didn't keep what was written: packs\/[0-9a-v]+\.pack \(\d+ bytes stored, not \d+\)/);
  recovers(work, repo, src);
});

test("a pack stored short by a backup killed before its end-of-run check isn't trusted by the rerun", async () => {
  const { work, repo, src } = setupSource("short-killed");
  // The first pack is stored short and every later pack's upload hangs, so the run never gets to
  // its check; it is killed once the short pack is in the repository.
  const proc = spawnCli(work, repo, ["backup", src], { BACKPAK_BACKEND_FAULT: "put:packs/:1:short,put:packs/:2+:hang" });
  await whenRun(scratchRootOf(repo), proc, () => objectIds(repo, "packs").length === 1);
  proc.kill("SIGKILL");
  await proc.exited;
  const [short] = objectIds(repo, "packs");

  const rerun = ok(cli(work, repo, ["backup", src]));
  expect(rerun.stderr).toContain("WIP index file found, resuming where we left off");
  expect(rerun.stderr).toMatch(new RegExp(`Pack ${short} of the WIP index is stored with \\d+ bytes, not the \\d+ written; it will be deleted and its blobs packed again`));
  const { stderr } = ok(cli(work, repo, ["check", "--read-packs"]));
  expect(stderr).not.toContain("not listed in any index");
  const out = tempDir("short-killed-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
});
