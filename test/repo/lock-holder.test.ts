/**
 * Taking locks on an in-memory repository: shared locks coexist, an exclusive one is refused while
 * another lock lives (naming its holder) and taken once it goes, stale locks are ignored, two
 * racing exclusive takers never both win, held locks are refreshed and released, also on interruption.
 */
import { expect, test } from "bun:test";
import { MemoryBackend } from "../../src/backend/memory.ts";
import { encodeLock, type Lock } from "../../src/format/lock.ts";
import { BackpakError } from "../../src/lib/errors.ts";
import { runInterruptCleanups } from "../../src/lib/interrupt.ts";
import { acquireLock, type LockRequest } from "../../src/repo/lock-holder.ts";
import { listLocks } from "../../src/repo/locks.ts";

const request = (command: string, exclusive: boolean, more: Partial<LockRequest> = {}): LockRequest => ({ command, exclusive, retryForMs: 0, repository: "memory repo", ...more });
const keys = async (b: MemoryBackend): Promise<string[]> => (await listLocks(b)).map((l) => l.key).sort();

/** A lock another process holds, written as it would have. */
function foreignLock(b: MemoryBackend, lock: Partial<Lock>): void {
  const now = Date.now();
  const full: Lock = { host: "elsewhere", pid: 7, user: "bob", command: "backup", exclusive: false, created: now, refreshed: now, ...lock };
  b.objects.set(`locks/${lock.command ?? "backup"}-${lock.pid ?? 7}`, encodeLock(full));
}

async function lockedError(p: Promise<unknown>): Promise<BackpakError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof BackpakError)) throw new Error(`expected a BackpakError, got ${String(err)}`);
  return err;
}

test("shared locks coexist, each is its own object, and release removes only its own", async () => {
  const b = new MemoryBackend();
  const one = await acquireLock(b, request("backup", false));
  const two = await acquireLock(b, request("restore", false));
  expect(await keys(b)).toEqual([one.key, two.key].sort());
  expect(one.key).toMatch(/^locks\/[0-9a-v]{45}$/);
  await one.release();
  expect(await keys(b)).toEqual([two.key]);
  await two.release();
  expect(await keys(b)).toEqual([]);
});

test("an exclusive lock is refused while a live lock is held, naming the holder, and leaves nothing of its own", async () => {
  const b = new MemoryBackend();
  foreignLock(b, { command: "backup", pid: 7, host: "elsewhere", user: "bob" });
  const before = await keys(b);
  const err = await lockedError(acquireLock(b, request("prune", true)));
  expect(err.kind).toBe("locked");
  expect(err.message).toContain("memory repo is locked by `backup` (PID 7, user bob on host elsewhere) since ");
  expect(err.hint).toContain("`backpak unlock`");
  expect(err.hint).toContain("--retry-lock");
  expect(await keys(b)).toEqual(before);
});

test("a shared lock is refused while an exclusive one is held, and says it is exclusive", async () => {
  const b = new MemoryBackend();
  const prune = await acquireLock(b, request("prune", true));
  const err = await lockedError(acquireLock(b, request("backup", false)));
  expect(err.message).toContain("is locked exclusively by `prune`");
  await prune.release();
});

test("stale locks are ignored: a dead process on this host, or 30 minutes without a refresh elsewhere", async () => {
  const b = new MemoryBackend();
  const here = { host: "here", now: Date.now(), exists: (pid: number) => pid === process.pid };
  foreignLock(b, { command: "prune", exclusive: true, host: "here", pid: 999_999 });
  foreignLock(b, { command: "backup", host: "elsewhere", pid: 8, refreshed: Date.now() - 31 * 60_000 });
  const held = await acquireLock(b, request("prune", true, { judge: () => here }));
  await held.release();
  foreignLock(b, { command: "backup", host: "elsewhere", pid: 9, refreshed: Date.now() - 29 * 60_000 });
  expect((await lockedError(acquireLock(b, request("prune", true, { judge: () => here })))).kind).toBe("locked");
});

/** Counts reads of lock objects and calls `after` once the n-th has been answered. */
class ReadHook extends MemoryBackend {
  reads = 0;
  constructor(readonly n: number, readonly after: () => Promise<void>) {
    super();
  }
  override async read(key: string): Promise<Uint8Array> {
    const out = await super.read(key);
    if (key.startsWith("locks/") && ++this.reads === this.n) await this.after();
    return out;
  }
}

test("with a retry time, a refused lock is taken once the holder releases", async () => {
  let holder: { release(): Promise<void> } | undefined;
  // The holder's own take reads its lock back once; the prune's first read sees the backup's, which then ends.
  const b = new ReadHook(2, async () => holder!.release());
  holder = await acquireLock(b, request("backup", false));
  const prune = await acquireLock(b, request("prune", true, { retryForMs: 60_000 }));
  expect(b.reads).toBeGreaterThan(2);
  expect(await keys(b)).toEqual([prune.key]);
  await prune.release();
});

test("two exclusive takers racing (both store, then both list) never both win", async () => {
  const b = new MemoryBackend();
  const results = await Promise.allSettled([acquireLock(b, request("prune", true)), acquireLock(b, request("rebuild-index", true))]);
  expect(results.filter((r) => r.status === "fulfilled").length).toBeLessThan(2);
  for (const r of results) if (r.status === "fulfilled") await r.value.release();
  expect(await keys(b)).toEqual([]);
});

/** Resolves `removed` when an object is first removed. */
class RemovalHook extends MemoryBackend {
  readonly #removed = Promise.withResolvers<string>();
  readonly removed = this.#removed.promise;
  override async remove(key: string): Promise<void> {
    await super.remove(key);
    this.#removed.resolve(key);
  }
}

test("a held lock is refreshed: a newer object replaces it, and release removes the newest", async () => {
  const b = new RemovalHook();
  const held = await acquireLock(b, request("backup", false, { refreshEveryMs: 50 }));
  const first = held.key;
  const before = (await listLocks(b))[0]!.lock!;
  // The first refresh stores the new object, then removes the old one.
  expect(await b.removed).toBe(first);
  const after = (await listLocks(b))[0]!;
  expect(after.key).not.toBe(first);
  expect(after.lock!.refreshed).toBeGreaterThan(before.refreshed);
  expect(after.lock!.created).toBe(before.created);
  await held.release();
  expect(await keys(b)).toEqual([]);
});

test("an interruption releases held locks", async () => {
  const b = new MemoryBackend();
  await acquireLock(b, request("backup", false));
  expect((await keys(b)).length).toBe(1);
  await runInterruptCleanups();
  expect(await keys(b)).toEqual([]);
});
