/**
 * Live progress, as backpak shows it: on a terminal a block of lines at the bottom of stdout,
 * redrawn every 100 ms; otherwise plain lines on stderr every 10 seconds (and once at the end of
 * a run that printed any), so stdout stays what scripts read and quick runs stay quiet.
 */
import { isTerminal, setOverlay, stderr, stdout } from "./output.ts";

const SPINNER = ["|", "/", "-", "\\"];

/** What a command drives while it works: text lines (ProgressView) or JSON status messages (JsonStatus). */
export interface ProgressDisplay {
  /** Cheap enough to call for every file. */
  tick(): void;
  /** The run is over (successfully or not). */
  done(): void;
  /** Seconds since the display was made. */
  readonly elapsed: number;
}

export class ProgressView implements ProgressDisplay {
  readonly #tty: boolean;
  readonly #every: number;
  #last = 0;
  #frame = 0;
  #drawn = 0;
  readonly #started = performance.now();

  /** `render(spinner, elapsedSeconds)` gives the block's lines. */
  constructor(readonly render: (spinner: string, elapsed: number) => string[]) {
    this.#tty = isTerminal(1);
    this.#every = this.#tty ? 100 : 10_000;
    if (this.#tty) setOverlay({ clear: () => this.#clear(), redraw: () => this.#draw() });
  }

  /** Seconds since the view was made. */
  get elapsed(): number {
    return (performance.now() - this.#started) / 1000;
  }

  /** Cheap enough to call for every file: draws only when the interval has passed. */
  tick(): void {
    const now = performance.now();
    if (this.#last === 0) this.#last = now;
    if (now - this.#last < this.#every) return;
    this.#last = now;
    this.#frame++;
    if (this.#tty) {
      this.#clear();
      this.#draw();
    } else {
      for (const l of this.#lines()) stderr.line(l);
    }
  }

  /** The final state, left on screen (or printed once). */
  done(): void {
    if (this.#tty) {
      this.#clear();
      this.#draw();
      setOverlay(undefined);
      this.#drawn = 0;
    } else if (this.#frame > 0) {
      for (const l of this.#lines()) stderr.line(l);
    }
  }

  #lines(): string[] {
    return this.render(SPINNER[this.#frame % 4]!, this.elapsed);
  }

  #draw(): void {
    const lines = this.#lines();
    stdout.raw(lines.join("\n") + "\n");
    this.#drawn = lines.length;
  }

  #clear(): void {
    if (this.#drawn > 0) stdout.raw(`\x1b[${this.#drawn}A\x1b[J`);
    this.#drawn = 0;
  }
}

/** A path cut to fit the terminal: the front and the file name around "...". */
export function truncatePath(p: string, width: number): string {
  const chars = [...p];
  if (chars.length <= width) return p;
  if (width <= 3) return ".".repeat(width);
  const name = [...p.slice(p.lastIndexOf("/") + 1)];
  if (name.length >= width - 3) return "..." + name.slice(name.length - width + 3).join("");
  return chars.slice(0, width - name.length - 3).join("") + "..." + name.join("");
}
