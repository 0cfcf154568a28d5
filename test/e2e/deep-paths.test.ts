/**
 * A tree whose paths are far longer than PATH_MAX (4096 bytes), with names as long as NAME_MAX
 * (255 bytes): backup reads it whole, and restore creates it whole (directories, files written by
 * the workers, symlinks, permissions and times at every depth), then compares it with the disk as
 * deep, replaces a changed file at the bottom, and deletes what the snapshot doesn't hold.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { deepContents, inDeepDir } from "../helpers/deep-tree.ts";
import { randomBytes } from "../helpers/random.ts";
import { canMount, withSmallDisk } from "../helpers/tmpfs.ts";
import { cleanUpAfterThisFile, cli, errorReport, fails, lines, ok, setup } from "./harness.ts";

cleanUpAfterThisFile();

const LEVELS = 40;
/** 200-byte directory names: 40 of them make paths of over 8,000 bytes. */
const names = Array.from({ length: LEVELS }, (_, i) => `level-${i}-`.padEnd(200, "x"));
const T = 1_600_000_000.25;
/** Access times in the future, which reading doesn't move (relatime), so restores after reads find nothing changed. */
const A = 4_102_444_800;

/** `data/` with files at a shallow, a middle and the deepest level, a symlink, a private directory and a 255-byte name at the bottom; times and modes pinned. */
function deepTree(data: string): void {
  fs.mkdirSync(data);
  fs.writeFileSync(path.join(data, "top.txt"), "at the top\n");
  inDeepDir(data, names.slice(0, 10), (at) => fs.writeFileSync(at("shallow.txt"), "about 2,000 bytes down\n"));
  inDeepDir(data, names.slice(0, 25), (at) => fs.writeFileSync(at("middle.bin"), randomBytes(5, 200_000)));
  inDeepDir(data, names, (at) => {
    fs.writeFileSync(at("bottom.bin"), randomBytes(6, 3_000_000));
    fs.writeFileSync(at("private.txt"), "only mine\n", { mode: 0o600 });
    fs.writeFileSync(at("n".repeat(255)), "a name as long as NAME_MAX\n");
    fs.symlinkSync("bottom.bin", at("link"));
    fs.mkdirSync(at("locked"), { mode: 0o700 });
    for (const f of ["bottom.bin", "private.txt", "n".repeat(255), "locked"]) fs.utimesSync(at(f), A, T + 1);
    fs.lutimesSync(at("link"), A, T + 1);
  });
  for (const depth of [10, 25]) inDeepDir(data, names.slice(0, depth), (at) => fs.utimesSync(at(depth === 10 ? "shallow.txt" : "middle.bin"), A, T + 2));
  // Directories last, deepest first, since creating entries moves their times.
  for (let depth = LEVELS - 1; depth >= 0; depth--) inDeepDir(data, names.slice(0, depth), (at) => fs.utimesSync(at(names[depth]!), A, T + 3 + depth));
  fs.utimesSync(path.join(data, "top.txt"), A, T);
  fs.utimesSync(data, A, T);
}

test("a tree deeper than PATH_MAX backs up and restores byte for byte, with its modes and times", () => {
  const { work, repo } = setup("deep-paths");
  const data = path.join(work, "data");
  deepTree(data);
  const want = deepContents(data);
  expect(Object.keys(want).some((p) => Buffer.byteLength(path.join(data, p)) > 8000)).toBe(true);

  ok(cli(work, repo, ["backup", data]));
  const out = path.join(work, "out");
  const restore = (): string[] => lines(ok(cli(work, repo, ["restore", "--output", out, "--times", "--permissions", "LAST"])).stdout);
  expect(restore().filter((l) => l.startsWith("+ ")).length).toBe(Object.keys(want).length);
  // Again over what is there: the disk is compared as deep,
  // and only the symlink differs, since a new one keeps the time it was made at (as in backpak).
  const short = (l: string): string => `${l.slice(0, 2)}${path.basename(l)}`;
  expect(restore().map(short)).toEqual(["T link -> bottom.bin"]);
  expect(restore()).toEqual([]);
  expect(deepContents(out)).toEqual(want);

  // A changed file at the bottom is written beside itself and renamed over.
  inDeepDir(out, names, (at) => fs.writeFileSync(at("bottom.bin"), "changed since"));
  expect(restore().map(short)).toEqual(["C bottom.bin"]);
  // (Renaming it into place moves its directory's mtime, as at any depth; files are compared.)
  const files = (c: Record<string, string>): string[][] => Object.entries(c).filter(([p]) => !p.endsWith("/"));
  expect(files(deepContents(out))).toEqual(files(want));

  // What isn't in the snapshot goes with --delete, however deep.
  inDeepDir(out, [...names.slice(0, 30), "extra"], (at) => fs.writeFileSync(at("gone.txt"), "not in the snapshot\n"));
  const removed = lines(ok(cli(work, repo, ["restore", "--output", out, "--delete", "LAST"])).stdout).filter((l) => l.startsWith("- "));
  expect(removed.map(short)).toEqual(["- extra", "- gone.txt"]);
  expect(files(deepContents(out))).toEqual(files(want));
});

test.skipIf(!canMount)("a deep file the workers can't write (a full disk) is named by its own path", () => {
  const { work, repo } = setup("deep-full");
  const data = path.join(work, "data");
  deepTree(data);
  ok(cli(work, repo, ["backup", data]));
  withSmallDisk("deep-full-disk", 1, (disk) => {
    const out = path.join(disk, "out");
    const report = errorReport(fails(cli(work, repo, ["restore", "--output", out, "LAST"])));
    expect(report).toContain(`Couldn't write ${out}/${names.join("/")}/bottom.bin`);
    expect(report).not.toContain("/proc/self/fd/");
  });
});
