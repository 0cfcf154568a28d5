/** prune's plan: packs kept, rewritten or dropped by how much of each is in use, with only one copy of a blob stored twice counted. */
import { expect, test } from "bun:test";
import type { BlobId, PackId } from "../../src/format/id.ts";
import type { Manifest } from "../../src/format/manifest.ts";
import { planPacks } from "../../src/ops/prune-plan.ts";

const blob = (n: string): BlobId => n as BlobId;
const manifest = (...ids: string[]): Manifest => ids.map((id) => ({ id: blob(id), type: "chunk", length: 10 }));
const packs = (entries: Record<string, Manifest>): Map<PackId, Manifest> => new Map(Object.entries(entries) as [PackId, Manifest][]);
const keys = (m: ReadonlyMap<PackId, unknown>): string[] => [...m.keys()].sort();

test("packs wholly, partly and not at all in use are kept, rewritten and dropped", () => {
  const plan = planPacks(packs({ whole: manifest("a", "b"), part: manifest("c", "x"), none: manifest("y") }), new Set(["a", "b", "c"].map(blob)));
  expect(keys(plan.reusable)).toEqual(["whole"]);
  expect(keys(plan.sparse)).toEqual(["part"]);
  expect(keys(plan.droppable)).toEqual(["none"]);
  expect(plan.extraCopies).toBe(0);
});

test("a blob stored twice is kept in the pack that is otherwise kept whole, whatever the order", () => {
  const used = new Set(["a", "b", "c"].map(blob));
  // "first" is listed first, but holds an unused blob, so its copy of a is the one to go.
  const plan = planPacks(packs({ first: manifest("a", "x"), whole: manifest("a", "b"), other: manifest("c") }), used);
  expect(keys(plan.reusable)).toEqual(["other", "whole"]);
  expect(keys(plan.droppable)).toEqual(["first"]);
  expect(plan.extraCopies).toBe(1);
});

test("of two packs each wholly in use that share a blob, one is kept and the other rewritten", () => {
  const plan = planPacks(packs({ one: manifest("a", "b"), two: manifest("a", "c") }), new Set(["a", "b", "c"].map(blob)));
  expect(keys(plan.reusable)).toEqual(["one"]);
  expect(keys(plan.sparse)).toEqual(["two"]);
  expect(plan.extraCopies).toBe(1);
});
