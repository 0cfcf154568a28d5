/** The job slots' layout: header fields each have their own index, and scan records decode as they were encoded. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { H, HEADER_INTS } from "../../src/pipeline/protocol.ts";
import { Rec, ScanRecords } from "../../src/pipeline/scan-records.ts";

const SRC = path.resolve(import.meta.dir, "../../src");

function* sources(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

test("every header field the code uses is named in H, and no two share an index", () => {
  const unnamed: string[] = [];
  for (const file of sources(SRC)) {
    // slots.get(slot, field), slots.set(slot, field, value), slots.at(slot, field): the field must be H's.
    for (const m of fs.readFileSync(file, "utf8").matchAll(/\bslots\.(?:get|set|at)\(\s*[^,()]+,\s*([^,()]+)[,)]/g)) {
      if (!/^H\.\w+$/.test(m[1]!.trim())) unnamed.push(`${path.relative(SRC, file)}: ${m[0]}`);
    }
  }
  expect(unnamed).toEqual([]);
  const byIndex = new Map<number, string[]>();
  for (const [name, index] of Object.entries(H)) byIndex.set(index, [...(byIndex.get(index) ?? []), name]);
  expect([...byIndex.values()].filter((names) => names.length > 1)).toEqual([]);
  for (const index of byIndex.keys()) expect(index).toBeLessThan(HEADER_INTS);
});

test("scan records decode as they were encoded, at any offset", () => {
  const enc = new TextEncoder();
  const records = new ScanRecords(new Uint8Array(512));
  const stat = { mode: 0o100644, uid: 1000, gid: 100, size: 2 ** 40 + 3, atime: -5n, mtime: 1_700_000_000_123_456_789n, ctime: 2n ** 62n };
  const name = enc.encode("naïve.txt");
  const target = enc.encode("../elsewhere");
  let at = 7;
  records.writeEntry(at, Rec.File, true, stat, name);
  expect(records.kind(at)).toBe(Rec.File);
  expect(records.length(at)).toBe(ScanRecords.entryLength(name));
  expect(records.size(at)).toBe(stat.size);
  expect(records.entry(at)).toEqual({ top: true, stat, name: "naïve.txt" });
  at += records.length(at);
  records.writeEntry(at, Rec.Symlink, false, { ...stat, mode: 0o120777 }, name, target);
  expect(records.length(at)).toBe(ScanRecords.entryLength(name, target));
  expect(records.entry(at)).toEqual({ top: false, stat: { ...stat, mode: 0o120777 }, name: "naïve.txt", target: "../elsewhere" });
  at += records.length(at);
  const text = enc.encode("Can't open /x: EACCES");
  records.writeMessage(at, Rec.Error, text);
  expect(records.length(at)).toBe(ScanRecords.messageLength(text));
  expect(records.message(at)).toBe("Can't open /x: EACCES");
  at += records.length(at);
  records.writeMark(at, Rec.Exit);
  expect([records.kind(at), records.length(at)]).toEqual([Rec.Exit, 1]);
});
