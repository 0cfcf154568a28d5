/**
 * Where `restore --output DIR` puts a snapshot that isn't one directory (a single file goes in as
 * DIR/<name>), and that a restore which leaves something undone says so and fails.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, lines, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("a snapshot of one file is restored into --output DIR as DIR/<name>", () => {
  const { work, repo } = setup("one-file");
  const data = tempDir("one-file-data");
  fs.mkdirSync(path.join(data, "some"));
  fs.writeFileSync(path.join(data, "some", "file.txt"), "one file\n");
  ok(cli(work, repo, ["backup", path.join(data, "some", "file.txt")]));
  const out = path.join(tempDir("one-file-out"), "out");

  const r = ok(cli(work, repo, ["restore", "-o", out, "LAST"]));
  expect(lines(r.stdout)).toContain(`+ ${path.join(out, "file.txt")}`);
  expect(contentsOf(out)).toEqual(contentsOf(path.join(data, "some")));
  // Restoring again finds nothing to change.
  expect(lines(ok(cli(work, repo, ["restore", "-o", out, "LAST"])).stdout).filter((l) => /^[+\-C] /.test(l))).toEqual([]);
});

test("a directory in the way of a file isn't replaced without --delete: the rest is restored and the restore fails, naming it", () => {
  const { work, repo } = setup("in-the-way");
  const data = tempDir("in-the-way-data");
  fs.writeFileSync(path.join(data, "x"), "x\n");
  fs.writeFileSync(path.join(data, "y"), "y\n");
  ok(cli(work, repo, ["backup", data]));
  const out = tempDir("in-the-way-out");
  fs.mkdirSync(path.join(out, "x"));

  const r = fails(cli(work, repo, ["restore", "-o", out, "LAST"]));
  expect(errorReport(r)).toContain(`Won't replace dir ${path.join(out, "x")} with file without --delete`);
  expect(errorReport(r)).toContain("--delete");
  expect(fs.readFileSync(path.join(out, "y"), "utf8")).toBe("y\n");
  expect(fs.statSync(path.join(out, "x")).isDirectory()).toBe(true);
  fails(cli(work, repo, ["restore", "--dry-run", "-o", out, "LAST"]));

  ok(cli(work, repo, ["restore", "--delete", "-o", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(data));
});
