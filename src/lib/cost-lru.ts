/**
 * A least-recently-used map bounded by the total cost its values are given (about their bytes):
 * setting a value evicts the least recently used ones until it fits, and a value costing more than
 * the whole budget isn't kept.
 */
export class CostLru<K, V> {
  /** Entries, least recently used first (a Map keeps insertion order). */
  readonly #entries = new Map<K, { readonly value: V; readonly cost: number }>();
  #cost = 0;

  constructor(readonly budget: number) {}

  /** The total cost of what is kept now; never more than the budget. */
  get cost(): number {
    return this.#cost;
  }

  /** The value, marked as most recently used. */
  get(key: K): V | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, hit);
    return hit.value;
  }

  set(key: K, value: V, cost: number): void {
    if (cost > this.budget) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#cost -= old.cost;
    }
    for (const [oldest, { cost: c }] of this.#entries) {
      if (this.#cost + cost <= this.budget) break;
      this.#entries.delete(oldest);
      this.#cost -= c;
    }
    this.#entries.set(key, { value, cost });
    this.#cost += cost;
  }
}
