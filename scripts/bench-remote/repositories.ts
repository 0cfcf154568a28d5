/** A fresh repository of each kind for one run: where `-r` points, the `init` arguments that make it, the environment it needs, and how to delete it afterwards. */
import fs from "node:fs";
import path from "node:path";
import { S3RVER_KEY_ID, S3RVER_SECRET } from "../../test/helpers/s3-server.ts";
import type { Servers } from "./servers.ts";

export const KINDS = ["fs", "s3", "sftp"] as const;
export type Kind = (typeof KINDS)[number];

export interface RunRepository {
  /** What `-r` gets: the repository's directory (fs) or its config file (s3, sftp). */
  location: string;
  /** The `init` command's arguments. */
  init: string[];
  env: Record<string, string>;
  /** Deletes what the server holds of it (the run's work dir, holding the rest, goes separately). */
  remove(): void;
}

/** A repository of `kind` for run `run`, with everything on this machine under `work`. */
export function freshRepository(kind: Kind, servers: Servers, run: number, work: string): RunRepository {
  switch (kind) {
    case "fs":
      return { location: path.join(work, "repo"), init: ["init", "filesystem"], env: {}, remove: () => {} };
    case "s3": {
      const bucket = `bench-run${run}`;
      servers.s3.addBucket(bucket);
      const { url } = servers.s3;
      return {
        location: path.join(work, "s3.toml"),
        init: ["init", "s3", "--bucket", bucket, "--endpoint", url, "--path-style"],
        env: { AWS_ACCESS_KEY_ID: S3RVER_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET },
        remove: () => fs.rmSync(path.join(servers.s3.dataDir, bucket), { recursive: true, force: true }),
      };
    }
    case "sftp": {
      const { sshd } = servers;
      return {
        location: path.join(work, "sftp.toml"),
        init: ["init", "sftp", "--port", String(sshd.port), "--identity", sshd.identity, "--command", sshd.command, `${sshd.user}@127.0.0.1:${path.join(work, "server")}`],
        env: {},
        remove: () => {},
      };
    }
  }
}
