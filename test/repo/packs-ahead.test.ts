/**
 * PacksAhead opens the next packs of a list while earlier ones are worked on, never more than its
 * depth ahead, reports a pack's failure to open only when that pack is taken, and closes what it
 * opened ahead and nobody took.
 */
import { expect, test } from "bun:test";
import { MemoryBackend, type RangeReader } from "../../src/backend/index.ts";
import type { PackId } from "../../src/format/id.ts";
import { BackpakError } from "../../src/lib/errors.ts";
import { PacksAhead } from "../../src/repo/pack-task.ts";
import type { Repository } from "../../src/repo/repository.ts";

/** A memory backend that records which objects were opened and closed; `missing` ones fail to open. */
class RecordingBackend extends MemoryBackend {
  readonly opened: string[] = [];
  readonly closed: string[] = [];

  constructor(readonly missing: ReadonlySet<string> = new Set()) {
    super();
  }

  override async openRange(key: string): Promise<RangeReader> {
    this.opened.push(key);
    if (this.missing.has(key)) throw new BackpakError("not-found", `Couldn't find ${key}`);
    return { size: 0, readInto: () => 0, close: () => void this.closed.push(key) };
  }
}

const ids = ["a", "b", "c", "d", "e"] as PackId[];
const key = (id: string): string => `packs/${id}.pack`;

function repoOver(backend: MemoryBackend): Repository {
  return { location: "memory", config: { packSize: 1e6, backend: { type: "S3", bucket: "b", pathStyle: true, concurrentConnections: 3 } }, backend, locks: backend };
}

test("keeps the repository's connection count of packs opening ahead, in order", async () => {
  const backend = new RecordingBackend();
  const ahead = new PacksAhead(repoOver(backend), ids);
  expect(backend.opened).toEqual(["a", "b", "c"].map(key));
  (await ahead.take("a" as PackId)).close();
  expect(backend.opened).toEqual(["a", "b", "c", "d"].map(key));
  (await ahead.take("b" as PackId)).close();
  (await ahead.take("c" as PackId)).close();
  expect(backend.opened).toEqual(ids.map(key));
  expect(() => ahead.take("e" as PackId)).toThrow("out of order");
});

test("a pack that can't be opened fails when it is taken, and the packs after it still open", async () => {
  const backend = new RecordingBackend(new Set([key("b")]));
  const ahead = new PacksAhead(repoOver(backend), ids, 2);
  (await ahead.take("a" as PackId)).close();
  await expect(ahead.take("b" as PackId)).rejects.toThrow(`Couldn't find ${key("b")}`);
  (await ahead.take("c" as PackId)).close();
  expect(backend.opened).toEqual(["a", "b", "c", "d", "e"].map(key));
});

test("close closes the packs opened ahead that were never taken, and opens no more", async () => {
  const backend = new RecordingBackend();
  const ahead = new PacksAhead(repoOver(backend), ids, 2);
  (await ahead.take("a" as PackId)).close();
  ahead.close();
  await Bun.sleep(0);
  expect(backend.opened).toEqual(["a", "b", "c"].map(key));
  expect(backend.closed.sort()).toEqual(["a", "b", "c"].map(key));
});
