/** The filesystem backend passes the suite (bare, and under the cache and a filter), and never lists in-progress `.part` files. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { CachedBackend } from "../../src/backend/cache.ts";
import { CacheStore } from "../../src/backend/cache-store.ts";
import { FilterBackend } from "../../src/backend/filter.ts";
import { FilesystemBackend } from "../../src/backend/index.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";
import { backendSuite, ROT13 } from "./suite.ts";

cleanUpAfterThisFile();

const makeRepoDir = (): string => {
  const d = tempDir("fsbackend");
  for (const sub of ["packs", "indexes", "snapshots"]) fs.mkdirSync(path.join(d, sub));
  return d;
};

backendSuite("filesystem", () => new FilesystemBackend(makeRepoDir()));
backendSuite("cache over a rot13 filter over filesystem", () => {
  const storage = new FilesystemBackend(makeRepoDir());
  const filtered = new FilterBackend(storage, ROT13, ROT13, { scratchDir: tempDir("fs-filter-scratch") });
  return { backend: new CachedBackend(filtered, CacheStore.open(tempDir("fs-cache"), 1024 ** 3)), storage };
});

test("filesystem listings ignore .part files", async () => {
  const d = makeRepoDir();
  fs.writeFileSync(path.join(d, "packs", "x.pack.1234.part"), "partial");
  fs.writeFileSync(path.join(d, "packs", "y.pack"), "whole");
  expect(await new FilesystemBackend(d).list("packs/")).toEqual([{ key: "packs/y.pack", size: 5 }]);
});
