/** The message that starts a kernel worker: its shared buffers, and (for tests) a fault to inject or a hook in file reads. */
import type { ReadHook } from "./read-hook.ts";

/**
 * Makes one job misbehave, so tests can see failures handled: `throw` fails the job, `die` kills
 * the worker mid-job, `stall` never finishes it, `hold` finishes it once the file `release` exists.
 */
export interface FaultPlan {
  readonly job: number;
  /** The n-th job of that type (1-based) on each worker. */
  readonly after: number;
  readonly mode: "throw" | "die" | "stall" | "hold";
  /** For `hold`: the file whose creation lets the job go on. */
  readonly release?: string;
}

export interface WorkerInit {
  readonly slots: SharedArrayBuffer;
  readonly slotCount: number;
  readonly queue: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
  /** One Int32 counting finished jobs: the main thread sleeps on it while waiting for any job. */
  readonly progress: SharedArrayBuffer;
  readonly fault?: FaultPlan;
  readonly readHook?: ReadHook;
}
