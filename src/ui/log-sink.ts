/**
 * Renders log events on stderr, never stdout (stdout carries only results, so it can be piped or
 * redirected): every event up to the verbosity (-v INFO, -vv DEBUG, -vvv TRACE) with a
 * right-aligned level, optionally timestamped and coloured; below -v, most commands still show
 * INFO events, as bare lines (but not those logged aside, which need -v). Each event is printed once.
 */
import { LEVELS, setLogSink, type Level } from "../lib/log.ts";

export interface SinkOptions {
  readonly verbose: number;
  readonly timestamps: boolean;
  readonly color: boolean;
  /** Show INFO events (bare) even below -v: every command but cat, diff, dump, ls. */
  readonly plainInfo: boolean;
  readonly stderr: (line: string) => void;
}

const COLORS: Record<Level, string> = { error: "31", warn: "33", info: "32", debug: "34", trace: "35" };

export function verbosityLevel(verbose: number): Level {
  return verbose <= 0 ? "warn" : verbose === 1 ? "info" : verbose === 2 ? "debug" : "trace";
}

export function installLogSink(o: SinkOptions): void {
  const tagged = LEVELS.indexOf(verbosityLevel(o.verbose));
  const most = o.plainInfo ? Math.max(tagged, LEVELS.indexOf("info")) : tagged;
  setLogSink((level, message, aside) => {
    if (LEVELS.indexOf(level) > tagged) {
      // An INFO event below -v: a bare line, unless it is for the log alone.
      if (!aside) o.stderr(message);
      return;
    }
    const name = level.toUpperCase().padStart(5);
    const tag = o.color ? `\x1b[${COLORS[level]}m${name}\x1b[0m` : name;
    const time = o.timestamps ? `${new Date().toISOString()} ` : "";
    o.stderr(`${time}${tag} ${message}`);
  }, LEVELS[most]!);
}
