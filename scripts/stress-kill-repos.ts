/**
 * Repositories for the kill stress script: a filesystem directory or an S3 bucket on s3rver, each
 * cloned from a prepared template so every kill starts from the same state.
 */
import fs from "node:fs";
import path from "node:path";
import { cli, ok } from "../test/e2e/harness.ts";
import { S3RVER_KEY_ID, S3RVER_SECRET, S3Server } from "../test/helpers/s3-server.ts";
import { tempDir } from "../test/helpers/tmp.ts";

/** Makes repositories of one kind; `-r` takes what `init` returns. */
export interface RepoKind {
  readonly name: string;
  /** Variables every run needs (credentials). */
  readonly env: Record<string, string>;
  /** A new empty repository with packs of `packSize`. */
  init(work: string, packSize: string): string;
  /** A copy of `repo` as it is now. */
  clone(repo: string): string;
  /** Deletes a repository made here. */
  drop(repo: string): void;
  close(): void;
}

export function filesystemRepos(): RepoKind {
  return {
    name: "filesystem",
    env: {},
    init(work, packSize) {
      const repo = path.join(tempDir("stress-repo"), "repo");
      ok(cli(work, repo, ["init", "--pack-size", packSize, "filesystem"]));
      return repo;
    },
    clone(repo) {
      const copy = path.join(tempDir("stress-repo"), "repo");
      fs.cpSync(repo, copy, { recursive: true });
      return copy;
    },
    drop: (repo) => fs.rmSync(path.dirname(repo), { recursive: true, force: true }),
    close() {},
  };
}

/** S3 repositories, one bucket each, on an s3rver this process starts (and `close` stops). */
export async function s3Repos(): Promise<RepoKind> {
  const server = await S3Server.start(tempDir("stress-s3rver"));
  const env = { AWS_ACCESS_KEY_ID: S3RVER_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET, BACKPAK_S3_RETRY_MS: "0" };
  let buckets = 0;
  const configs = new Map<string, { bucket: string; packSize: string }>();
  const make = (work: string, packSize: string, from?: string): string => {
    const bucket = `stress-${++buckets}`;
    if (from === undefined) server.addBucket(bucket);
    else fs.cpSync(path.join(server.dataDir, from), path.join(server.dataDir, bucket), { recursive: true });
    const config = path.join(tempDir("stress-s3"), "s3.toml");
    ok(cli(work, config, ["init", "--pack-size", packSize, "s3", "--bucket", bucket, "--endpoint", server.url, "--path-style"], { env }));
    configs.set(config, { bucket, packSize });
    return config;
  };
  return {
    name: "s3",
    env,
    init: (work, packSize) => make(work, packSize),
    clone(repo) {
      const { bucket, packSize } = configs.get(repo)!;
      return make(tempDir("stress-s3-work"), packSize, bucket);
    },
    drop(repo) {
      fs.rmSync(path.join(server.dataDir, configs.get(repo)!.bucket), { recursive: true, force: true });
      fs.rmSync(path.dirname(repo), { recursive: true, force: true });
    },
    close: () => server.stop(),
  };
}
