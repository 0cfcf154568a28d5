/** The walk's collection schedule: garbage that outlived young collections is collected before it piles up. */
import { fullGC, heapSize } from "bun:jsc";
import { expect, test } from "bun:test";
import { EVENT_HEAP_GROWTH, EventGcSchedule } from "../../src/pipeline/gc-schedule.ts";

/** Like a walk: each entry's node lives until its directory of 4,000 entries closes, outliving the young collections made meanwhile. Ticks per entry, or per directory with its entry count. */
function walk(gc: EventGcSchedule, perDirectory: boolean): number {
  let most = 0;
  let dir: object[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    dir.push({ name: `file-${i}.txt`, metadata: { mode: 0o644, size: i, mtime: BigInt(i) * 1_000_000n, atime: BigInt(i) * 999n }, chunks: [`id-${i}`] });
    if (dir.length === 4000) {
      if (perDirectory) gc.tick(dir.length);
      dir = [];
    }
    if (!perDirectory) gc.tick();
    if (i % 8192 === 8191) most = Math.max(most, heapSize());
  }
  return most;
}

// Without full collections the heap grew by 145 MB here.
test.each([
  ["ticked per entry", false],
  ["counted per directory", true],
])("nodes of closed directories, old by then, keep the heap within the growth bound (%s)", (_how, perDirectory) => {
  const gc = new EventGcSchedule();
  const floor = fullGC();
  const most = walk(gc, perDirectory);
  expect(most).toBeLessThan(floor + EVENT_HEAP_GROWTH + (16 << 20));
  expect(gc.fullCollections).toBeGreaterThan(0);
});
