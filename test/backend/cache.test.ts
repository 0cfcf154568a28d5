/** The local cache: the decorator passes the backend suite, and its store keeps files and rows as spec §6 says (backpak's cache smoke test and more). */
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { MemoryBackend, type Backend } from "../../src/backend/index.ts";
import { CachedBackend, type CacheReads } from "../../src/backend/cache.ts";
import { CACHE_DB, CacheStore, defaultCacheDir } from "../../src/backend/cache-store.ts";
import { FilterBackend } from "../../src/backend/filter.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";
import { backendSuite, ROT13, type SuiteSubject } from "./suite.ts";

cleanUpAfterThisFile();

const GiB = 1024 ** 3;

/** The cache (over `layer` of a memory backend), with the memory as the suite's storage. */
const cached = (reads: CacheReads = "normal", layer = (b: Backend): Backend => b): SuiteSubject => {
  const storage = new MemoryBackend();
  return { backend: new CachedBackend(layer(storage), CacheStore.open(tempDir("cache"), GiB), reads), storage };
};
backendSuite("cache over memory", () => cached());
backendSuite("cache over memory, always reading", () => cached("always"));
backendSuite("cache over a rot13 filter", () => cached("normal", (b) => new FilterBackend(b, ROT13, ROT13, { scratchDir: tempDir("scratch") })));

const names = (s: CacheStore): string[] => s.rows().map((r) => r.name);
/** Files in the cache directory other than the database and its WAL files. */
const files = (dir: string): string[] => fs.readdirSync(dir).filter((f) => !f.startsWith(CACHE_DB)).sort();
const text = (fd: number): string => {
  const out = fs.readFileSync(fd, "utf8");
  fs.closeSync(fd);
  return out;
};
const local = (content: string): string => {
  const p = path.join(tempDir("cache-local"), "obj");
  fs.writeFileSync(p, content);
  return p;
};

test("smoke: insert and read back, prune to 3 bytes keeps the newest, 1 byte still keeps one, evict, 0 bytes is absurd", () => {
  const dir = tempDir("cache");
  const cache = CacheStore.open(dir, GiB);
  fs.closeSync(cache.insert("foo", new Uint8Array([1, 2, 3, 4])));
  const fd = cache.tryOpen("foo");
  expect(fd).toBeDefined();
  expect([...fs.readFileSync(fd!)]).toEqual([1, 2, 3, 4]);
  fs.closeSync(fd!);
  expect(cache.tryOpen("bar")).toBeUndefined();
  fs.closeSync(cache.insert("baz", new Uint8Array([1, 2, 3])));

  cache.prune();
  expect(names(cache)).toEqual(["baz", "foo"]);
  expect(cache.rows().map((r) => r.size)).toEqual([3, 4]);

  // Another process opening the cache with a smaller size sets it for everyone.
  const small = CacheStore.open(dir, 3);
  cache.prune();
  expect(names(cache)).toEqual(["baz"]);
  expect(files(dir)).toEqual(["baz"]);

  CacheStore.open(dir, 1).close();
  cache.prune();
  expect(names(cache)).toEqual(["baz"]);
  expect(files(dir)).toEqual(["baz"]);

  cache.evict("baz");
  expect(names(cache)).toEqual([]);
  expect(files(dir)).toEqual([]);

  CacheStore.open(dir, 0).close();
  expect(() => cache.prune()).toThrow("Absurd: zero-size cache");
  small.close();
  cache.close();
});

test("the database: WAL, user_version 1, exactly the two tables, the size setting replaced on open", () => {
  const dir = tempDir("cache");
  CacheStore.open(dir, 12345).close();
  const store = CacheStore.open(dir, 777);
  fs.closeSync(store.insert("x.index", new Uint8Array(5)));
  store.close();
  const db = new Database(path.join(dir, CACHE_DB), { readonly: true });
  expect(db.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()!.journal_mode).toBe("wal");
  expect(db.query<{ user_version: number }, []>("PRAGMA user_version").get()!.user_version).toBe(1);
  const tables = db.query<{ name: string; sql: string }, []>("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
  expect(tables.map((t) => t.name)).toEqual(["cache", "settings"]);
  expect(tables[0]!.sql).toContain("STRICT, WITHOUT ROWID");
  // INTEGERs, as backpak reads them back.
  expect(db.query<{ key: string; value: number; t: string }, []>("SELECT key, value, typeof(value) AS t FROM settings").all()).toEqual([{ key: "size", value: 777, t: "integer" }]);
  const row = db.query<{ name: string; t: string; s: string; size: number; time: number }, []>("SELECT name, typeof(time) AS t, typeof(size) AS s, size, time FROM cache").get()!;
  expect([row.name, row.t, row.s, row.size]).toEqual(["x.index", "integer", "integer", 5]);
  // Nanoseconds since the epoch (within a day of now).
  expect(Math.abs(row.time / 1e6 - Date.now())).toBeLessThan(86_400_000);
  db.close();
});

test("a row whose file is gone is dropped on lookup", () => {
  const dir = tempDir("cache");
  const cache = CacheStore.open(dir, GiB);
  fs.closeSync(cache.insert("gone.pack", new Uint8Array([9])));
  fs.unlinkSync(path.join(dir, "gone.pack"));
  expect(cache.tryOpen("gone.pack")).toBeUndefined();
  expect(names(cache)).toEqual([]);
});

test("reads fill the cache once and are then served from it; writes go through and are cached; removal evicts", async () => {
  const dir = tempDir("cache");
  const inner = new MemoryBackend();
  const cached = new CachedBackend(inner, CacheStore.open(dir, GiB));
  inner.objects.set("packs/p.pack", new TextEncoder().encode("stored"));
  expect(Buffer.from(await cached.read("packs/p.pack")).toString()).toBe("stored");
  expect(fs.readFileSync(path.join(dir, "p.pack"), "utf8")).toBe("stored");
  // Changed behind the cache's back: normal reads still see the cached copy, ranges too.
  inner.objects.set("packs/p.pack", new TextEncoder().encode("STORED"));
  expect(Buffer.from(await cached.read("packs/p.pack")).toString()).toBe("stored");
  const r = await cached.openRange("packs/p.pack");
  const buf = new Uint8Array(6);
  r.readInto(buf, 0);
  r.close();
  expect(Buffer.from(buf).toString()).toBe("stored");
  // "Always" reads (check) see what is stored, and refresh the cache with it.
  const always = new CachedBackend(inner, CacheStore.open(dir, GiB), "always");
  expect(Buffer.from(await always.read("packs/p.pack")).toString()).toBe("STORED");
  expect(fs.readFileSync(path.join(dir, "p.pack"), "utf8")).toBe("STORED");

  const src = local("written");
  await cached.put("snapshots/s.snapshot", src);
  expect(fs.existsSync(src)).toBe(false);
  expect(Buffer.from(inner.objects.get("snapshots/s.snapshot")!).toString()).toBe("written");
  expect(fs.readFileSync(path.join(dir, "s.snapshot"), "utf8")).toBe("written");
  expect(names(cached.store).sort()).toEqual(["p.pack", "s.snapshot"]);

  await cached.remove("snapshots/s.snapshot");
  expect(inner.objects.has("snapshots/s.snapshot")).toBe(false);
  expect(files(dir)).toEqual(["p.pack"]);
  expect(names(cached.store)).toEqual(["p.pack"]);
});

test("a failed upload caches nothing and leaves no partial files", async () => {
  const dir = tempDir("cache");
  const inner = new MemoryBackend();
  inner.put = async () => {
    throw new Error("network down");
  };
  const cached = new CachedBackend(inner, CacheStore.open(dir, GiB));
  await expect(cached.put("packs/q.pack", local("q"))).rejects.toThrow("network down");
  expect(files(dir)).toEqual([]);
  expect(names(cached.store)).toEqual([]);
});

test("filling past the size limit keeps the newest objects", async () => {
  const dir = tempDir("cache");
  const inner = new MemoryBackend();
  const cached = new CachedBackend(inner, CacheStore.open(dir, 10));
  for (const k of ["a", "b", "c"]) inner.objects.set(`packs/${k}.pack`, new Uint8Array(6).fill(1));
  await cached.read("packs/a.pack");
  await cached.read("packs/b.pack");
  expect(files(dir)).toEqual(["a.pack", "b.pack"]);
  (await cached.openRange("packs/c.pack")).close();
  expect(files(dir)).toEqual(["b.pack", "c.pack"]);
  await cached.read("packs/b.pack"); // a hit makes b the newest
  await cached.read("packs/a.pack");
  expect(names(cached.store)).toEqual(["a.pack", "b.pack"]);
  expect(files(dir)).toEqual(["a.pack", "b.pack"]);
});

test("behind a filter the cache holds plaintext while the backend holds filtered bytes", async () => {
  const dir = tempDir("cache");
  const inner = new MemoryBackend();
  const cached = new CachedBackend(new FilterBackend(inner, "gzip -c", "gzip -dc", { scratchDir: tempDir("scratch") }), CacheStore.open(dir, GiB));
  await cached.put("indexes/i.index", local("MKBAKIDX1 plaintext"));
  expect(fs.readFileSync(path.join(dir, "i.index"), "utf8")).toBe("MKBAKIDX1 plaintext");
  expect(inner.objects.get("indexes/i.index")![0]).toBe(0x1f);
  fs.rmSync(path.join(dir, "i.index"));
  expect(Buffer.from(await cached.read("indexes/i.index")).toString()).toBe("MKBAKIDX1 plaintext");
  expect(text(fs.openSync(path.join(dir, "i.index"), "r"))).toBe("MKBAKIDX1 plaintext");
});

test("the cache lives in $XDG_CACHE_HOME/backpak, else ~/.cache/backpak", () => {
  expect(defaultCacheDir({ XDG_CACHE_HOME: "/x/cache", HOME: "/home/u" })).toBe("/x/cache/backpak");
  expect(defaultCacheDir({ XDG_CACHE_HOME: "relative", HOME: "/home/u" })).toBe("/home/u/.cache/backpak");
  expect(defaultCacheDir({ HOME: "/home/u" })).toBe("/home/u/.cache/backpak");
});

const modeOf = (file: string): string => (fs.statSync(file).mode & 0o777).toString(8);
/** The directory's mode, then every file in it with its mode. */
const modesIn = (dir: string): string[] => [modeOf(dir), ...fs.readdirSync(dir).sort().map((f) => `${f} ${modeOf(path.join(dir, f))}`)];

test("the cache holds plaintext, so its directory is 0700 and every file in it 0600", async () => {
  const dir = path.join(tempDir("cache-parent"), "backpak");
  const store = CacheStore.open(dir, GiB);
  const cache = new CachedBackend(new MemoryBackend(), store);
  const source = local("uploaded");
  fs.chmodSync(source, 0o644);
  await cache.put("packs/up.pack", source);
  fs.closeSync(store.insert("down.pack", new Uint8Array([1, 2, 3])));
  expect(modesIn(dir)).toEqual(["700", `${CACHE_DB} 600`, `${CACHE_DB}-shm 600`, `${CACHE_DB}-wal 600`, "down.pack 600", "up.pack 600"]);
  store.close();
});

test("a cache directory made readable by others before is tightened, files and database too, when opened", () => {
  const dir = tempDir("cache-loose");
  CacheStore.open(dir, GiB).close();
  fs.writeFileSync(path.join(dir, "old.pack"), "plaintext");
  fs.chmodSync(dir, 0o755);
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
  CacheStore.open(dir, GiB).close();
  expect(modesIn(dir).filter((m) => !m.endsWith("600"))).toEqual(["700"]);
  expect(modesIn(dir)).toContain("old.pack 600");
  expect(modesIn(dir)).toContain(`${CACHE_DB} 600`);
});
