/**
 * What `find` found beneath a tree at a path, kept for the next snapshot that has the same tree at
 * the same path (its matches are the same, so its trees need not be read again). Bounded: the
 * least recently used lists go first once the entries' total cost passes the budget, and a list
 * is kept only when it is short.
 */
import type { FoundEntry } from "./find.ts";

/** Roughly bytes per entry beyond its path (the object and its fields). */
const ENTRY_COST = 64;

export class FindCache {
  readonly #lists = new Map<string, { readonly found: readonly FoundEntry[]; readonly cost: number }>();
  #cost = 0;

  /** `budget`: the total cost (about bytes) kept; `maxPerTree`: the longest list kept. */
  constructor(
    readonly budget: number,
    readonly maxPerTree: number,
  ) {}

  static key(tree: string, path: string): string {
    return `${tree}\0${path}`;
  }

  get(key: string): readonly FoundEntry[] | undefined {
    const hit = this.#lists.get(key);
    if (!hit) return undefined;
    // Map order is insertion order: put it back at the recent end.
    this.#lists.delete(key);
    this.#lists.set(key, hit);
    return hit.found;
  }

  set(key: string, found: readonly FoundEntry[]): void {
    if (found.length > this.maxPerTree) return;
    const cost = key.length + found.reduce((n, f) => n + f.path.length + ENTRY_COST, 0);
    if (cost > this.budget) return;
    const old = this.#lists.get(key);
    if (old) {
      this.#lists.delete(key);
      this.#cost -= old.cost;
    }
    this.#lists.set(key, { found, cost });
    this.#cost += cost;
    for (const [k, v] of this.#lists) {
      if (this.#cost <= this.budget) break;
      this.#lists.delete(k);
      this.#cost -= v.cost;
    }
  }
}
