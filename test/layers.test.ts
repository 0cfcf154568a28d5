/**
 * Guards design.md's layering: a module imports only from its own layer or layers to its left, and
 * a folder with an index.ts (its surface) is imported from outside only through that file.
 */
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

/** Each relative import in src/: the importing file and the file it names. */
function* imports(): Generator<{ file: string; spec: string; target: string }> {
  for (const file of sources(SRC)) {
    for (const m of fs.readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      if (target.startsWith(SRC + path.sep)) yield { file, spec: m[1]!, target };
    }
  }
}

/**
 * Importers allowed past a surface: cli/ picks concrete backends and their caches (backends.ts,
 * init, context, scratch-location), which backend/index.ts doesn't export.
 */
const PAST_SURFACE: Record<string, readonly string[]> = { backend: ["cli"] };

test("every source file sits in a known layer and starts with a comment saying what it does", () => {
  for (const file of sources(SRC)) {
    expect(ORDER).toContain(layerOf(file));
    expect(fs.readFileSync(file, "utf8").trimStart().startsWith("/**")).toBe(true);
  }
});

test("imports never point to a layer on the right", () => {
  const violations: string[] = [];
  for (const { file, spec, target } of imports()) {
    if (ORDER.indexOf(layerOf(target)) > ORDER.indexOf(layerOf(file))) violations.push(`${path.relative(SRC, file)} imports ${spec}`);
  }
  expect(violations).toEqual([]);
});

test("a folder with an index.ts is imported from outside it only through that file", () => {
  const violations: string[] = [];
  for (const { file, spec, target } of imports()) {
    for (let dir = path.dirname(target); dir !== SRC; dir = path.dirname(dir)) {
      if (file.startsWith(dir + path.sep) || !fs.existsSync(path.join(dir, "index.ts"))) continue;
      const allowed = PAST_SURFACE[path.relative(SRC, dir)]?.includes(layerOf(file)) ?? false;
      if (target !== path.join(dir, "index.ts") && !allowed) violations.push(`${path.relative(SRC, file)} imports ${spec}`);
    }
  }
  expect(violations).toEqual([]);
});
