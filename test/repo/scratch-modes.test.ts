/** Scratch files in the working directory (unfinished and finished packs, the WIP index, indexes and snapshots to store) are 0600: for an encrypted repository they are plaintext. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { MemoryBackend } from "../../src/backend/memory.ts";
import type { BlobId, PackId } from "../../src/format/id.ts";
import { makeSnapshot } from "../../src/format/snapshot.ts";
import { encodeManifest } from "../../src/format/manifest.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { zstdCompress } from "../../src/kernels/zstd.ts";
import { Indexer } from "../../src/repo/indexer.ts";
import { WIP_JOURNAL } from "../../src/repo/wip-journal.ts";
import { Packer } from "../../src/repo/packer.ts";
import { storeSnapshot } from "../../src/repo/snapshots.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

const modeOf = (file: string): string => (fs.statSync(file).mode & 0o777).toString(8);
/** Every file in `dir` with its mode. */
const modes = (dir: string): string[] => fs.readdirSync(dir).map((f) => `${f.replace(/-[0-9a-f]+\./, "-*.").replace(/^[0-9a-v]{45}\./, "<id>.")} ${modeOf(path.join(dir, f))}`);

test("a pack being written and the finished pack handed on are 0600", async () => {
  const workDir = tempDir("scratch-packer");
  const handedOn: string[] = [];
  const p = new Packer({ scratchDir: workDir, packSize: 1e9, onPack: async (f) => void handedOn.push(modeOf(f.path)) });
  const bytes = randomBytes(1, 5000);
  // A compressed frame goes to the file at once (plain blobs wait for a frame to fill).
  await p.addFrame([{ type: "chunk", length: bytes.length, id: hashId<"blob">(bytes) }], zstdCompress(bytes));
  expect(modes(workDir)).toEqual([`temp-backpak-${process.pid}-*.pack 600`]);
  await p.flush();
  expect(handedOn).toEqual(["600"]);
});

test("the WIP journal and the finished index are 0600", async () => {
  const workDir = tempDir("scratch-indexer");
  const indexer = new Indexer(workDir, { packs: new Map(), supersedes: new Set() }, true);
  indexer.addPack(hashId<"pack">("p") as PackId, encodeManifest([{ type: "chunk", length: 3, id: hashId<"blob">("b") as BlobId }]), 100);
  expect(modeOf(path.join(workDir, WIP_JOURNAL))).toBe("600");
  const done = (await indexer.finish())!;
  expect(modeOf(done.path)).toBe("600");
});

test("a snapshot file is 0600 until the backend takes it", async () => {
  const workDir = tempDir("scratch-snapshot");
  const seen: string[] = [];
  const backend = new (class extends MemoryBackend {
    override async put(key: string, localPath: string): Promise<void> {
      seen.push(modeOf(localPath));
      return super.put(key, localPath);
    }
  })();
  const snapshot = makeSnapshot({ time: 0n, tz: "UTC", author: "me", tags: [], paths: ["/x"], tree: hashId<"blob">("t") });
  await storeSnapshot({ location: "memory", config: { packSize: 1e9, backend: { type: "Filesystem", forceCache: false } }, backend, locks: backend }, snapshot, workDir);
  expect(seen).toEqual(["600"]);
});
