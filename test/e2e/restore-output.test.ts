/**
 * A restore which leaves something undone says so and fails.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

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
