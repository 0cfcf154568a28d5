/** Prune reclaims what interrupted runs leave: old packs and superseded indexes of a killed prune, and blobs stored twice. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, listedSnapshots, objectIds, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

/** A directory of seeded random files, each named after its seed. */
function writeFiles(dir: string, seeds: readonly number[]): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const s of seeds) fs.writeFileSync(path.join(dir, `f${s}`), randomBytes(s, 200_000 + s));
  return dir;
}

function expectRestores(work: string, repo: string, snapshot: string, expected: string): void {
  const out = tempDir("prune-leftovers-out");
  ok(cli(work, repo, ["restore", "--output", out, snapshot]));
  expect(contentsOf(out)).toEqual(contentsOf(expected));
}

/** check --read-packs passes with no warning of unlisted packs or blobs stored twice. */
function expectClean(work: string, repo: string): void {
  const { stderr } = ok(cli(work, repo, ["check", "--read-packs"]));
  expect(stderr).not.toContain("not listed in any index");
  expect(stderr).not.toContain("more than one pack");
}

test("a rerun prune deletes the old packs and indexes that a prune killed after storing its new index left", () => {
  const { work, repo } = setup("prune-killed");
  const data = writeFiles(path.join(work, "data"), [1, 2, 3]);
  ok(cli(work, repo, ["backup", data]));
  fs.rmSync(path.join(data, "f2"));
  ok(cli(work, repo, ["backup", data]));
  ok(cli(work, repo, ["forget", listedSnapshots(work, repo)[0]!]));
  const saved = tempDir("prune-killed-saved");
  fs.cpSync(repo, saved, { recursive: true });

  expect(ok(cli(work, repo, ["prune"])).stdout).toContain("rewrite 1");
  const packs = objectIds(repo, "packs");
  const indexes = objectIds(repo, "indexes");
  // What a prune killed right after storing its index leaves: the new index beside every old object.
  for (const dir of ["packs", "indexes"]) fs.cpSync(path.join(saved, dir), path.join(repo, dir), { recursive: true, force: false });
  expect(objectIds(repo, "packs").length).toBeGreaterThan(packs.length);
  expect(objectIds(repo, "indexes").length).toBeGreaterThan(indexes.length);

  const rerun = ok(cli(work, repo, ["prune"])).stdout;
  expect(rerun).not.toContain("Nothing to do");
  expect(rerun).toContain("that no index lists");
  expect(objectIds(repo, "packs")).toEqual(packs);
  expect(objectIds(repo, "indexes")).toEqual(indexes);
  expectClean(work, repo);
  expectRestores(work, repo, "LAST", data);
  expect(ok(cli(work, repo, ["prune"])).stdout).toContain("Nothing to do");
});

test("blobs stored twice (a lost index, then rebuild-index) are reclaimed by prune, and check says to run it", () => {
  const { work, repo } = setup("prune-twice");
  const first = writeFiles(path.join(work, "first"), [1, 2]);
  ok(cli(work, repo, ["backup", first]));
  // The index is lost, so the next backup packs f1 and f2 again.
  for (const id of objectIds(repo, "indexes")) fs.rmSync(path.join(repo, "indexes", `${id}.index`));
  const second = writeFiles(path.join(work, "second"), [1, 2, 3]);
  ok(cli(work, repo, ["backup", second]));
  ok(cli(work, repo, ["rebuild-index"]));
  const warned = ok(cli(work, repo, ["check"])).stderr;
  expect(warned).toMatch(/\d+ blobs are stored in more than one pack.*run `backpak prune`/);

  const out = ok(cli(work, repo, ["prune"]));
  expect(out.stdout).not.toContain("Nothing to do");
  expectClean(work, repo);
  const [a, b] = listedSnapshots(work, repo);
  expectRestores(work, repo, a!, first);
  expectRestores(work, repo, b!, second);
  expect(ok(cli(work, repo, ["prune"])).stdout).toContain("Nothing to do");
});
