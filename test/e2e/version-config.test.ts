/** `version` (as -V, or one JSON object) and `cat config` (the repository's config.toml as JSON, its credentials never printed). */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, ok, run, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("version prints what -V prints, or a JSON object with --json", () => {
  const v = ok(run(["-V"])).stdout;
  expect(v).toMatch(/^backpak \d+\.\d+\.\d+ \(reads and writes backpak 0\.3\.0 repositories\)\n$/);
  expect(ok(run(["version"])).stdout).toBe(v);
  const json = JSON.parse(ok(run(["version", "--json"])).stdout);
  expect(json).toEqual({ message_type: "version", version: v.split(" ")[1], repository_format: "backpak 0.3.0" });
});

test("cat config prints a filesystem repository's config", () => {
  const { work, repo } = setup("config-fs");
  expect(JSON.parse(ok(cli(work, repo, ["cat", "config"])).stdout)).toEqual({ pack_size: "100 MB", backend: { type: "Filesystem", force_cache: false } });
});

test("cat config redacts B2 and S3 keys, printing them nowhere", () => {
  const work = tempDir("config-remote");
  const secrets = ["KEYID9f00", "APPKEY8bar", "AKIDbaz7", "SECRETqux6", "TOKENquux5"];
  const b2 = path.join(work, "b2.toml");
  ok(cli(work, b2, ["init", "backblaze", "-k", secrets[0]!, "-a", secrets[1]!, "-b", "bucket"]));
  const s3 = path.join(work, "s3.toml");
  ok(cli(work, s3, ["init", "s3", "--bucket", "bk", "--endpoint", "http://127.0.0.1:9", "--path-style"]));
  fs.appendFileSync(s3, `access_key_id = "${secrets[2]}"\nsecret_access_key = "${secrets[3]}"\nsession_token = "${secrets[4]}"\n`);

  // --no-lock: the storage isn't there to hold a lock, and the config is read from the file.
  const b2Run = ok(run(["--no-lock", "-vvv", "-r", b2, "cat", "config"], { cwd: work }));
  expect(JSON.parse(b2Run.stdout)).toEqual({
    pack_size: "100 MB",
    backend: { type: "Backblaze", key_id: "(redacted)", application_key: "(redacted)", bucket: "bucket", concurrent_connections: 4 },
  });
  const s3Run = ok(run(["--no-lock", "-vvv", "-r", s3, "cat", "config"], { cwd: work }));
  expect(JSON.parse(s3Run.stdout).backend).toEqual({
    type: "S3",
    bucket: "bk",
    endpoint: "http://127.0.0.1:9",
    path_style: true,
    concurrent_connections: 4,
    access_key_id: "(redacted)",
    secret_access_key: "(redacted)",
    session_token: "(redacted)",
  });
  for (const r of [b2Run, s3Run]) for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(s);
});
