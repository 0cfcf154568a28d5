/**
 * The OpenSSH command line that reaches an SFTP repository's server (`ssh … -s host sftp`, so the
 * user's ssh config, agent, known_hosts and ProxyJump apply), and the advice for ssh's failures.
 */
export interface SshTarget {
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
  readonly identity?: string;
  /** The ssh program and any options of the user's, as a line for sh (default: just `ssh`). */
  readonly command?: string;
}

/**
 * `ssh` never asks anything (BatchMode: an unknown or changed host key is refused, not trusted),
 * gives up on a host it can't reach in seconds, and notices a server that stopped answering.
 * The user's own options come first, so theirs win (ssh keeps the first value of each option).
 * The user's command is sh's to split (as git does with GIT_SSH_COMMAND); sh then becomes ssh.
 */
export function sshArgv(t: SshTarget): string[] {
  const argv = ["sh", "-c", `exec ${t.command ?? "ssh"} "$@"`, "sh"];
  argv.push("-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=2");
  if (t.port !== undefined) argv.push("-p", String(t.port));
  if (t.identity !== undefined) argv.push("-i", t.identity);
  if (t.user !== undefined) argv.push("-l", t.user);
  argv.push("-s", t.host, "sftp");
  return argv;
}

/** How a user reaches the server by hand, to see what ssh says. */
export function sshByHand(t: SshTarget): string {
  const port = t.port === undefined ? "" : ` -p ${t.port}`;
  const identity = t.identity === undefined ? "" : ` -i ${t.identity}`;
  return `${t.command ?? "ssh"}${port}${identity} ${t.user === undefined ? "" : `${t.user}@`}${t.host}`;
}

/** What to check, going by what ssh wrote to its stderr and whether the session had begun. */
export function sshAdvice(stderr: string, t: SshTarget, connected: boolean): string {
  const byHand = `\`${sshByHand(t)}\``;
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key .* (not known|has changed)/i.test(stderr)) {
    return `the server's host key is unknown or has changed, and backpak never accepts one by itself: check the key's fingerprint with the server's administrator, then add it to your known_hosts (for example by connecting once with ${byHand})`;
  }
  if (/Permission denied|Too many authentication failures/i.test(stderr)) {
    return `the server refused to log in: check the user name, that the account's authorized_keys holds your public key, and --identity or your ssh-agent; ${byHand} must log in without asking for a password`;
  }
  if (/Connection refused|Could not resolve|timed out|No route to host|Network is unreachable|closed by|Connection reset|Broken pipe/i.test(stderr)) {
    return `couldn't reach the SSH server, or it went away: check the host name, the port and your network, and that the server is running (try ${byHand})`;
  }
  if (/exec: .*not found/.test(stderr)) {
    return "couldn't run ssh: install the OpenSSH client, or give the right program with --command when creating the repository";
  }
  if (/subsystem request failed/i.test(stderr)) {
    return "the server doesn't offer SFTP: its sshd_config needs a `Subsystem sftp` line";
  }
  if (connected) return "the server or the network went away midway: check that the server is up and has room, then run the command again (an interrupted backup resumes)";
  return `check that ${byHand} logs in without asking for anything (backpak runs ssh with BatchMode=yes)`;
}
