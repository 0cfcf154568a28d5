/** The filesystem backend passes the suite, and never lists in-progress `.part` files. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { FilesystemBackend } from "../../src/backend/index.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";
import { backendSuite } from "./suite.ts";

cleanUpAfterThisFile();

const makeRepoDir = (): string => {
  const d = tempDir("fsbackend");
  for (const sub of ["packs", "indexes", "snapshots"]) fs.mkdirSync(path.join(d, sub));
  return d;
};

backendSuite("filesystem", () => new FilesystemBackend(makeRepoDir()));

test("filesystem listings ignore .part files", async () => {
  const d = makeRepoDir();
  fs.writeFileSync(path.join(d, "packs", "x.pack.1234.part"), "partial");
  fs.writeFileSync(path.join(d, "packs", "y.pack"), "whole");
  expect(await new FilesystemBackend(d).list("packs/")).toEqual([{ key: "packs/y.pack", size: 5 }]);
});
