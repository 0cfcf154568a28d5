/**
 * Runs background jobs with at most `limit` of them unfinished at once: `start` returns once its job
 * has begun (waiting for a slot when all are taken), so the caller keeps working while jobs run;
 * the first failure is thrown by the next `start` or by `drain`, which waits for every job.
 */
export class BoundedJobs {
  readonly #running = new Set<Promise<void>>();
  #failed = false;
  #failure: unknown;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`at least one job must be allowed to run, not ${limit}`);
  }

  /** How many jobs have started and not yet settled. */
  get running(): number {
    return this.#running.size;
  }

  /** Waits for a free slot, then starts `job` without waiting for it; throws an earlier job's failure. */
  async start(job: () => Promise<void>): Promise<void> {
    this.#check();
    while (this.#running.size >= this.limit) {
      await Promise.race(this.#running);
      this.#check();
    }
    const settled: Promise<void> = job()
      .catch((err: unknown) => {
        if (this.#failed) return;
        this.#failed = true;
        this.#failure = err;
      })
      .finally(() => this.#running.delete(settled));
    this.#running.add(settled);
  }

  /** Waits until every started job has settled; throws the first failure, if any. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
    this.#check();
  }

  #check(): void {
    if (this.#failed) throw this.#failure;
  }
}
