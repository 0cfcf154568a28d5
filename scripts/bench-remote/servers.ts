/** Starts the benchmark's servers on 127.0.0.1: s3rver (the tests' S3 server) with its data in the bench work dir, and OpenSSH's sshd (installed with apt-get when missing). */
import fs from "node:fs";
import { S3Server } from "../../test/helpers/s3-server.ts";
import { SSHD, startSshd, type Sshd } from "../../test/helpers/sshd.ts";
import { aptInstall } from "../bench-peers/system.ts";

export interface Servers {
  s3: S3Server;
  sshd: Sshd;
  stop(): Promise<void>;
}

export async function startServers(s3DataDir: string): Promise<Servers> {
  if (!fs.existsSync(SSHD) || Bun.which("ssh") === null) aptInstall("openssh-server", "openssh-client");
  fs.mkdirSync(s3DataDir, { recursive: true });
  const s3 = await S3Server.start(s3DataDir);
  let sshd: Sshd;
  try {
    sshd = await startSshd();
  } catch (e) {
    s3.stop();
    throw e;
  }
  return {
    s3,
    sshd,
    async stop() {
      s3.stop();
      await sshd.stop();
    },
  };
}
