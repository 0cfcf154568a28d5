/**
 * What `find` found beneath a tree at a path, kept for the next snapshot that has the same tree at
 * the same path (its matches are the same, so its trees need not be read again). Bounded: the
 * least recently used lists go first once the entries' total cost passes the budget, and a list
 * is kept only when it is short.
 */
import { CostLru } from "../lib/cost-lru.ts";
import type { FoundEntry } from "./find.ts";

/** Roughly bytes per entry beyond its path (the object and its fields). */
const ENTRY_COST = 64;

export class FindCache {
  readonly #lists: CostLru<string, readonly FoundEntry[]>;

  /** `budget`: the total cost (about bytes) kept; `maxPerTree`: the longest list kept. */
  constructor(
    budget: number,
    readonly maxPerTree: number,
  ) {
    this.#lists = new CostLru(budget);
  }

  static key(tree: string, path: string): string {
    return `${tree}\0${path}`;
  }

  get(key: string): readonly FoundEntry[] | undefined {
    return this.#lists.get(key);
  }

  set(key: string, found: readonly FoundEntry[]): void {
    if (found.length > this.maxPerTree) return;
    this.#lists.set(key, found, key.length + found.reduce((n, f) => n + f.path.length + ENTRY_COST, 0));
  }
}
