/**
 * Reaches paths longer than PATH_MAX (4096 bytes with its NUL), which the kernel refuses whole: a
 * long path's directory is opened a hop of at most HOP bytes at a time, each hop relative to the
 * last through `/proc/self/fd/<fd>/…`, and the path is handed out as `/proc/self/fd/<fd>/<rest>`,
 * short enough for any call (open, mkdir, symlink, chmod, rename, utimensat, statx, readdir). The
 * directory fds are O_PATH, kept for the life of the process (threads share them, so a worker can
 * be handed such a path), one per hop reached; a short path is returned as it is. Linux only: on
 * other systems every path is returned as it is.
 */
import fs from "node:fs";

/** Paths shorter than this many UTF-16 units (3 bytes each at most) are short enough as they are: 1365 × 3 < 4096 with room to spare. */
const SHORT = 1365;
/** The longest hop, in UTF-16 units, between two anchored directories (plus one name of at most 255 bytes, still far below PATH_MAX). */
const HOP = 1000;
const O_PATH = 0o10000000;

/** Anchor fds by `<fd of the hop before, or "">\0<the hop's path>`, so keys stay short however deep the path. */
const anchors = new Map<string, number>();

/** `p` (absolute, or relative to the working directory), in a form the kernel accepts whatever its length. */
export function reach(p: string): string {
  if (p.length < SHORT || process.platform !== "linux") return p;
  const slash = p.lastIndexOf("/");
  if (slash <= 0) return p;
  return `${reachDir(p.slice(0, slash))}${p.slice(slash)}`;
}

/**
 * The directory `dir` as `/proc/self/fd/<fd><rest>` with `rest` under HOP units: cut at the last
 * slash before each HOP units, each cut's directory opened relative to the one before. Cuts depend
 * only on lengths, so every entry of a directory shares its anchors.
 */
function reachDir(dir: string): string {
  let via = "";
  let from = 0;
  let last = -1;
  for (let i = dir.indexOf("/", 1); ; i = dir.indexOf("/", i + 1)) {
    const end = i < 0 ? dir.length : i;
    if (end - from > HOP && last > from) {
      via = anchor(via, dir.slice(from, last), dir.slice(0, last));
      from = last;
    }
    if (i < 0) break;
    last = i;
  }
  return via + dir.slice(from);
}

/** The anchor (`/proc/self/fd/<fd>`) of `hop` reached from `via` ("" for the path's start); `whole` names it in errors. */
function anchor(via: string, hop: string, whole: string): string {
  const key = `${via}\0${hop}`;
  let fd = anchors.get(key);
  if (fd === undefined) {
    try {
      fd = fs.openSync(via + hop, O_PATH | fs.constants.O_DIRECTORY);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw Object.assign(new Error(`${e.code ?? "error"}: couldn't open directory ${whole}`), { code: e.code, cause: err });
    }
    anchors.set(key, fd);
  }
  return `/proc/self/fd/${fd}`;
}
