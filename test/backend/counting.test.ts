/** The counting decorator tallies requests by kind (failed ones too) and the bytes moved. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { CountingBackend, MemoryBackend } from "../../src/backend/index.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

test("every kind of request is counted, whether it succeeds or not", async () => {
  const counting = new CountingBackend(new MemoryBackend());
  const file = path.join(tempDir("counting"), "obj");
  fs.writeFileSync(file, "12345");
  await counting.put("packs/a.pack", file);
  await counting.read("packs/a.pack");
  (await counting.openRange("packs/a.pack")).close();
  await counting.read("packs/missing.pack").catch(() => {});
  await counting.list("packs/");
  await counting.remove("packs/a.pack");
  await counting.remove("packs/a.pack").catch(() => {});
  expect(counting.traffic).toEqual({ downloaded: 5, uploaded: 5, requests: { list: 1, get: 3, put: 1, delete: 2 } });
});
