/**
 * The restore's file writer holds a bounded amount: files are written a batch at a time while the
 * next batch is queued, so however many files a restore queues, at most two batches of them are
 * created and not yet complete; every file still comes out whole, chunks shared between batches
 * included.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { FilesystemBackend } from "../../src/backend/filesystem.ts";
import { loadMasterIndex, openRepository } from "../../src/repo/index.ts";
import { FileWriter, newWriteProgress } from "../../src/ops/file-writer.ts";
import { craftedRepo, dirNode, fileNode, treeOf, writeIndex, writePack } from "../helpers/craft-repo.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

test("at most two batches of files are pending while 200 files in 20 directories are queued in batches of 10", async () => {
  const { repo, work } = craftedRepo("file-writer");
  const chunks = Array.from({ length: 50 }, (_, i) => randomBytes(i + 1, 500 + i));
  // Two packs, so a batch reads from both, and one chunk is in every file.
  writeIndex(repo, [await writePack(repo, chunks.slice(0, 25), "chunk"), await writePack(repo, chunks.slice(25), "chunk")]);
  const opened = openRepository(repo, (_config, location) => ({ backend: new FilesystemBackend(location), locks: new FilesystemBackend(location) }));
  const index = await loadMasterIndex(opened.backend);
  const progress = newWriteProgress();
  const writer = new FileWriter(opened, index, { times: false, permissions: false }, progress, { items: 10, bytes: 1 << 30 });
  const out = path.join(work, "out");
  fs.mkdirSync(out);
  const parts = (i: number) => [chunks[i % 50]!, chunks[(i * 7 + 3) % 50]!, chunks[0]!];
  const at = (i: number) => path.join(out, `d${Math.floor(i / 10)}`, `f${i}`);
  let most = 0;
  try {
    for (let i = 0; i < 200; i++) {
      if (i % 10 === 0) fs.mkdirSync(path.dirname(at(i)));
      await writer.file(at(i), fileNode(parts(i)), false);
      most = Math.max(most, writer.pendingFiles);
      // A batch closes at the end of a directory once it is full: here, each holds one directory.
      if (i % 10 === 9) await writer.dir(path.dirname(at(i)), dirNode(treeOf({})));
    }
    expect(await writer.finish()).toEqual([]);
  } finally {
    await writer.close();
  }
  expect(most).toBeLessThanOrEqual(20);
  expect(most).toBeGreaterThanOrEqual(10);
  expect(writer.batches).toBe(20);
  expect(progress.filesDone).toBe(200);
  for (let i = 0; i < 200; i++) expect(Buffer.compare(fs.readFileSync(at(i)), Buffer.concat(parts(i)))).toBe(0);
});

test("a pack that lists a chunk twice restores the files that use it, from the chunk's first place", async () => {
  const { repo, work } = craftedRepo("file-writer-twice");
  const [a, b, c] = [1, 2, 3].map((i) => randomBytes(i + 100, 700 + i));
  writeIndex(repo, [await writePack(repo, [a!, b!, a!, c!], "chunk")]);
  const opened = openRepository(repo, (_config, location) => ({ backend: new FilesystemBackend(location), locks: new FilesystemBackend(location) }));
  const index = await loadMasterIndex(opened.backend);
  const writer = new FileWriter(opened, index, { times: false, permissions: false });
  const out = path.join(work, "out");
  fs.mkdirSync(out);
  const files = [[a!, c!], [b!, a!], [a!]];
  try {
    for (const [i, parts] of files.entries()) await writer.file(path.join(out, `f${i}`), fileNode(parts), false);
    expect(await writer.finish()).toEqual([]);
  } finally {
    await writer.close();
  }
  for (const [i, parts] of files.entries()) expect(Buffer.compare(fs.readFileSync(path.join(out, `f${i}`)), Buffer.concat(parts))).toBe(0);
});
