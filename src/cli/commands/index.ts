/** Every command, in the order `--help` lists them. */
import type { Command } from "../command.ts";
import { backup } from "./backup.ts";
import { copy } from "./copy.ts";
import { filterSnapshot } from "./filter-snapshot.ts";
import { find } from "./find.ts";
import { forget } from "./forget.ts";
import { prune } from "./prune.ts";
import { rebuildIndex } from "./rebuild-index.ts";
import { usage } from "./usage.ts";
import { cat } from "./cat.ts";
import { check } from "./check.ts";
import { completion } from "./completion.ts";
import { diff } from "./diff.ts";
import { dump } from "./dump.ts";
import { init } from "./init.ts";
import { ls } from "./ls.ts";
import { restore } from "./restore.ts";
import { snapshots } from "./snapshots.ts";
import { tag } from "./tag.ts";
import { unlock } from "./unlock.ts";
import { version } from "./version.ts";

export const COMMANDS: readonly Command[] = [init, backup, cat, check, completion, copy, diff, dump, filterSnapshot, find, forget, ls, prune, rebuildIndex, restore, snapshots, tag, unlock, usage, version];
