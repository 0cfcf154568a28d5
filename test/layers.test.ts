/** Guards design.md's layering: a module imports only from its own layer or layers to its left. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";

const SRC = path.resolve(import.meta.dir, "../src");
const ORDER = ["lib", "format", "kernels", "backend", "fs", "pipeline", "workers", "repo", "ops", "ui", "cli"];

function* sources(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) yield p;
  }
}

const layerOf = (file: string): string => path.relative(SRC, file).split(path.sep)[0]!;

test("every source file sits in a known layer and starts with a comment saying what it does", () => {
  for (const file of sources(SRC)) {
    expect(ORDER).toContain(layerOf(file));
    expect(fs.readFileSync(file, "utf8").trimStart().startsWith("/**")).toBe(true);
  }
});

test("imports never point to a layer on the right", () => {
  const violations: string[] = [];
  for (const file of sources(SRC)) {
    const from = ORDER.indexOf(layerOf(file));
    for (const m of fs.readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      if (!target.startsWith(SRC + path.sep)) continue;
      const to = ORDER.indexOf(layerOf(target));
      if (to > from) violations.push(`${path.relative(SRC, file)} imports ${m[1]}`);
    }
  }
  expect(violations).toEqual([]);
});
