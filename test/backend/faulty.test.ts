/** The fault-injecting decorator over a real filesystem backend: its grammar, each fault kind, call counting and append-only refusals. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { FilesystemBackend } from "../../src/backend/index.ts";
import { parseFaultPlan } from "../../src/backend/fault-plan.ts";
import { FaultyBackend } from "../../src/backend/faulty.ts";
import { BackpakError, causeChain } from "../../src/lib/errors.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

/** A filesystem backend in a fresh directory, wrapped with the faults `spec` describes. */
function faulty(spec: string): { backend: FaultyBackend; root: string; file: (text: string) => string } {
  const root = tempDir("faulty");
  for (const d of ["packs", "indexes", "snapshots"]) fs.mkdirSync(path.join(root, d));
  const local = tempDir("faulty-local");
  let n = 0;
  const file = (text: string): string => {
    const p = path.join(local, `f${n++}`);
    fs.writeFileSync(p, text);
    return p;
  };
  return { backend: new FaultyBackend(new FilesystemBackend(root), parseFaultPlan(spec)!), root, file };
}

const failure = async (p: Promise<unknown>): Promise<string> => causeChain(await p.then(() => undefined, (e: unknown) => e)).join(": ");

test("the grammar takes rules joined by commas and refuses what it can't read, saying what it should be", () => {
  const plan = parseFaultPlan("put:packs/:3:EIO,read::2-4:short,list:indexes/:2+:lost,remove:snapshots/:*:timeout,append-only")!;
  expect(plan.appendOnly).toBe(true);
  expect(plan.rules.map((r) => [r.op, r.prefix, r.first, r.last, r.kind])).toEqual([
    ["put", "packs/", 3, 3, "EIO"],
    ["read", "", 2, 4, "short"],
    ["list", "indexes/", 2, Infinity, "lost"],
    ["remove", "snapshots/", 1, Infinity, "timeout"],
  ]);
  expect(parseFaultPlan("")).toBeUndefined();
  for (const bad of ["put:packs/:0:EIO", "put:packs/:3", "write:packs/:1:EIO", "put:packs/:1:EPERM", "put:packs/:3-2:EIO", "list::1:short"]) {
    expect(() => parseFaultPlan(bad)).toThrow(BackpakError);
  }
  const err = (() => {
    try {
      parseFaultPlan("put:packs/:x:EIO");
    } catch (e) {
      return e as BackpakError;
    }
  })();
  expect(err?.message).toBe(`Can't parse the rule "put:packs/:x:EIO" of BACKPAK_BACKEND_FAULT`);
  expect(err?.hint).toStartWith("BACKPAK_BACKEND_FAULT should be");
});

test("EIO and ENOSPC fail only the chosen call of the chosen prefix, naming the key, and store nothing", async () => {
  const { backend, root, file } = faulty("put:packs/:2:EIO,put:snapshots/:1:ENOSPC");
  await backend.put("packs/a.pack", file("a"));
  await backend.put("indexes/i.index", file("i"));
  expect(await failure(backend.put("packs/b.pack", file("b")))).toMatch(/^Couldn't store packs\/b\.pack: EIO: i\/o error/);
  await backend.put("packs/c.pack", file("c"));
  expect(await failure(backend.put("snapshots/s.snapshot", file("s")))).toContain("Couldn't store snapshots/s.snapshot: ENOSPC: no space left on device");
  expect(fs.readdirSync(path.join(root, "packs")).sort()).toEqual(["a.pack", "c.pack"]);
  expect(fs.readdirSync(path.join(root, "snapshots"))).toEqual([]);
});

test("a timeout fails without doing the call; a lost reply fails after doing it", async () => {
  const { backend, root, file } = faulty("put:packs/a:1:timeout,put:packs/b:1:lost,remove::1:lost,list::1:timeout");
  expect(await failure(backend.put("packs/a.pack", file("a")))).toContain("ETIMEDOUT");
  expect(await failure(backend.put("packs/b.pack", file("b")))).toContain("ECONNRESET");
  expect(fs.readdirSync(path.join(root, "packs"))).toEqual(["b.pack"]);
  expect(await failure(backend.remove("packs/b.pack"))).toContain("Couldn't delete packs/b.pack: ECONNRESET");
  expect(fs.readdirSync(path.join(root, "packs"))).toEqual([]);
  expect(await failure(backend.list("packs/"))).toContain("Couldn't list packs/: ETIMEDOUT");
  expect(await backend.list("packs/")).toEqual([]);
});

test("a short put stores half the file and reports success; short reads see half the object", async () => {
  const { backend, root, file } = faulty("put::1:short,read::1:short,openRange::1:short");
  await backend.put("packs/a.pack", file("0123456789"));
  expect(fs.readFileSync(path.join(root, "packs/a.pack"), "utf8")).toBe("01234");
  await backend.put("packs/b.pack", file("abcdefgh"));
  expect(new TextDecoder().decode(await backend.read("packs/b.pack"))).toBe("abcd");
  expect(new TextDecoder().decode(await backend.read("packs/b.pack"))).toBe("abcdefgh");
  const r = await backend.openRange("packs/b.pack");
  const into = new Uint8Array(8);
  expect([r.size, r.readInto(into, 2), r.readInto(into, 4)]).toEqual([4, 2, 0]);
  r.close();
});

test("a hang never settles", async () => {
  const { backend } = faulty("read::1:hang");
  const outcome = await Promise.race([backend.read("packs/x.pack").then(() => "settled", () => "settled"), Promise.resolve("pending")]);
  expect(outcome).toBe("pending");
});

test("append-only refuses every delete and every overwrite with a permission error, and takes new keys", async () => {
  const { backend, root, file } = faulty("append-only");
  await backend.put("packs/a.pack", file("a"));
  const overwrite = await failure(backend.put("packs/a.pack", file("other")));
  expect(overwrite).toContain("Couldn't store packs/a.pack");
  expect(overwrite).toContain("may not overwrite objects (append-only): EACCES: permission denied");
  expect(await failure(backend.remove("packs/a.pack"))).toContain("Couldn't delete packs/a.pack");
  expect(await failure(backend.remove("packs/a.pack"))).toContain("lacks delete rights");
  expect(fs.readFileSync(path.join(root, "packs/a.pack"), "utf8")).toBe("a");
});
