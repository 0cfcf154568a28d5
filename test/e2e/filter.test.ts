/** Port of backpak's tests/filter.rs: `backup --skip` matches absolute paths and drops whole subtrees. */
import { expect, test } from "bun:test";
import path from "node:path";
import { SRC_FILES, writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, escapeRegex, lines, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("backup_src skips anything with 'back' under src/", () => {
  const { work, repo } = setup("filter");
  const project = tempDir("filter-project");
  const src = writeSrcTree(project);
  // backpak's test skips "backpak/src/.*back"; the project dir here is a temp dir, so build the
  // same pattern from its real absolute path.
  ok(cli(work, repo, ["backup", "--skip", `${escapeRegex(project)}/src/.*back`, src]));

  const listed = lines(ok(cli(work, repo, ["ls", "HEAD"])).stdout);
  expect(listed.length).toBeGreaterThan(0);
  expect(listed.filter((l) => l.includes("back"))).toEqual([]);

  // Exactly the entries whose path below src/ has no "back" in it.
  const kept = new Set<string>(["src/"]);
  for (const [rel] of SRC_FILES) {
    if (rel.includes("back")) continue;
    kept.add(`src/${rel}`);
    if (rel.includes("/")) kept.add(`src/${path.dirname(rel)}/`);
  }
  expect([...listed].sort()).toEqual([...kept].sort());
});
