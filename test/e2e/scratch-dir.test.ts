/** The working directory is backpak's scratch space: when it can't be written, the error says so and how to choose another. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, errorReport, fails, ok, run, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

// As root every directory is writable, so there the binary runs as nobody (uid 65534).
test("a working directory backup can't write in is named as the scratch directory, with -C as the way out", () => {
  const { work, repo } = setup("scratch");
  const data = tempDir("scratch-data");
  fs.writeFileSync(path.join(data, "f.txt"), "some data");
  const readOnly = tempDir("scratch-readonly");
  for (const d of [work, repo, data, ...["packs", "indexes", "snapshots", "locks"].map((s) => path.join(repo, s))]) fs.chmodSync(d, 0o777);
  fs.chmodSync(readOnly, 0o555);
  const r = fails(run(["--config", "", "-r", repo, "backup", data], { asUser: 65534, cwd: readOnly }));
  expect(errorReport(r)).toContain(`Can't write in ${readOnly}, the scratch directory for packs, indexes and snapshots`);
  expect(errorReport(r)).toContain("-C <DIR>");
  expect(fs.readdirSync(readOnly)).toEqual([]);
  expect(fs.readdirSync(path.join(repo, "packs"))).toEqual([]);
  // With -C pointing somewhere writable, the same backup works.
  ok(run(["-C", work, "--config", "", "-r", repo, "backup", data], { asUser: 65534, cwd: readOnly }));
});
