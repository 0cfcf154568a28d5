/** The conformance suite every Backend passes (see the contract in src/backend/backend.ts). */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import type { Backend } from "../../src/backend/index.ts";
import { tempDir } from "../helpers/tmp.ts";

export function backendSuite(name: string, make: () => Promise<Backend> | Backend): void {
  describe(`${name} backend`, () => {
    const local = (content: string): string => {
      const p = path.join(tempDir("local"), "obj");
      fs.writeFileSync(p, content);
      return p;
    };

    test("put then read returns the bytes and consumes the local file", async () => {
      const b = await make();
      const src = local("hello");
      await b.put("packs/a.pack", src);
      expect(fs.existsSync(src)).toBe(false);
      expect(Buffer.from(await b.read("packs/a.pack")).toString()).toBe("hello");
    });

    test("put replaces an existing object", async () => {
      const b = await make();
      await b.put("snapshots/s.snapshot", local("one"));
      await b.put("snapshots/s.snapshot", local("two"));
      expect(Buffer.from(await b.read("snapshots/s.snapshot")).toString()).toBe("two");
    });

    test("list gives keys and sizes under a prefix only", async () => {
      const b = await make();
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

    test("read and remove of a missing key fail as not-found, naming the key", async () => {
      const b = await make();
      await expect(b.read("packs/nope.pack")).rejects.toMatchObject({ kind: "not-found", message: expect.stringContaining("packs/nope.pack") });
      await expect(b.remove("packs/nope.pack")).rejects.toMatchObject({ kind: "not-found" });
    });

    test("openRange reads windows of an object, short only at its end", async () => {
      const b = await make();
      await b.put("packs/r.pack", local("0123456789"));
      const r = await b.openRange("packs/r.pack");
      expect(r.size).toBe(10);
      const buf = new Uint8Array(4);
      expect(r.readInto(buf, 3)).toBe(4);
      expect(Buffer.from(buf).toString()).toBe("3456");
      expect(r.readInto(buf, 8)).toBe(2);
      expect(Buffer.from(buf.subarray(0, 2)).toString()).toBe("89");
      r.close();
      await expect(b.openRange("packs/nope.pack")).rejects.toMatchObject({ kind: "not-found" });
    });

    test("remove deletes", async () => {
      const b = await make();
      await b.put("indexes/i.index", local("x"));
      await b.remove("indexes/i.index");
      expect(await b.list("indexes/")).toEqual([]);
      await expect(b.read("indexes/i.index")).rejects.toMatchObject({ kind: "not-found" });
    });
  });
}
