/**
 * Makes and reads trees deeper than PATH_MAX, which node:fs can't name whole: every directory is
 * opened one level at a time (O_PATH), and what is in it named as `/proc/self/fd/<fd>/<name>`.
 * Independent of backpak's own long-path code (one hop per level here), so a test can check it.
 */
import crypto from "node:crypto";
import fs from "node:fs";

const O_PATH = 0o10000000;

/** A short name for the entry `name` in the directory open as `fd`. */
const at = (fd: number, name: string): string => `/proc/self/fd/${fd}/${name}`;

function openDir(path: string): number {
  return fs.openSync(path, O_PATH | fs.constants.O_DIRECTORY);
}

/** Runs `fn` with the directory `names` below `root` open (creating missing levels; one fd open at a time), closing it after. */
export function inDeepDir<T>(root: string, names: readonly string[], fn: (entry: (name: string) => string) => T): T {
  let fd = openDir(root);
  try {
    for (const name of names) {
      const p = at(fd, name);
      if (!fs.existsSync(p)) fs.mkdirSync(p);
      const next = openDir(p);
      fs.closeSync(fd);
      fd = next;
    }
    return fn((name) => at(fd, name));
  } finally {
    fs.closeSync(fd);
  }
}

/** Every entry below `root` by relative path (dirs end in "/"): its kind, permissions, mtime in ns, and a file's SHA-256 or a symlink's target. */
export function deepContents(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (fd: number, rel: string): void => {
    for (const name of fs.readdirSync(`/proc/self/fd/${fd}`).sort()) {
      const p = at(fd, name);
      const st = fs.lstatSync(p, { bigint: true });
      const meta = `${(Number(st.mode) & 0o7777).toString(8)} ${st.mtimeNs}`;
      if (st.isDirectory()) {
        out[`${rel}${name}/`] = `dir ${meta}`;
        const sub = openDir(p);
        try {
          walk(sub, `${rel}${name}/`);
        } finally {
          fs.closeSync(sub);
        }
      } else if (st.isSymbolicLink()) out[`${rel}${name}`] = `symlink ${fs.readlinkSync(p)}`;
      else out[`${rel}${name}`] = `file ${meta} ${crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex")}`;
    }
  };
  const fd = openDir(root);
  try {
    walk(fd, "");
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

/**
 * Removes `root` and everything in it however deep, in steps linear in its size (fs.rmSync takes
 * minutes on a chain 10,000 deep): each directory's subdirectories are first moved up to `root`
 * under fresh names, so no path used is ever longer than `root/<name>/<name>`.
 */
export function removeDeep(root: string): void {
  const queue = [root];
  let moved = 0;
  for (let i = 0; i < queue.length; i++) {
    const dir = i === 0 ? root : queue[i]!;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (!e.isDirectory()) fs.unlinkSync(p);
      else {
        const up = `${root}/.removing-${moved++}`;
        fs.renameSync(p, up);
        queue.push(up);
      }
    }
    if (i > 0) fs.rmdirSync(dir);
  }
  fs.rmdirSync(root);
}
