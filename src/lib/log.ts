/**
 * The log: core code reports what it does here and never prints. The CLI installs a sink that
 * renders events on stderr (by verbosity).
 */

export const LEVELS = ["error", "warn", "info", "debug", "trace"] as const;
export type Level = (typeof LEVELS)[number];

/** `aside` marks an INFO event for the log alone (shown from -v on), not one of the lines a command shows by default. */
export type LogSink = (level: Level, message: string, aside?: boolean) => void;

let sink: LogSink = () => {};
let maxRank = LEVELS.indexOf("warn");

/** Installs where log events go and the most verbose level anyone will render. */
export function setLogSink(s: LogSink, mostVerbose: Level): void {
  sink = s;
  maxRank = LEVELS.indexOf(mostVerbose);
}

/** True when events at `level` would be rendered (skip building expensive messages otherwise). */
export function logEnabled(level: Level): boolean {
  return LEVELS.indexOf(level) <= maxRank;
}

function emit(level: Level, message: string, aside = false): void {
  if (logEnabled(level)) sink(level, message, aside);
}

export const log = {
  error: (m: string): void => emit("error", m),
  warn: (m: string): void => emit("warn", m),
  info: (m: string): void => emit("info", m),
  /** INFO shown only from -v on, never among the lines a command shows by default. */
  infoAside: (m: string): void => emit("info", m, true),
  debug: (m: string): void => emit("debug", m),
  trace: (m: string): void => emit("trace", m),
};
