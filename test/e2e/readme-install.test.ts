/**
 * The README's Install section works as written: its systemd service and timer pass
 * `systemd-analyze verify`, and its crontab line, run as cron runs it (sh, an empty environment,
 * no terminal) with the paths pointed into temporary directories, stores a snapshot and logs only
 * the snapshot's line.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { BIN, cleanUpAfterThisFile, home, listedSnapshots, ok, REPO_ROOT, run, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
const install = readme.slice(readme.indexOf("\n## Install\n"), readme.indexOf("\n## ", readme.indexOf("\n## Install\n") + 1));

/** The code blocks of the Install section in `language`. */
const blocks = (language: string): string[] => [...install.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);

test.skipIf(Bun.which("systemd-analyze") === null)("the systemd service and timer pass systemd-analyze verify (skipped without systemd)", () => {
  const root = tempDir("systemd-root");
  const units = path.join(root, "etc/systemd/system");
  fs.mkdirSync(units, { recursive: true });
  const [service, timer] = [blocks("ini").find((b) => b.includes("[Service]")), blocks("ini").find((b) => b.includes("[Timer]"))];
  expect(service).toContain("ExecStart=/usr/local/bin/backpak -r /srv/backups backup /home");
  expect(timer).toContain("OnCalendar=daily");
  fs.writeFileSync(path.join(units, "backpak.service"), service!);
  fs.writeFileSync(path.join(units, "backpak.timer"), timer!);
  // verify checks that ExecStart's program is executable under --root; any executable will do.
  fs.mkdirSync(path.join(root, "usr/local/bin"), { recursive: true });
  fs.writeFileSync(path.join(root, "usr/local/bin/backpak"), "#!/bin/sh\n", { mode: 0o755 });
  const cmd = ["systemd-analyze", "verify", "--recursive-errors=no", "--man=no", `--root=${root}`, "/etc/systemd/system/backpak.service", "/etc/systemd/system/backpak.timer"];
  const r = Bun.spawnSync({ cmd, stdout: "pipe", stderr: "pipe" });
  expect({ code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() }).toEqual({ code: 0, out: "" });
});

test("the crontab line, run as cron runs it, backs up and logs only the snapshot's line", () => {
  const [block] = blocks("crontab");
  const line = block!.split("\n").find((l) => /^[0-9*]/.test(l))!;
  const repo = tempDir("cron-repo");
  const work = tempDir("cron-work");
  const data = tempDir("cron-data");
  fs.writeFileSync(path.join(data, "a.txt"), "from cron\n");
  const log = path.join(tempDir("cron-log"), "backpak.log");
  ok(run(["-r", repo, "init", "filesystem"]));
  const command = line
    .split(/\s+/)
    .slice(5)
    .map((w) => ({ "/usr/local/bin/backpak": BIN, "/srv/backups": repo, "/var/lib/backpak": work, "/home": data, "/var/log/backpak.log": log })[w] ?? w)
    .join(" ")
    .replace("BACKPAK_REPOSITORY=/srv/backups", `BACKPAK_REPOSITORY=${repo}`)
    .replace("HOME=/root", `HOME=${home()}`);
  const r = Bun.spawnSync({ cmd: ["/bin/sh", "-c", command], env: { PATH: "/usr/bin:/bin" }, cwd: home(), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  expect({ code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() }).toEqual({ code: 0, out: "" });
  expect(fs.readFileSync(log, "utf8")).toMatch(/^Snaphsot [0-9a-z]+ done\n$/);
  expect(listedSnapshots(work, repo)).toHaveLength(1);
});
