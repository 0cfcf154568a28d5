/**
 * The writer stores packs in the background: several uploads run at once while packing goes on, no
 * more than its limit, the index is stored only after every pack, and a failed upload fails the run
 * before any index is stored.
 */
import { expect, test } from "bun:test";
import { MemoryBackend } from "../../src/backend/index.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { BoundedJobs } from "../../src/lib/bounded-jobs.ts";
import { EMPTY_INDEX } from "../../src/repo/resume.ts";
import { RepoWriter } from "../../src/repo/writer.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

/** A memory backend whose pack uploads wait until the test lets them finish, recording what happened when. */
class GatedBackend extends MemoryBackend {
  readonly events: string[] = [];
  readonly waiting: (() => void)[] = [];
  inFlight = 0;
  mostInFlight = 0;
  failPacks = false;

  override async put(key: string, localPath: string): Promise<void> {
    if (!key.startsWith("packs/")) {
      this.events.push(`put ${key.split("/")[0]}`);
      return super.put(key, localPath);
    }
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    this.events.push("pack upload started");
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight--;
    if (this.failPacks) throw new Error(`upload of ${key} failed`);
    await super.put(key, localPath);
    this.events.push("pack stored");
  }

  /** Lets every waiting upload go on. */
  release(): void {
    for (const go of this.waiting.splice(0)) go();
  }
}

/**
 * Adds `n` incompressible chunks of `size` bytes. Gated uploads are let go only once every upload
 * slot is taken, so reaching the limit proves packing went on while earlier packs were uploading.
 */
async function addChunks(w: RepoWriter, backend: GatedBackend, n: number, size: number): Promise<void> {
  const finished = (async () => {
    for (let i = 0; i < n; i++) {
      const bytes = randomBytes(i + 1, size);
      await w.add("chunk", hashId(bytes), bytes);
    }
    return true;
  })();
  while (!(await Promise.race([finished, Bun.sleep(1).then(() => false)]))) {
    if (backend.inFlight === w.opts.uploads) backend.release();
  }
}

test("packs upload three at a time while packing goes on, and the index comes after all of them", async () => {
  const backend = new GatedBackend();
  const w = new RepoWriter({ backend, scratchDir: tempDir("w"), packSize: 64 * 1024, packed: new Set(), start: EMPTY_INDEX, dryRun: false, uploads: 3 });
  // Each 1 MiB chunk is a frame of its own (the batch limit) and fills a pack.
  await addChunks(w, backend, 10, 1 << 20);
  expect(backend.mostInFlight).toBe(3);
  const finished = w.finish().then(() => true);
  while (!(await Promise.race([finished, Bun.sleep(1).then(() => false)]))) backend.release();
  const packs = await backend.list("packs/");
  expect(packs.length).toBe(10);
  expect(backend.events.filter((e) => e === "pack stored").length).toBe(10);
  expect(backend.events.at(-1)).toBe("put indexes");
  expect(backend.events.indexOf("put indexes")).toBe(backend.events.length - 1);
});

test("a failed pack upload fails the run and no index is stored", async () => {
  const backend = new GatedBackend();
  backend.failPacks = true;
  const w = new RepoWriter({ backend, scratchDir: tempDir("w"), packSize: 64 * 1024, packed: new Set(), start: EMPTY_INDEX, dryRun: false, uploads: 2 });
  const run = (async () => {
    await addChunks(w, backend, 4, 1 << 20);
    await w.finish();
  })();
  const outcome = run.then(
    () => "finished",
    (err: Error) => err.message,
  );
  while ((await Promise.race([outcome, Bun.sleep(1).then(() => undefined)])) === undefined) backend.release();
  expect(await outcome).toMatch(/upload of packs\/.+ failed/);
  expect(backend.events).not.toContain("put indexes");
  expect(await backend.list("indexes/")).toEqual([]);
});

test("BoundedJobs never runs more than its limit and throws the first failure from drain", async () => {
  const jobs = new BoundedJobs(2);
  let running = 0;
  let most = 0;
  const job = (fail: boolean) => async () => {
    running++;
    most = Math.max(most, running);
    await Bun.sleep(1);
    running--;
    if (fail) throw new Error("job failed");
  };
  for (let i = 0; i < 6; i++) await jobs.start(job(false));
  await jobs.drain();
  expect(most).toBe(2);
  await jobs.start(job(true));
  await jobs.start(job(false));
  await expect(jobs.drain()).rejects.toThrow("job failed");
  await expect(jobs.start(job(false))).rejects.toThrow("job failed");
});
