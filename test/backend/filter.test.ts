/** The filter decorator passes the backend suite with cat/cat and gzip, stores filtered bytes, and fails clearly (leaving nothing behind) when a command fails. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { MemoryBackend, type Backend, type RangeReader } from "../../src/backend/index.ts";
import { checkFilterRoundTrip } from "../../src/backend/filter-check.ts";
import { FilterBackend } from "../../src/backend/filter.ts";
import { BackpakError } from "../../src/lib/errors.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";
import { backendSuite, ROT13, type SuiteSubject } from "./suite.ts";

cleanUpAfterThisFile();

const fresh = (filter: string, unfilter: string, inner: Backend = new MemoryBackend()): FilterBackend =>
  new FilterBackend(inner, filter, unfilter, { scratchDir: tempDir("filter-scratch") });

/** What a filter backend left in its scratch directory (nothing, after every call). */
const leftovers = (...bs: FilterBackend[]): string[] => bs.flatMap((b) => fs.readdirSync(b.options.scratchDir as string));

/** A filter that changes the bytes but not their number, so the suite's listed sizes still hold (gzip is tested below). */

/** A filter over memory, with the memory as the suite's storage. */
const subject = (filter: string, unfilter: string): SuiteSubject => {
  const storage = new MemoryBackend();
  return { backend: fresh(filter, unfilter, storage), storage };
};
backendSuite("filter (cat/cat)", () => subject("cat", "cat"));
backendSuite("filter (rot13)", () => subject(ROT13, ROT13));

const local = (content: string | Uint8Array): string => {
  const p = path.join(tempDir("filter-local"), "obj");
  fs.writeFileSync(p, content);
  return p;
};

/** The chain of messages of an error and its causes. */
function messages(err: unknown): string {
  const out: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) out.push(e.message);
  return out.join("\n");
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BackpakError);
    return messages(err);
  }
  throw new Error("expected a failure");
}

/** This process's live children (a leaked or unreaped filter would show here). */
function children(): string {
  return Bun.spawnSync(["pgrep", "-P", String(process.pid)]).stdout.toString().trim();
}

test("the inner backend holds the filtered bytes, readers get them back unfiltered", async () => {
  const inner = new MemoryBackend();
  const b = fresh("gzip -c", "gzip -dc", inner);
  const text = "Everything was beautiful and nothing hurt\n".repeat(1000);
  await b.put("packs/z.pack", local(text));
  const stored = inner.objects.get("packs/z.pack")!;
  expect([stored[0], stored[1]]).toEqual([0x1f, 0x8b]);
  expect(stored.length).toBeLessThan(text.length);
  expect(Buffer.from(await b.read("packs/z.pack")).toString()).toBe(text);
  const r = await b.openRange("packs/z.pack");
  expect(r.size).toBe(text.length);
  const window = new Uint8Array(9);
  expect(r.readInto(window, 42)).toBe(9);
  expect(Buffer.from(window).toString()).toBe(text.slice(42, 51));
  r.close();
  expect(leftovers(b)).toEqual([]);
});

test("list reports the stored (filtered) sizes; the rot13 filter really changes the stored bytes", async () => {
  const inner = new MemoryBackend();
  const gz = fresh("gzip -c", "gzip -dc", inner);
  await gz.put("packs/a.pack", local("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
  expect(await gz.list("packs/")).toEqual([{ key: "packs/a.pack", size: inner.objects.get("packs/a.pack")!.length }]);
  await fresh(ROT13, ROT13, inner).put("indexes/i.index", local("Hello"));
  expect(Buffer.from(inner.objects.get("indexes/i.index")!).toString()).toBe("Uryyb");
});

test("objects larger than one feed chunk round-trip", async () => {
  const b = fresh("cat", "cat");
  const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 7919) & 0xff);
  await b.put("packs/big.pack", local(big));
  expect(Buffer.from(await b.read("packs/big.pack")).equals(Buffer.from(big))).toBe(true);
});

test("an unfilter that exits without reading a large object fails without hanging", async () => {
  const inner = new MemoryBackend();
  inner.objects.set("packs/big.pack", new Uint8Array(4 * 1024 * 1024 + 3));
  const b = fresh("cat", "exit 5", inner);
  expect(await failure(b.read("packs/big.pack"))).toContain("exit 5 < packs/big.pack failed with code 5");
  expect(await failure(b.openRange("packs/big.pack"))).toContain("exit 5 < packs/big.pack failed with code 5");
  const quitter = fresh("cat", "head -c 10", inner);
  expect(await failure(quitter.read("packs/big.pack"))).toContain("Couldn't feed packs/big.pack to head -c 10");
  expect(children()).toBe("");
});

test("a failing filter names the command and key, shows its stderr, stores nothing and keeps the local file", async () => {
  const inner = new MemoryBackend();
  const b = fresh("echo 'no such key' >&2; exit 3", "cat", inner);
  const src = local("secret");
  const msg = await failure(b.put("packs/a.pack", src));
  expect(msg).toContain("echo 'no such key' >&2; exit 3 > packs/a.pack failed with code 3");
  expect(msg).toContain("no such key");
  expect(inner.objects.size).toBe(0);
  expect(fs.existsSync(src)).toBe(true);
  expect(leftovers(b)).toEqual([]);
});

test("a failing unfilter names the command and key, for whole reads and ranges alike", async () => {
  const inner = new MemoryBackend();
  await fresh("cat", "cat", inner).put("indexes/i.index", local("data"));
  const b = fresh("cat", "cat >/dev/null; exit 4", inner);
  expect(await failure(b.read("indexes/i.index"))).toContain("cat >/dev/null; exit 4 < indexes/i.index failed with code 4");
  expect(await failure(b.openRange("indexes/i.index"))).toContain("< indexes/i.index failed with code 4");
  const killed = fresh("cat", "kill -9 $$", inner);
  expect(await failure(killed.read("indexes/i.index"))).toContain("kill -9 $$ < indexes/i.index was killed");
  expect(leftovers(b, killed)).toEqual([]);
  expect(children()).toBe("");
});

test("an object that can't be read in full is an error even when the unfilter is happy with what it got", async () => {
  const broken: RangeReader = {
    size: 10,
    readInto() {
      throw new Error("disk on fire");
    },
    close() {},
  };
  const inner = new MemoryBackend();
  inner.openRange = async () => broken;
  const msg = await failure(fresh("cat", "cat", inner).read("packs/x.pack"));
  expect(msg).toContain("Couldn't feed packs/x.pack to cat");
  expect(msg).toContain("disk on fire");
  expect(children()).toBe("");
});

test("a command that doesn't exist fails like any other", async () => {
  const b = fresh("no-such-command-backpak", "cat");
  expect(await failure(b.put("packs/a.pack", local("x")))).toContain("no-such-command-backpak > packs/a.pack failed with code 127");
});

test("the round-trip check accepts a working pair and rejects the rest with a clear error", async () => {
  await checkFilterRoundTrip("cat", "cat");
  await checkFilterRoundTrip("gzip -c", "gzip -dc");
  const wrong = await failure(checkFilterRoundTrip("tr a-z A-Z", "cat"));
  expect(wrong).toContain("filter didn't round trip!\nExpected:\n");
  expect(wrong).toContain("Got:\nBACKUPS ARE");
  expect(await failure(checkFilterRoundTrip("exit 2", "cat"))).toContain("exit 2 failed with code 2");
  expect(await failure(checkFilterRoundTrip("cat", "echo bad >&2; false"))).toContain("bad");
  expect(children()).toBe("");
});
