/** The scan log: past its memory bound it goes to an unlinked file in the scratch directory and replays the same events. */
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { NO_EXCLUDES } from "../../src/fs/excludes.ts";
import type { ScanEvent } from "../../src/fs/walk.ts";
import { WorkerPool } from "../../src/pipeline/pool.ts";
import { replayScan, ScanJob } from "../../src/pipeline/scan-log.ts";
import { Rec, ScanRecords } from "../../src/pipeline/scan-records.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

const RING = 1 << 20;
const pool = new WorkerPool({ workers: 1, dataBytes: RING });
afterAll(() => pool.close());

/** A tree of 3,000 files (about 300 KB of log) in nested directories, with a symlink. */
function makeTree(): string {
  const root = path.join(tempDir("scan-log-src"), "tree");
  for (let i = 0; i < 3000; i++) {
    const dir = path.join(root, `d${i % 7}`, `sub-${i % 13}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `file-with-a-longish-name-${i}.txt`), `${i}`);
  }
  fs.symlinkSync("d0/sub-0", path.join(root, "link"));
  return root;
}

async function scanEvents(root: string, spillDir: string, memoryBytes?: number): Promise<{ events: ScanEvent[]; resident: number; spilled: boolean }> {
  const scan = new ScanJob(pool, [root], { dereference: false, skips: [], excludes: NO_EXCLUDES }, 0, RING, spillDir, memoryBytes);
  const log = await scan.finish();
  try {
    // Access times aside: the first scan's directory listings move them.
    const events = [...replayScan(log)].map((e) => ({ ...e, entry: { ...e.entry, metadata: { ...e.entry.metadata, atime: 0n } } }));
    return { events, resident: scan.residentBytes, spilled: log.spilled !== undefined };
  } finally {
    log.close();
  }
}

test("a log over its memory bound holds no more than the bound, leaves no file, and replays every event as one held in memory", async () => {
  const root = makeTree();
  const spillDir = tempDir("scan-log-scratch");
  const held = await scanEvents(root, spillDir);
  expect(held.spilled).toBe(false);
  const bounded = await scanEvents(root, spillDir, 16 << 10);
  expect(bounded.spilled).toBe(true);
  expect(bounded.resident).toBeLessThanOrEqual(16 << 10);
  expect(fs.readdirSync(spillDir)).toEqual([]);
  expect(bounded.events.length).toBe(held.events.length);
  expect(bounded.events.filter((e) => e.kind === "file").length).toBe(3000);
  expect(bounded.events).toEqual(held.events);
});

test("a record cut anywhere is known to be cut short, whatever its kind", () => {
  const bytes = new Uint8Array(512);
  const records = new ScanRecords(bytes);
  const stat = { mode: 0o120777, uid: 1, gid: 2, size: 3, atime: 4n, mtime: 5n, ctime: 6n };
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  const cases: [string, () => number][] = [
    ["symlink", () => (records.writeEntry(0, Rec.Symlink, false, stat, enc("name"), enc("the/target")), ScanRecords.entryLength(enc("name"), enc("the/target")))],
    ["file", () => (records.writeEntry(0, Rec.File, false, stat, enc("a-file")), ScanRecords.entryLength(enc("a-file")))],
    ["message", () => (records.writeMessage(0, Rec.Unreadable, enc("path\twhy")), ScanRecords.messageLength(enc("path\twhy")))],
    ["mark", () => (records.writeMark(0, Rec.Exit), 1)],
  ];
  for (const [kind, write] of cases) {
    const n = write();
    for (let end = 0; end < n; end++) expect([kind, end, records.lengthWithin(0, end)]).toEqual([kind, end, -1]);
    expect([kind, records.lengthWithin(0, n), records.lengthWithin(0, n + 7)]).toEqual([kind, n, n]);
  }
});
