/** Parses the command line of `npm run bench:remote` into options, or prints the usage. */
import { parseArgs } from "node:util";
import { binAndDir, positiveInt, userPath } from "../bench-peers/options.ts";

export interface RemoteOptions {
  runs: number;
  /** The tree to back up and restore; undefined for the Linux 6.1 sources cached in `dir`. */
  tree: string | undefined;
  bin: string;
  /** Whether `bin` is the default one, which is built when missing. */
  defaultBin: boolean;
  dir: string;
}

export const USAGE = `Usage: npm run bench:remote -- [options]

Backs up and then restores the same tree with dist/backpak into a filesystem repository, an S3
repository on a local s3rver and an SFTP repository on a local OpenSSH sshd (both on 127.0.0.1),
and prints a markdown table of median seconds, MB/s, peak RSS and the requests each command made.

  --tree DIR       the tree to back up (default: the Linux 6.1 source tree, Debian's
                   linux-source-6.1, extracted once into the bench directory)
  --runs N         runs per repository kind, interleaved (default 3)
  --bin PATH       the backpak binary (default dist/backpak, built if missing)
  --dir PATH       bench directory: corpus cache, work dir, logs, results (default
                   $BENCH_DIR or /tmp/backpak-bench-peers, shared with bench:peers)
  -h, --help       this help

Needs room in the bench directory for one repository and one restored copy of the tree (each
run's are deleted after it), and OpenSSH's sshd (openssh-server, installed with apt-get when
missing).`;

/** The options from `argv`, or undefined when the usage was asked for. */
export function parseRemoteOptions(argv: string[], root: string): RemoteOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      tree: { type: "string" },
      runs: { type: "string", default: "3" },
      bin: { type: "string" },
      dir: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return undefined;
  return {
    runs: positiveInt("runs", values.runs),
    tree: values.tree === undefined ? undefined : userPath(values.tree),
    ...binAndDir(values.bin, values.dir, root),
  };
}
