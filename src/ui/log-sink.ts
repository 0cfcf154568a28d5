/**
 * Renders log events as backpak does: stderr gets every event up to the verbosity (-v INFO,
 * -vv DEBUG, -vvv TRACE) with a right-aligned level, optionally timestamped and coloured;
 * for most commands INFO events (but those logged aside) are also printed on stdout as bare lines.
 */
import { setLogSink, type Level } from "../lib/log.ts";

export interface SinkOptions {
  readonly verbose: number;
  readonly timestamps: boolean;
  readonly color: boolean;
  /** Also print INFO lines on stdout (every command but cat, diff, dump, ls). */
  readonly infoToStdout: boolean;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

const COLORS: Record<Level, string> = { error: "31", warn: "33", info: "32", debug: "34", trace: "35" };

export function verbosityLevel(verbose: number): Level {
  return verbose <= 0 ? "warn" : verbose === 1 ? "info" : verbose === 2 ? "debug" : "trace";
}

export function installLogSink(o: SinkOptions): void {
  const order: Level[] = ["error", "warn", "info", "debug", "trace"];
  const stderrMax = order.indexOf(verbosityLevel(o.verbose));
  const most = o.infoToStdout ? Math.max(stderrMax, order.indexOf("info")) : stderrMax;
  setLogSink((level, message, aside) => {
    if (o.infoToStdout && level === "info" && !aside) o.stdout(message);
    if (order.indexOf(level) <= stderrMax) {
      const name = level.toUpperCase().padStart(5);
      const tag = o.color ? `\x1b[${COLORS[level]}m${name}\x1b[0m` : name;
      const time = o.timestamps ? `${new Date().toISOString()} ` : "";
      o.stderr(`${time}${tag} ${message}`);
    }
  }, order[most]!);
}
