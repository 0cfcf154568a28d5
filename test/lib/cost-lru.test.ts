/** CostLru: the least recently used values go first once the costs pass the budget; a value dearer than the budget isn't kept. */
import { expect, test } from "bun:test";
import { CostLru } from "../../src/lib/cost-lru.ts";

test("evicts the least recently used until a new value fits, and a get counts as a use", () => {
  const lru = new CostLru<string, number>(10);
  lru.set("a", 1, 4);
  lru.set("b", 2, 4);
  expect(lru.get("a")).toBe(1); // a is now the most recently used
  lru.set("c", 3, 4);
  expect(lru.get("b")).toBeUndefined();
  expect([lru.get("a"), lru.get("c")]).toEqual([1, 3]);
  expect(lru.cost).toBe(8);
});

test("setting a key again replaces its cost; a value costing more than the budget is not kept and evicts nothing", () => {
  const lru = new CostLru<string, string>(10);
  lru.set("a", "x", 6);
  lru.set("a", "y", 3);
  expect([lru.get("a"), lru.cost]).toEqual(["y", 3]);
  lru.set("big", "z", 11);
  expect([lru.get("big"), lru.get("a"), lru.cost]).toEqual([undefined, "y", 3]);
});
