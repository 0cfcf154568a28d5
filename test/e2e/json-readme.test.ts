/**
 * The README's scripting example, run as cron runs a job (sh, an almost empty environment, no
 * terminal): `backup -q --json` piped into jq prints the new snapshot's ID and nothing else.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { BIN, cleanUpAfterThisFile, home, ok, REPO_ROOT, run, tempDir } from "./harness.ts";
import { messages } from "./json-lines.ts";

cleanUpAfterThisFile();

const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
const start = readme.indexOf("\n## Scripting: JSON output and exit status\n");
const section = readme.slice(start, readme.indexOf("\n## ", start + 1));

test.skipIf(Bun.which("jq") === null)("the README's jq line, run as cron would, prints only the snapshot's ID (skipped without jq)", () => {
  const [, block] = /```sh\n([\s\S]*?)```/.exec(section)!;
  const line = block!.trim();
  expect(line).toStartWith("backpak -r /srv/backups backup -q --json /home | jq ");
  const repo = tempDir("jq-repo");
  const data = tempDir("jq-data");
  fs.writeFileSync(path.join(data, "a.txt"), "for jq\n");
  ok(run(["-r", repo, "init", "filesystem"]));
  const command = line.replace(/^backpak /, `${BIN} `).replace("/srv/backups", repo).replace(" /home ", ` ${data} `);
  const r = Bun.spawnSync({ cmd: ["/bin/sh", "-c", command], env: { PATH: "/usr/bin:/bin", HOME: home() }, cwd: "/", stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const listed = messages(ok(run(["--config", "", "-r", repo, "snapshots", "--json"])));
  expect({ code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() }).toEqual({ code: 0, stdout: `${listed[0]!.id}\n`, stderr: "" });
});
