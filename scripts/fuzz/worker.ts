/**
 * The fuzzing worker: runs one kind's inputs from a given number on, publishing each input's
 * number in shared memory before decoding it (so the main thread can name an input that hangs),
 * and posts the kind's result when done.
 */
import { runKind, type CampaignOptions } from "./campaign.ts";
import type { Kind } from "./targets.ts";

export interface WorkerRequest extends Omit<CampaignOptions, "onInput"> {
  readonly kind: Kind;
  /** [input number running now, inputs started]: written before each input. */
  readonly progress: SharedArrayBuffer;
}

declare const self: Worker;

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const { kind, progress, ...opts } = e.data;
  const cells = new Int32Array(progress);
  const result = runKind(kind, {
    ...opts,
    onInput: (_seed, i) => {
      Atomics.store(cells, 0, i);
      Atomics.add(cells, 1, 1);
    },
  });
  self.postMessage(result);
};
