/** Starts the real servers a test file uses (s3rver, sshd) and stops them when the file's tests finish. */
import { afterAll } from "bun:test";
import { S3Server } from "./s3-server.ts";
import { startSshd, type Sshd, type SshdOptions } from "./sshd.ts";
import { tempDir } from "./tmp.ts";

/** An s3rver with no buckets and its data in a temporary directory, stopped after the calling file's tests. */
export async function s3ServerForThisFile(): Promise<S3Server> {
  const server = await S3Server.start(tempDir("s3rver"));
  afterAll(() => server.stop());
  return server;
}

/**
 * For one test file: a starter of sshds that share the first one's keys (so every client and
 * repository works with each of them), all stopped when the file finishes.
 */
export function sshdsForThisFile(): (options?: SshdOptions) => Promise<Sshd> {
  const servers: Sshd[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });
  return async (options = {}) => {
    const s = await startSshd({ ...options, keysFrom: servers[0] });
    servers.push(s);
    return s;
  };
}
