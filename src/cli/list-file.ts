/** Reads a text file of lines the user named with a flag (exclude files, `--files-from`); a missing or unreadable one is a usage error naming both. */
import fs from "node:fs";
import { UsageError } from "./args.ts";

export function readListFile(flag: string, file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError("usage", `Couldn't read ${flag} ${file}`, { cause: err, hint: `check the path of the file given with ${flag}` });
  }
  return text.replace(/^\uFEFF/, "").split("\n");
}
