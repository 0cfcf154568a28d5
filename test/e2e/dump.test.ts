/** Port of backpak's tests/dump.rs: dump lists a directory, prints a file's exact bytes, and refuses bad paths. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { srcTopLevel, writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, errorReport, fails, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("dump_src", () => {
  const { work, repo } = setup("dump");
  const project = tempDir("dump-project");
  const src = writeSrcTree(project);
  // Unlike backpak ("src/link.rs-> main.rs"), a symlink in a dumped directory prints like ls does.
  fs.symlinkSync("main.rs", path.join(src, "link.rs"));
  ok(cli(work, repo, ["backup", src]));

  // A directory works like a non-recursive ls: "src/" then one line per entry.
  const listing = ok(cli(work, repo, ["dump", "LAST", "src"])).stdout;
  const entries = fs.readdirSync(src);
  expect(listing).toStartWith("src/");
  expect(listing.split("\n").filter((l) => l !== "").length).toBe(entries.length + 1);
  for (const e of entries) expect(listing).toContain(`src/${e}`);
  const expected = ["src/", ...[...srcTopLevel(), "link.rs -> main.rs"].sort().map((e) => `src/${e}`)];
  expect(listing).toBe(expected.join("\n") + "\n");

  // A file is printed byte for byte, to stdout or with -o to a file.
  const mainBytes = fs.readFileSync(path.join(src, "main.rs"));
  const dumped = ok(cli(work, repo, ["dump", "LAST", "src/main.rs"]));
  expect(Buffer.from(dumped.stdoutBytes).equals(mainBytes)).toBe(true);
  expect(dumped.stdout).toBe(mainBytes.toString());
  const nested = ok(cli(work, repo, ["dump", "LAST", "src/backend/fs.rs"]));
  expect(Buffer.from(nested.stdoutBytes).equals(fs.readFileSync(path.join(src, "backend/fs.rs")))).toBe(true);
  const outFile = path.join(tempDir("dump-out"), "main.rs");
  const toFile = ok(cli(work, repo, ["dump", "-o", outFile, "LAST", "src/main.rs"]));
  expect(toFile.stdoutBytes.length).toBe(0);
  expect(fs.readFileSync(outFile).equals(mainBytes)).toBe(true);

  // An empty file dumps as nothing.
  expect(ok(cli(work, repo, ["dump", "LAST", "src/prettify.rs"])).stdoutBytes.length).toBe(0);

  // Errors.
  const err = (p: string): string => errorReport(fails(cli(work, repo, ["dump", "LAST", p])));
  expect(err("src/nope.rs")).toContain("Couldn't find src/nope.rs in the given snapshot");
  expect(err("src/main.rs/nope")).toContain("src/main.rs is a file, not a directory");
  expect(err("src/../src/main.rs")).toContain("dump doesn't support absolute paths, .., etc.");
  expect(err(path.join(src, "main.rs"))).toContain("dump doesn't support absolute paths, .., etc.");
  expect(err("/abs")).toContain("dump doesn't support absolute paths, .., etc.");
});
