/**
 * A real OpenSSH server for tests and benchmarks: a non-daemon /usr/sbin/sshd on 127.0.0.1 and a
 * free port, with a host key and a user key made for this run, keys-only login as the current user
 * (root included), and a client ssh config (`command`) that trusts only this server's key and
 * touches no ~/.ssh. Test files start theirs with sshdsForThisFile().
 */
import fs from "node:fs";
import path from "node:path";
import { tempDir } from "./tmp.ts";

export const SSHD = "/usr/sbin/sshd";

export interface SshdOptions {
  /** The sftp subsystem's command (default: sshd's own internal-sftp, "internal-sftp -R" serves read-only). */
  readonly subsystem?: string;
  /**
   * Kills a connection's server process (with SIGXFSZ) once it writes a file past this many bytes,
   * a multiple of 512: a server that dies mid-upload.
   */
  readonly fileSizeLimit?: number;
  /** Another server's keys and client config to reuse, so its repositories and clients work here too. */
  readonly keysFrom?: Sshd;
}

export interface Sshd {
  readonly port: number;
  readonly user: string;
  /** The directory holding the keys, the configs and known_hosts. */
  readonly dir: string;
  /** The user's private key, for --identity. */
  readonly identity: string;
  /** The ssh command line for --command: its config file trusts this server's host key alone. */
  readonly command: string;
  /** The known_hosts file that command reads (initially holding this server's key). */
  readonly knownHosts: string;
  /** Sends `signal` to every connection's server process (the processes below the listening sshd). */
  signalConnections(signal: NodeJS.Signals): void;
  /** Stops the server from taking connections and waits for it to exit (open connections end with their clients). */
  stop(): Promise<void>;
}

function keygen(file: string): void {
  const r = Bun.spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "backpak-test", "-f", file], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`ssh-keygen -f ${file} failed: ${r.stderr.toString()}`);
}

/** Makes the keys and the client config of a new server in a fresh directory. */
function makeKeys(): { dir: string; identity: string; command: string; knownHosts: string } {
  const dir = tempDir("sshd");
  keygen(path.join(dir, "host_key"));
  const identity = path.join(dir, "user_key");
  keygen(identity);
  fs.copyFileSync(`${identity}.pub`, path.join(dir, "authorized_keys"));
  return { dir, identity, ...sshClient(dir, "") };
}

/**
 * Writes a client ssh config into `dir` that reads only its own known_hosts there (holding
 * `knownHosts`), no agent and no ~/.ssh; returns the command line using it and that file's path.
 */
export function sshClient(dir: string, knownHosts: string): { command: string; knownHosts: string } {
  const file = path.join(dir, "known_hosts");
  fs.writeFileSync(file, knownHosts);
  const config = path.join(dir, "ssh_config");
  fs.writeFileSync(
    config,
    ["Host *", `  UserKnownHostsFile ${file}`, "  GlobalKnownHostsFile /dev/null", "  IdentitiesOnly yes", "  IdentityAgent none", "  UpdateHostKeys no", ""].join("\n"),
  );
  return { command: `ssh -F ${config}`, knownHosts: file };
}

/** A port nothing listens on right now. */
function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** Resolves once sshd says it listens; rejects with its log if it exits first. */
async function listening(proc: Bun.Subprocess<"ignore", "ignore", "pipe">): Promise<boolean> {
  let log = "";
  const decoder = new TextDecoder();
  const reader = proc.stderr.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      if (/Bind to port .* failed|Address already in use/.test(log)) return false;
      throw new Error(`sshd exited before listening:\n${log}`);
    }
    log += decoder.decode(value, { stream: true });
    if (/Server listening on 127\.0\.0\.1 port/.test(log)) {
      // Keep draining its log, so a chatty server never blocks on a full pipe.
      void (async () => {
        while (!(await reader.read()).done);
      })();
      return true;
    }
  }
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const keys = options.keysFrom ?? makeKeys();
  const hostKey = path.join(keys.dir, "host_key");
  const config = path.join(tempDir("sshd-config"), "sshd_config");
  fs.writeFileSync(
    config,
    [
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(keys.dir, "authorized_keys")}`,
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      "PermitRootLogin prohibit-password",
      "PidFile none",
      `Subsystem sftp ${options.subsystem ?? "internal-sftp"}`,
      "",
    ].join("\n"),
  );
  // Debian's sshd wants its privilege-separation directory, which only the service normally makes.
  if (process.getuid?.() === 0) fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  for (let attempt = 0; ; attempt++) {
    const port = freePort();
    const sshd = [SSHD, "-D", "-e", "-f", config, "-p", String(port)];
    const limited = options.fileSizeLimit === undefined ? sshd : ["sh", "-c", `ulimit -f ${options.fileSizeLimit / 512} && exec "$@"`, "sh", ...sshd];
    const proc = Bun.spawn(limited, { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    if (!(await listening(proc))) {
      if (attempt < 5) continue; // another process took the port meanwhile
      throw new Error("sshd found no free port");
    }
    const hostPublic = fs.readFileSync(`${hostKey}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
    fs.appendFileSync(keys.knownHosts, `[127.0.0.1]:${port} ${hostPublic}\n`);
    return {
      ...keys,
      port,
      user: currentUser(),
      signalConnections(signal) {
        for (const pid of descendants(proc.pid)) process.kill(pid, signal);
      },
      async stop() {
        proc.kill();
        await proc.exited;
      },
    };
  }
}

/** The process IDs below `pid` in the process tree, parents before children. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // it ended meanwhile
    }
    // "pid (comm) state ppid …", where comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const visit = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      visit(c);
    }
  };
  visit(pid);
  return out;
}

/** The login name of this process's user (as sshd will look it up). */
function currentUser(): string {
  const r = Bun.spawnSync(["id", "-un"], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`id -un failed: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}
