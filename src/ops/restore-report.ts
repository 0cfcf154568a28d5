/** Tells what a restore left undone (each file it couldn't write and why, how many directories it wouldn't replace) and fails it. */
import { BackpakError, causeChain } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import type { UnwrittenFile } from "./file-writer.ts";

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Throws (after logging each unwritten file) unless the restore did everything; `refused` directories were logged as they were met. */
export function failIfIncomplete(refused: number, unwritten: readonly UnwrittenFile[]): void {
  // Each reason once, in full, then the files it kept from being restored.
  const byWhy = new Map<BackpakError, UnwrittenFile[]>();
  for (const f of unwritten) {
    const files = byWhy.get(f.why);
    if (files) files.push(f);
    else byWhy.set(f.why, [f]);
  }
  for (const [why, files] of byWhy) {
    log.error(causeChain(why).join(": "));
    for (const f of files) log.error(f.pack === undefined ? `Couldn't restore ${f.dest}` : `Couldn't restore ${f.dest}, which needs pack ${f.pack}`);
  }
  const left: string[] = [];
  const hints: string[] = [];
  if (refused > 0) {
    left.push(`${count(refused, "directory", "directories")} it won't replace without --delete`);
    hints.push("run it again with --delete to replace those directories");
  }
  if (unwritten.length > 0) {
    left.push(`${count(unwritten.length, "file", "files")} whose data couldn't be read`);
    hints.push("`backpak check --read-packs` names every snapshot and path that needs a missing or damaged pack");
  }
  if (left.length === 0) return;
  throw new BackpakError(unwritten.length > 0 ? "corrupt" : "conflict", `Restored everything but ${left.join(" and ")} (named above)`, { hint: hints.join("; ") });
}
