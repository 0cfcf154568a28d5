/**
 * The conformance suite every Backend passes (see the contract in src/backend/backend.ts): the basic
 * operations, "not found", overwrite, ranged reads, an object over 100 MB (a sparse local file, so it
 * costs little to make), a listing of 10,000 keys, 16 concurrent writes, and atomic puts.
 */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import type { Backend } from "../../src/backend/index.ts";
import { tempDir } from "../helpers/tmp.ts";

/** A backend to test, and the storage under its cache and filter layers (if any). */
export interface SuiteSubject {
  readonly backend: Backend;
  /** Where the suite puts its 10,000 keys directly, so the layers above only list them; default: `backend`. */
  readonly storage?: Backend;
}

type Made = Backend | SuiteSubject;

/** What a backend's test server can't show, each with the reason. */
export interface SuiteLimits {
  /** The server lets a reader see an object while it is being written (so only the end result is checked). */
  readonly nonAtomicPuts?: string;
}

/** Over 100 MB, and not a multiple of any part size. */
export const BIG_SIZE = 100_000_000 + 12_345;
const BIG_MARKS: readonly [number, string][] = [
  [0, "start"],
  [Math.floor(BIG_SIZE / 2) - 3, "middle"],
  [BIG_SIZE - 3, "end"],
];
const MANY_KEYS = 10_000;

/** Runs up to `width` of `jobs` at a time. */
async function inParallel(width: number, jobs: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/** A filter pair for wrapped runs of the suite: rot13 both ways (it changes the bytes, and undoes itself). */
export const ROT13 = "tr 'A-Za-z' 'N-ZA-Mn-za-m'";

export function backendSuite(name: string, make: () => Promise<Made> | Made, limits: SuiteLimits = {}): void {
  describe(`${name} backend`, () => {
    const subject = async (): Promise<Required<SuiteSubject>> => {
      const made = await make();
      return "backend" in made ? { backend: made.backend, storage: made.storage ?? made.backend } : { backend: made, storage: made };
    };
    const fresh = async (): Promise<Backend> => (await subject()).backend;
    const local = (content: string | Uint8Array): string => {
      const p = path.join(tempDir("local"), "obj");
      fs.writeFileSync(p, content);
      return p;
    };
    const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();
    const readRange = (r: { readInto(t: Uint8Array, at: number): number }, at: number, length: number): string => {
      const buf = new Uint8Array(length);
      return text(buf.subarray(0, r.readInto(buf, at)));
    };

    test("put then read returns the bytes and consumes the local file", async () => {
      const b = await fresh();
      const src = local("hello");
      await b.put("packs/a.pack", src);
      expect(fs.existsSync(src)).toBe(false);
      expect(text(await b.read("packs/a.pack"))).toBe("hello");
    });

    test("put replaces an existing object", async () => {
      const b = await fresh();
      await b.put("snapshots/s.snapshot", local("one"));
      await b.put("snapshots/s.snapshot", local("two"));
      expect(text(await b.read("snapshots/s.snapshot"))).toBe("two");
      expect(await b.list("snapshots/")).toEqual([{ key: "snapshots/s.snapshot", size: 3 }]);
    });

    test("an empty object is stored, listed and read like any other", async () => {
      const b = await fresh();
      await b.put("indexes/empty.index", local(""));
      expect(await b.list("indexes/")).toEqual([{ key: "indexes/empty.index", size: 0 }]);
      expect((await b.read("indexes/empty.index")).length).toBe(0);
    });

    test("a folder that doesn't exist yet lists as empty, and the first put into it makes it", async () => {
      const b = await fresh();
      expect(await b.list("locks/")).toEqual([]);
      await b.put("locks/l1", local("lock"));
      expect(await b.list("locks/")).toEqual([{ key: "locks/l1", size: 4 }]);
      expect(text(await b.read("locks/l1"))).toBe("lock");
      await b.remove("locks/l1");
      expect(await b.list("locks/")).toEqual([]);
    });

    test("list gives keys and sizes under a prefix only", async () => {
      const b = await fresh();
      await b.put("packs/a.pack", local("12345"));
      await b.put("packs/b.pack", local("1"));
      await b.put("indexes/i.index", local("xyz"));
      const packs = (await b.list("packs/")).sort((x, y) => x.key.localeCompare(y.key));
      expect(packs).toEqual([
        { key: "packs/a.pack", size: 5 },
        { key: "packs/b.pack", size: 1 },
      ]);
      expect(await b.list("snapshots/")).toEqual([]);
    });

    test("read, openRange and remove of a missing key fail as not-found, naming the key", async () => {
      const b = await fresh();
      await b.put("packs/there.pack", local("x"));
      await expect(b.read("packs/nope.pack")).rejects.toMatchObject({ kind: "not-found", message: expect.stringContaining("packs/nope.pack") });
      await expect(b.openRange("packs/nope.pack")).rejects.toMatchObject({ kind: "not-found", message: expect.stringContaining("packs/nope.pack") });
      await expect(b.remove("packs/nope.pack")).rejects.toMatchObject({ kind: "not-found", message: expect.stringContaining("packs/nope.pack") });
      // A key that merely starts like a stored one is missing too.
      await expect(b.remove("packs/there")).rejects.toMatchObject({ kind: "not-found" });
      expect(await b.list("packs/")).toEqual([{ key: "packs/there.pack", size: 1 }]);
    });

    test("openRange reads windows of an object as read sees it, short only at its end", async () => {
      const b = await fresh();
      await b.put("packs/r.pack", local("0123456789"));
      const r = await b.openRange("packs/r.pack");
      expect(r.size).toBe(10);
      expect(readRange(r, 3, 4)).toBe("3456");
      expect(readRange(r, 8, 4)).toBe("89");
      expect(readRange(r, 10, 4)).toBe("");
      r.close();
      const binary = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);
      await b.put("packs/bin.pack", local(binary));
      const whole = await b.read("packs/bin.pack");
      expect(whole).toEqual(binary);
      const w = await b.openRange("packs/bin.pack");
      const window = new Uint8Array(1000);
      expect(w.readInto(window, 65_000)).toBe(1000);
      expect(Buffer.from(window).equals(whole.subarray(65_000, 66_000))).toBe(true);
      w.close();
    });

    test("remove deletes", async () => {
      const b = await fresh();
      await b.put("indexes/i.index", local("x"));
      await b.put("indexes/j.index", local("y"));
      await b.remove("indexes/i.index");
      expect(await b.list("indexes/")).toEqual([{ key: "indexes/j.index", size: 1 }]);
      await expect(b.read("indexes/i.index")).rejects.toMatchObject({ kind: "not-found" });
      await expect(b.remove("indexes/i.index")).rejects.toMatchObject({ kind: "not-found" });
    });

    test("an object over 100 MB is stored whole, listed with its size and read in windows", async () => {
      const b = await fresh();
      const src = path.join(tempDir("big"), "big");
      const fd = fs.openSync(src, "w");
      for (const [at, mark] of BIG_MARKS) fs.writeSync(fd, mark, at);
      fs.ftruncateSync(fd, BIG_SIZE);
      fs.closeSync(fd);
      await b.put("packs/big.pack", src);
      expect(fs.existsSync(src)).toBe(false);
      expect(await b.list("packs/")).toEqual([{ key: "packs/big.pack", size: BIG_SIZE }]);
      const r = await b.openRange("packs/big.pack");
      expect(r.size).toBe(BIG_SIZE);
      for (const [at, mark] of BIG_MARKS) expect(readRange(r, at, 10)).toBe(mark + "\0".repeat(Math.min(10, BIG_SIZE - at) - mark.length));
      expect(readRange(r, 12_345_678, 3)).toBe("\0\0\0");
      r.close();
    }, 60_000);

    test("a listing of 10,000 keys has every one of them", async () => {
      const { backend, storage } = await subject();
      const keys = Array.from({ length: MANY_KEYS }, (_, i) => `indexes/${String(i).padStart(5, "0")}.index`);
      const dir = tempDir("many");
      await inParallel(
        16,
        keys.map((key, i) => async () => {
          const file = path.join(dir, String(i));
          fs.writeFileSync(file, String(i));
          await storage.put(key, file);
        }),
      );
      await storage.put("packs/other.pack", local("other"));
      const listed = await backend.list("indexes/");
      expect(listed.length).toBe(MANY_KEYS);
      expect(listed.map((o) => o.key).sort()).toEqual(keys);
      expect(listed.find((o) => o.key === "indexes/01234.index")).toEqual({ key: "indexes/01234.index", size: 4 });
    }, 60_000);

    test("16 concurrent writes all land, each with its own content", async () => {
      const b = await fresh();
      const keys = Array.from({ length: 16 }, (_, i) => `packs/c${i}.pack`);
      await Promise.all(keys.map((k, i) => b.put(k, local(`content ${i} `.repeat(i + 1)))));
      expect((await b.list("packs/")).map((o) => o.key).sort()).toEqual([...keys].sort());
      const contents = await Promise.all(keys.map((k) => b.read(k)));
      expect(contents.map(text)).toEqual(keys.map((_, i) => `content ${i} `.repeat(i + 1)));
    });

    test.skipIf(limits.nonAtomicPuts !== undefined)("a put is atomic: listings during it see the old object or the whole new one", async () => {
      const b = await fresh();
      await b.put("packs/p.pack", local("old"));
      const size = 20 * 1024 * 1024 + 7;
      const putting = b.put("packs/p.pack", local(new Uint8Array(size).fill(7)));
      let done = false;
      void putting.finally(() => (done = true));
      const seen = new Set<number>();
      do {
        for (const o of await b.list("packs/")) seen.add(o.size);
        // Let the put's I/O go on (a listing from memory never leaves the microtask queue).
        await new Promise((resolve) => setImmediate(resolve));
      } while (!done);
      await putting;
      // No partial size was ever listed, and no temporary file either.
      expect([...seen].every((s) => s === 3 || s === size)).toBe(true);
      expect(await b.list("packs/")).toEqual([{ key: "packs/p.pack", size }]);
      expect((await b.read("packs/p.pack")).every((x) => x === 7)).toBe(true);
    }, 30_000);
  });
}
