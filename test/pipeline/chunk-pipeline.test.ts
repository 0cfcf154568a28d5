/**
 * The backup pipeline on real workers: chunk IDs match the reference chunker and SHA-224 whatever
 * the worker count, files larger than the ring go through, frames decompress to the new chunks in
 * order, duplicates are never compressed, and everything is released at the end.
 */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { chunkLengths } from "../../src/kernels/fastcdc/index.ts";
import type { FileStamp } from "../../src/fs/file-stamp.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { ChunkPipeline } from "../../src/pipeline/chunk-pipeline.ts";
import type { FileTicket } from "../../src/pipeline/file-ticket.ts";
import type { Frame } from "../../src/pipeline/frame-stage.ts";
import { WorkerPool } from "../../src/pipeline/pool.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

const MiB = 1 << 20;

function files(): { path: string; bytes: Uint8Array }[] {
  const dir = tempDir("pipe");
  const big = randomBytes(1, 40 * MiB + 123);
  const out = [
    { name: "big.bin", bytes: big },
    { name: "small.txt", bytes: new TextEncoder().encode("hello pipeline") },
    { name: "empty", bytes: new Uint8Array(0) },
    { name: "medium.bin", bytes: randomBytes(2, 3 * MiB) },
    { name: "copy-of-medium.bin", bytes: randomBytes(2, 3 * MiB) },
    ...Array.from({ length: 300 }, (_, i) => ({ name: `tiny-${i}`, bytes: randomBytes(100 + i, 1 + ((i * 997) % 20_000)) })),
  ];
  return out.map(({ name, bytes }) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return { path: p, bytes };
  });
}

/** The file's stamp as a scan records it. */
function stampOf(file: string): FileStamp {
  const st = fs.statSync(file, { bigint: true });
  return { size: Number(st.size), mtime: st.mtimeNs, ctime: st.ctimeNs };
}

interface RunOptions {
  /** Chunk IDs already stored (an incremental backup). */
  readonly known?: ReadonlySet<string>;
  /** Let the workers finish everything they can before each round of decisions. */
  readonly slowConsumer?: boolean;
  /** The stamps files are queued with (default: as they are on disk). */
  readonly stamp?: (file: string) => FileStamp;
}

async function run(workers: number, inputs: { path: string; bytes: Uint8Array }[], opts: RunOptions = {}) {
  const pool = new WorkerPool({ workers, dataBytes: 16 * MiB + 17 * MiB });
  const frames: Frame[] = [];
  const pipeline = new ChunkPipeline(pool, {
    inputBytes: 16 * MiB,
    outputBytes: 17 * MiB,
    level: 1,
    frameBytes: 4 * MiB,
    onFrame: async (f) => void frames.push({ entries: [...f.entries], bytes: f.bytes.slice() }),
  });
  const seen = new Set<string>(opts.known);
  const results: { ids: string[]; lengths: number[] }[] = [];
  try {
    const tickets: FileTicket[] = inputs.map((f) => pipeline.add(f.path, (opts.stamp ?? stampOf)(f.path)));
    for (const t of tickets) {
      const ids: string[] = [];
      const lengths: number[] = [];
      for (;;) {
        if (opts.slowConsumer) await Bun.sleep(20);
        await pipeline.pump();
        while (t.decided < t.chunks.length) {
          const next = t.chunks[t.decided]!;
          const isNew = !seen.has(next.id);
          if (isNew && !pipeline.canDecideNew()) break;
          if (isNew) seen.add(next.id);
          const c = pipeline.decide(t, isNew);
          ids.push(c.id);
          lengths.push(c.length);
        }
        if (t.complete && t.decided === t.chunks.length) break;
        await pipeline.waitForProgress();
      }
      results.push({ ids, lengths });
    }
    await pipeline.finish();
    expect(pool.freeSlots).toBe(32);
    return { results, frames, changed: tickets.map((t) => t.changed) };
  } finally {
    pool.close();
  }
}

describe("chunk pipeline", () => {
  const inputs = files();
  const expected = inputs.map((f) => {
    const lengths = f.bytes.length === 0 ? [] : chunkLengths("js", f.bytes);
    let off = 0;
    const ids: string[] = lengths.map((n) => hashId(f.bytes.subarray(off, (off += n))));
    return { ids, lengths };
  });

  for (const workers of [1, 2, 4]) {
    test(`${workers} worker(s): the reference chunks, a 40 MB file through a 16 MiB ring, frames holding each new chunk once`, async () => {
      const { results, frames, changed } = await run(workers, inputs);
      expect(results).toEqual(expected);
      expect(changed.every((c) => !c)).toBe(true);
      const entries = frames.flatMap((f) => f.entries);
      const newIds = [...new Set(expected.flatMap((e) => e.ids))];
      expect(entries.map((e): string => e.id)).toEqual(newIds);
      // The frames decompress to exactly the new chunks' bytes, in order.
      const all = Buffer.concat(inputs.map((f) => Buffer.from(f.bytes)));
      const byId = new Map<string, Uint8Array>();
      let off = 0;
      for (const e of expected) for (const [i, id] of e.ids.entries()) byId.set(id, all.subarray(off, (off += e.lengths[i]!)));
      const raw = Buffer.concat(frames.map((f) => Buffer.from(Bun.zstdDecompressSync(f.bytes))));
      expect(raw.equals(Buffer.concat(newIds.map((id) => Buffer.from(byId.get(id)!))))).toBe(true);
    });
  }

  // Decisions free ring space that must be read into before waiting: with the ring full and
  // every job done, waiting found nothing in flight and failed ("pipeline stalled"). A run of
  // zeros never cuts before FastCDC's 8 MiB maximum, so the uncut tail fills most of the ring.
  test("an incremental pass, decided after the workers went idle with the ring full, doesn't stall", async () => {
    const bytes = new Uint8Array(40 * MiB);
    bytes.set(randomBytes(3, 8 * MiB));
    bytes.set(randomBytes(4, 8 * MiB), 32 * MiB);
    const p = path.join(tempDir("zeros"), "zeros.bin");
    fs.writeFileSync(p, bytes);
    const lengths = chunkLengths("js", bytes);
    let off = 0;
    const ids = lengths.map((n) => hashId(bytes.subarray(off, (off += n))));
    for (const workers of [1, 2]) {
      const { results, frames } = await run(workers, [{ path: p, bytes }], { known: new Set(ids), slowConsumer: true });
      expect(results).toEqual([{ ids, lengths }]);
      expect(frames).toEqual([]);
    }
  });

  // The worker checks each file against its stamp after reading it: a file that no longer matches,
  // ends early or is gone completes all the same, flagged as changed, with zeros for what it lacked.
  test("files that changed since their stamp are flagged, not failed, and the others are read as usual", async () => {
    const dir = tempDir("changed");
    const file = (name: string, bytes: Uint8Array) => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, bytes);
      return { path: p, bytes };
    };
    const inputs = [file("same", randomBytes(5, 3 * MiB)), file("touched", randomBytes(6, 1000)), file("shrunk", randomBytes(7, 9 * MiB)), file("gone", randomBytes(8, 1000))];
    const stamps = new Map(inputs.map((f) => [f.path, stampOf(f.path)]));
    const touched = stamps.get(inputs[1]!.path)!;
    stamps.set(inputs[1]!.path, { ...touched, mtime: touched.mtime - 1n });
    fs.truncateSync(inputs[2]!.path, 5 * MiB);
    fs.rmSync(inputs[3]!.path);
    for (const workers of [1, 2]) {
      const { results, changed } = await run(workers, inputs, { stamp: (p) => stamps.get(p)! });
      expect(changed).toEqual([false, true, true, true]);
      expect(results[0]!.lengths).toEqual(chunkLengths("js", inputs[0]!.bytes));
      // What the shrunk file lacked was read as zeros: its chunks still cover its scanned size.
      const shrunk = new Uint8Array(9 * MiB);
      shrunk.set(inputs[2]!.bytes.subarray(0, 5 * MiB));
      expect(results[2]!.lengths).toEqual(chunkLengths("js", shrunk));
      expect(results[3]!.lengths).toEqual([1000]);
    }
  });
});
