/**
 * Readers alongside a backup: a backup that stores its index and snapshot while `check` (or any
 * command that loads the repository) is between listing one and the other must not make it fail.
 * A backend decorator runs the real backup (the compiled binary) at the worst moment: right after
 * the reader's first listing of the indexes.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import type { Backend, ListedObject } from "../../src/backend/index.ts";
import { FilesystemBackend } from "../../src/backend/filesystem.ts";
import { parseRepoConfig } from "../../src/format/repo-config.ts";
import { check } from "../../src/ops/check.ts";
import { loadRepository } from "../../src/ops/open.ts";
import type { Repository } from "../../src/repo/repository.ts";
import { loadForest } from "../helpers/load-forest.ts";
import { cleanUpAfterThisFile, ok, run, tempDir } from "../e2e/harness.ts";

cleanUpAfterThisFile();

/** A filesystem backend that runs `meanwhile` once, right after the first listing of the indexes. */
class BackupAfterIndexList extends FilesystemBackend {
  #pending: (() => void) | undefined;
  constructor(root: string, meanwhile: () => void) {
    super(root);
    this.#pending = meanwhile;
  }
  override async list(prefix: string): Promise<ListedObject[]> {
    const listed = await super.list(prefix);
    if (prefix === "indexes/" && this.#pending) {
      const meanwhile = this.#pending;
      this.#pending = undefined;
      meanwhile();
    }
    return listed;
  }
}

/** A repository with one snapshot, opened through a backend that lets a second backup land between a reader's listings. */
function racedRepository(label: string): Repository {
  const work = tempDir(`${label}-work`);
  const repo = path.join(work, "repo");
  for (const name of ["one", "two"]) {
    fs.mkdirSync(path.join(work, name));
    fs.writeFileSync(path.join(work, name, "file"), `contents of ${name}\n`.repeat(1000));
  }
  const backpak = (args: string[]): void => void ok(run(["-C", work, "--config", "", "-r", repo, ...args]));
  backpak(["init", "filesystem"]);
  backpak(["backup", "one"]);
  const backend: Backend = new BackupAfterIndexList(repo, () => backpak(["backup", "two"]));
  return { location: repo, config: parseRepoConfig(fs.readFileSync(path.join(repo, "config.toml"), "utf8"), repo), backend, locks: backend };
}

test("check passes when a backup stores its index and snapshot while check runs", async () => {
  await check(racedRepository("order-check"), { readPacks: false });
});

test("every snapshot a loaded repository lists has its trees in the loaded index, though a backup landed meanwhile", async () => {
  const loaded = await loadRepository(racedRepository("order-load"));
  for (const s of loaded.snapshots.chronological) expect((await loadForest(s.snapshot.tree, loaded.trees)).size).toBeGreaterThan(0);
});
