/** Before a repository is given a filter, proves that `unfilter` undoes `filter` on a fixed few lines of text. */
import { BackpakError } from "../lib/errors.ts";
import { describeExit, runShell, shellFailure } from "./shell.ts";

/** Three lines, the last newline-terminated, so a filter that mangles lines or line ends shows. */
export const ROUND_TRIP_TEXT = "Backups are a letter to your future self.\nMay this one arrive intact,\nand read the same as the day it was sent.\n";

/** Throws (kind "usage") unless both commands exit 0 and unfilter(filter(text)) is the text again. */
export async function checkFilterRoundTrip(filter: string, unfilter: string): Promise<void> {
  const plain = new TextEncoder().encode(ROUND_TRIP_TEXT);
  const f = await runShell(filter, { bytes: plain }, "collect");
  if (f.code !== 0) throw usage(shellFailure(`${filter} ${describeExit(f)}`, f));
  const u = await runShell(unfilter, { bytes: f.stdout }, "collect");
  if (u.code !== 0) throw usage(shellFailure(`${unfilter} ${describeExit(u)}`, u));
  if (!Buffer.from(u.stdout).equals(plain)) {
    const got = new TextDecoder().decode(u.stdout);
    throw new BackpakError("usage", `filter didn't round trip!\nExpected:\n${ROUND_TRIP_TEXT}\nGot:\n${got}`, {
      hint: "the unfilter command must give back exactly what the filter command was fed",
    });
  }
}

function usage(err: BackpakError): BackpakError {
  return new BackpakError("usage", err.message, { cause: err.cause, hint: "check that the filter and unfilter commands work on their own" });
}
