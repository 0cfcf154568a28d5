/** How a reporting command shows its work, from its -q and --json flags: a text progress block, JSON status messages, or nothing. */
import { JsonStatus } from "../ui/json-status.ts";
import { ProgressView, type ProgressDisplay } from "../ui/progress.ts";
import type { Parsed } from "./args.ts";
import { arg } from "./command.ts";

export const wantsJson = (args: Parsed): boolean => arg.flag(args, "json");

/** None with -q, JSON `status` messages with --json, else the text block `text` renders. */
export function progressDisplay(args: Parsed, text: (spin: string, elapsed: number) => string[], json: (elapsed: number) => object): ProgressDisplay | undefined {
  if (arg.flag(args, "quiet")) return undefined;
  return wantsJson(args) ? new JsonStatus(json) : new ProgressView(text);
}
