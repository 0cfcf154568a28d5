/**
 * Lines gathered into writes of about 64 KiB, for commands that print one line per path (`ls`):
 * output streams as the walk goes, in few system calls, and memory holds one batch at most.
 */
import { stdout } from "./output.ts";

const BATCH_CHARS = 64 * 1024;

export class BufferedLines {
  #batch: string[] = [];
  #chars = 0;

  constructor(readonly write: (data: string) => void = stdout.write) {}

  line(s: string): void {
    this.#batch.push(s);
    this.#chars += s.length + 1;
    if (this.#chars >= BATCH_CHARS) this.flush();
  }

  flush(): void {
    if (this.#batch.length === 0) return;
    const data = this.#batch.join("\n") + "\n";
    this.#batch = [];
    this.#chars = 0;
    this.write(data);
  }
}
