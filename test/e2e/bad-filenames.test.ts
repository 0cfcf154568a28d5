/** Port of backpak's tests/bad-filenames.rs: a non-UTF-8 name fails the backup before anything is written. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, EMPTY_REPO, entriesIn, errorReport, fails, filesIn, setup } from "./harness.ts";

cleanUpAfterThisFile();

test("bad_filename", () => {
  const { work, repo } = setup("badname");
  const foo = path.join(work, "foo");
  fs.mkdirSync(foo);
  fs.writeFileSync(path.join(foo, "bar"), "");
  // "fo\x80o", borrowed from OsStr's docs: not UTF-8.
  fs.writeFileSync(Buffer.concat([Buffer.from(`${foo}/`), Buffer.from([0x66, 0x6f, 0x80, 0x6f])]), "");
  expect(filesIn(work).length).toBe(2);

  const r = fails(cli(work, repo, ["backup", foo]));
  expect(errorReport(r)).toContain(foo);

  // Failed fast, before the backup spat out any pack or other file...
  const files = filesIn(work);
  expect(files.filter((f) => f.endsWith(".pack"))).toEqual([]);
  expect(files.length).toBe(2); // foo/bar and foo/<junk>
  expect(entriesIn(work)).toEqual(["foo/", ...files]);
  // ...or anything in the repository.
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
});
