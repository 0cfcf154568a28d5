/**
 * The kernel worker pool: one worker per core, fixed job slots and per-worker slot queues in
 * shared memory, and one shared data buffer the jobs' byte ranges point into. The main thread
 * fills slots, queues them, and awaits their status words; a worker that fails a job or dies
 * fails the waiter with its message instead of leaving it hanging.
 */
import { BackpakError } from "../lib/errors.ts";
import { H, JobType, SlotQueue, Slots, Status } from "./protocol.ts";
import type { ReadHook } from "./read-hook.ts";
import type { FaultPlan, WorkerInit } from "./worker-init.ts";

export interface PoolOptions {
  readonly workers: number;
  /** Size of the shared data buffer (rings of file bytes and compressed frames live here). */
  readonly dataBytes: number;
  /** Job slots; bounds the jobs in flight. */
  readonly slots?: number;
  readonly fault?: FaultPlan;
  /** For tests: a command to run at a chosen point of reading a file (see read-hook.ts). */
  readonly readHook?: ReadHook;
}

/**
 * The worker entry point. Inside the executable every module is bundled into the root, where the
 * worker entry sits at workers/ (scripts/build.ts names it); from source it is beside this folder.
 */
const WORKER_URL = import.meta.url.startsWith("file:///$bunfs/")
  ? new URL("./workers/kernel-worker.ts", import.meta.url).href
  : new URL("../workers/kernel-worker.ts", import.meta.url).href;

export class WorkerPool {
  readonly slots: Slots;
  readonly data: Uint8Array;
  readonly #queues: SlotQueue[] = [];
  readonly #workers: Worker[] = [];
  readonly #free: number[] = [];
  readonly #owner: Int32Array;
  readonly #busy: number[];
  /** Counts finished jobs (workers add to it); see `waitAny`. */
  readonly #progress = new Int32Array(new SharedArrayBuffer(4));
  #failure: string | undefined;

  constructor(readonly opts: PoolOptions) {
    const count = opts.slots ?? 32;
    this.slots = Slots.create(count);
    this.#owner = new Int32Array(count).fill(-1);
    const data = new SharedArrayBuffer(opts.dataBytes);
    this.data = new Uint8Array(data);
    for (let s = count - 1; s >= 0; s--) this.#free.push(s);
    this.#busy = new Array<number>(opts.workers).fill(0);
    for (let w = 0; w < opts.workers; w++) {
      const queue = SlotQueue.create(count);
      const worker = new Worker(WORKER_URL, { smol: true });
      worker.addEventListener("error", (ev) => this.#fail(`kernel worker ${w} died: ${describeWorkerError(ev as ErrorEvent)}`));
      const init: WorkerInit = {
        slots: this.slots.buffer,
        slotCount: count,
        queue: queue.buffer,
        data,
        progress: this.#progress.buffer as SharedArrayBuffer,
        ...(opts.fault ? { fault: opts.fault } : {}),
        ...(opts.readHook ? { readHook: opts.readHook } : {}),
      };
      worker.postMessage(init);
      worker.unref();
      this.#queues.push(queue);
      this.#workers.push(worker);
    }
  }

  get workerCount(): number {
    return this.#workers.length;
  }

  /** Why the pool broke (a worker died), or undefined while it works. */
  get failure(): string | undefined {
    return this.#failure;
  }

  get freeSlots(): number {
    return this.#free.length;
  }

  /** Takes a free slot for a job of `type`; the caller checked `freeSlots > 0`. */
  take(type: number): number {
    const slot = this.#free.pop();
    if (slot === undefined) throw new BackpakError("internal", "no free job slot");
    this.slots.set(slot, H.Type, type);
    this.slots.set(slot, H.Items, 0);
    this.slots.set(slot, H.Cuts, 0);
    this.slots.set(slot, H.FailedItem, -1);
    this.slots.set(slot, H.FailedWrite, 0);
    this.slots.set(slot, H.Status, Status.Free);
    return slot;
  }

  /** The worker with the fewest jobs in flight. */
  leastBusy(): number {
    let best = 0;
    for (let w = 1; w < this.#busy.length; w++) if (this.#busy[w]! < this.#busy[best]!) best = w;
    return best;
  }

  submit(slot: number, worker: number): void {
    if (this.#failure) throw new BackpakError("internal", this.#failure);
    Atomics.store(this.slots.i32, this.slots.at(slot, H.Status), Status.Submitted);
    this.#owner[slot] = worker;
    this.#busy[worker]!++;
    this.#queues[worker]!.push(slot);
  }

  /** True once the job finished (or failed), without waiting. */
  finished(slot: number): boolean {
    return Atomics.load(this.slots.i32, this.slots.at(slot, H.Status)) !== Status.Submitted;
  }

  /** How many jobs have finished so far (pass it to `waitAny`). */
  get finishedCount(): number {
    return Atomics.load(this.#progress, 0);
  }

  /**
   * Resolves once more jobs than `seen` have finished. The thread sleeps in Atomics.wait (Bun's
   * waitAsync keeps the event loop spinning, burning a core); every 50 ms it yields to the event
   * loop so a worker's death is noticed.
   */
  async waitAny(seen: number): Promise<void> {
    while (Atomics.load(this.#progress, 0) === seen) {
      if (Atomics.wait(this.#progress, 0, seen, 50) === "timed-out") await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Accounts a finished job, exactly once: throws with the worker's message if it failed (or its
   * worker died). The slot stays taken until `release`.
   */
  complete(slot: number): void {
    if (!this.finished(slot)) throw new BackpakError("internal", `job ${slot} is still running`);
    const w = this.#owner[slot]!;
    if (w >= 0) {
      this.#busy[w]!--;
      this.#owner[slot] = -1;
    }
    if (this.slots.get(slot, H.Status) === Status.Failed) throw new BackpakError("internal", this.#failure ?? this.slots.error(slot));
  }

  /** Returns a slot whose results have been read. */
  release(slot: number): void {
    this.#free.push(slot);
  }

  /** A worker died: fail every job in flight so no waiter hangs. */
  #fail(message: string): void {
    this.#failure ??= message;
    for (let s = 0; s < this.slots.count; s++) {
      const idx = this.slots.at(s, H.Status);
      if (Atomics.compareExchange(this.slots.i32, idx, Status.Submitted, Status.Failed) === Status.Submitted) {
        Atomics.notify(this.slots.i32, idx);
      }
    }
    Atomics.add(this.#progress, 0, 1);
    Atomics.notify(this.#progress, 0);
  }

  /** Stops and ends the workers. */
  close(): void {
    for (let w = 0; w < this.#workers.length; w++) {
      if (this.#free.length > 0) {
        const slot = this.take(JobType.Stop);
        Atomics.store(this.slots.i32, this.slots.at(slot, H.Status), Status.Submitted);
        this.#queues[w]!.push(slot);
      }
      this.#workers[w]!.terminate();
    }
  }
}

/** The error that killed a worker, in one line (Bun's event message may carry a code frame). */
function describeWorkerError(ev: ErrorEvent): string {
  if (ev.error instanceof Error) return ev.error.message;
  const lines = (ev.message ?? "unknown error").split("\n").filter((l) => l.trim() !== "");
  return lines.find((l) => /^\s*(error|Error)\b/.test(l))?.trim() ?? lines[0] ?? "unknown error";
}

/** Worker count: $BACKPAK_WORKERS, else one per core. */
export function defaultWorkerCount(): number {
  const env = Number(process.env.BACKPAK_WORKERS);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, navigator.hardwareConcurrency || 1);
}
