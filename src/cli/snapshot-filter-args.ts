/**
 * The snapshot filter options that `snapshots`, `forget`, `find` and `copy` share (`--tag`,
 * `--author` or its restic name `--host`, `--path`), and the filter they describe.
 */
import path from "node:path";
import type { SnapshotFilter } from "../repo/index.ts";
import type { OptSpec, Parsed } from "./args.ts";
import { arg } from "./command.ts";

export const FILTER_OPTIONS: readonly OptSpec[] = [
  {
    long: "tag",
    kind: "multi",
    value: "TAG[,TAG...]",
    help: "Only snapshots with this tag; a comma list needs them all\n(repeatable: --tag a,b --tag c selects a and b, or c; --tag \"\" untagged ones)",
  },
  { long: "author", kind: "multi", value: "NAME", help: "Only snapshots made by this author (backpak's name for the host; repeatable)" },
  { long: "host", kind: "multi", value: "NAME", help: "The same as --author, as restic names it" },
  { long: "path", kind: "multi", value: "PATH", path: true, help: "Only snapshots whose paths include this one (repeatable: all of them)" },
];

/** The filter the options describe; relative --path values are taken from the working directory. */
export function snapshotFilter(args: Parsed): SnapshotFilter {
  return {
    tags: arg.multi(args, "tag").map((list) => list.split(",").filter((t) => t !== "")),
    authors: [...arg.multi(args, "author"), ...arg.multi(args, "host")],
    paths: arg.multi(args, "path").map((p) => path.resolve(p)),
  };
}
