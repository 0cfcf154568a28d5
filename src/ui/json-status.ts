/**
 * `--json` progress: a `status` message on stdout at the first tick and then at most once a
 * second, instead of the text block of ProgressView (same tick/done/elapsed surface).
 */
import { printJson } from "./json-lines.ts";
import type { ProgressDisplay } from "./progress.ts";

const EVERY_MS = 1000;

export class JsonStatus implements ProgressDisplay {
  #last = -Infinity;
  readonly #started = performance.now();

  /** `render(elapsedSeconds)` gives the status message's fields. */
  constructor(readonly render: (elapsed: number) => object) {}

  get elapsed(): number {
    return (performance.now() - this.#started) / 1000;
  }

  tick(): void {
    const now = performance.now();
    if (now - this.#last < EVERY_MS) return;
    this.#last = now;
    printJson("status", this.render(this.elapsed));
  }

  /** Nothing more: the command's summary follows. */
  done(): void {}
}
