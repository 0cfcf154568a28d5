/** Renders a fatal error for people (the message, each cause beneath it, and a hint when there is one) and, for --json, as an exit_error message. */
import { BackpakError, causeChain } from "../lib/errors.ts";
import { jsonLine } from "./json-lines.ts";

export function renderError(err: unknown): string {
  const [first, ...causes] = causeChain(err);
  const lines = [`Error: ${first}`];
  if (causes.length > 0) {
    lines.push("", "Caused by:");
    causes.forEach((c, i) => {
      const label = causes.length > 1 ? `${i}: ` : "";
      // A cause can span lines (a filter command's stderr): keep them all under its label.
      const [head, ...rest] = String(c).split("\n");
      lines.push(`    ${label}${head}`, ...rest.map((l) => `    ${" ".repeat(label.length)}${l}`));
    });
  }
  const hint = findHint(err);
  if (hint) lines.push("", `Hint: ${hint}`);
  if (!(err instanceof BackpakError) && err instanceof Error && err.stack && process.env.BACKPAK_BACKTRACE) {
    lines.push("", err.stack);
  }
  return lines.join("\n");
}

function findHint(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e instanceof Error && i < 32; e = e.cause, i++) {
    if (e instanceof BackpakError && e.hint) return e.hint;
  }
  if (causeChain(err).some((c) => /\bENOSPC\b/.test(String(c)))) {
    return "the disk is full: free some space and run the command again (an interrupted backup, prune or copy resumes where it stopped)";
  }
  return undefined;
}

/** The `exit_error` message (docs/json.md): the exit status, the message with its causes, and the hint if there is one. */
export function exitErrorJson(code: number, err: unknown): string {
  const hint = findHint(err);
  return jsonLine("exit_error", { code, message: causeChain(err).join(": "), ...(hint === undefined ? {} : { hint }) });
}
