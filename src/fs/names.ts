/** Directory listings and symlink targets (at paths of any length) that must be UTF-8 (the format stores names as text). */
import fs from "node:fs";
import { decodeUtf8Strict } from "../lib/bytes.ts";
import { BackpakError } from "../lib/errors.ts";
import { reach } from "./long-path.ts";

const NOT_UTF8_HINT = "rename it to valid UTF-8, or leave it out with --skip";

/** Names in `dir`, each checked to be valid UTF-8. */
export function readDirUtf8(dir: string): string[] {
  let raw: Buffer[];
  try {
    raw = fs.readdirSync(reach(dir), { encoding: "buffer" });
  } catch (err) {
    throw new BackpakError("io", `Failed iterating subdirectory ${dir}`, { cause: err });
  }
  return raw.map((b) => {
    const name = decodeUtf8Strict(b);
    if (name === undefined) {
      throw new BackpakError("usage", `Failed iterating subdirectory ${dir}: the name ${JSON.stringify(b.toString("latin1"))} (bytes ${b.toString("hex")}) isn't valid UTF-8`, {
        hint: NOT_UTF8_HINT,
      });
    }
    return name;
  });
}

/** A symlink's target, checked to be UTF-8. */
export function readLinkUtf8(path: string): string {
  let raw: Buffer;
  try {
    raw = fs.readlinkSync(reach(path), { encoding: "buffer" });
  } catch (err) {
    throw new BackpakError("io", `Couldn't get symlink target of ${path}`, { cause: err });
  }
  const target = decodeUtf8Strict(raw);
  if (target === undefined) {
    throw new BackpakError("usage", `The symlink ${path} points to a path that isn't valid UTF-8`, { hint: NOT_UTF8_HINT });
  }
  return target;
}
