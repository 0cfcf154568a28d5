/**
 * One SFTP session over an OpenSSH child's pipes: the INIT/VERSION handshake, then requests
 * multiplexed by ID with many in flight. When ssh dies, every pending and later request fails with
 * one error that quotes ssh's stderr and says what to check.
 *
 * The child is held (ref'd) only while requests are pending, so a finished command exits without
 * closing its repository; ssh then sees its stdin close and ends too.
 */
import fs from "node:fs";
import os from "node:os";
import type { Subprocess } from "bun";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { Semaphore } from "../lib/semaphore.ts";
import { anonymousScratchFile } from "./local-file.ts";
import { FXP, PacketReader, PacketSplitter, PacketWriter, protocolError } from "./sftp-packet.ts";
import { sshAdvice, sshArgv, type SshTarget } from "./ssh-command.ts";

/** A reply: its type and a reader positioned after its request ID. */
export interface Reply {
  readonly type: number;
  readonly body: PacketReader;
}

/** Requests in flight at once across the session: enough to fill the pipe, bounded so memory is. */
const MAX_IN_FLIGHT = 256;
/** The most of ssh's stderr quoted in an error. */
const STDERR_LIMIT = 4096;

interface Waiter {
  resolve(reply: Reply): void;
  reject(err: unknown): void;
}

type SshProcess = Subprocess<"pipe", "pipe", number>;

export class SftpSession {
  readonly #proc: SshProcess;
  readonly #stderrFd: number;
  readonly #target: SshTarget;
  readonly #where: string;
  readonly #pending = new Map<number, Waiter>();
  readonly #window = new Semaphore(MAX_IN_FLIGHT);
  readonly #splitter = new PacketSplitter();
  #nextId = 1;
  #pumping = false;
  #version: Waiter | undefined;
  #failure: BackpakError | undefined;
  /** The extensions the server announced, by name. */
  extensions: ReadonlyMap<string, string> = new Map();

  private constructor(target: SshTarget, where: string) {
    this.#target = target;
    this.#where = where;
    // ssh's stderr goes to a nameless file, read only when something fails (a pipe would hold this process open).
    this.#stderrFd = anonymousScratchFile(os.tmpdir(), "ssh-stderr");
    const argv = sshArgv(target);
    log.debug(`Reaching ${where} with ${argv.join(" ")}`);
    try {
      this.#proc = Bun.spawn(argv, { stdin: "pipe", stdout: "pipe", stderr: this.#stderrFd });
    } catch (err) {
      fs.closeSync(this.#stderrFd);
      throw new BackpakError("io", `Couldn't start sh to run ssh for ${where}`, { cause: err, hint: "backpak needs sh and the OpenSSH client (ssh) on the PATH" });
    }
  }

  /** Starts ssh and completes the SFTP handshake; `where` names the repository in errors. */
  static async start(target: SshTarget, where: string): Promise<SftpSession> {
    const session = new SftpSession(target, where);
    const version = new Promise<Reply>((resolve, reject) => (session.#version = { resolve, reject }));
    session.#send(new PacketWriter(FXP.INIT).uint32(3).bytes());
    const reply = await version;
    const extensions = new Map<string, string>();
    while (!reply.body.done) extensions.set(reply.body.text(), reply.body.text());
    session.extensions = extensions;
    return session;
  }

  /** Sends a request of `type` whose fields `fill` writes after the ID, and resolves with its reply. */
  call(type: number, fill: (w: PacketWriter) => void): Promise<Reply> {
    return this.#window.run(() => {
      if (this.#failure !== undefined) return Promise.reject(this.#failure);
      const id = this.#nextId;
      this.#nextId = this.#nextId === 0xffff_ffff ? 1 : this.#nextId + 1;
      const w = new PacketWriter(type, id);
      fill(w);
      return new Promise<Reply>((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
        this.#send(w.bytes());
      });
    });
  }

  #send(packet: Uint8Array): void {
    // A dead ssh (EPIPE) is not reported here: the reading side sees its stdout end and reports it with its status and stderr.
    const ignore = (): undefined => undefined;
    try {
      const written = this.#proc.stdin.write(packet);
      if (written instanceof Promise) written.catch(ignore);
      const flushed = this.#proc.stdin.flush();
      if (flushed instanceof Promise) flushed.catch(ignore);
    } catch {
      // likewise
    }
    if (!this.#pumping) void this.#pump();
  }

  /** Reads replies while any are awaited, then lets go of the child. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    this.#proc.ref();
    const reader = this.#proc.stdout.getReader();
    try {
      while (this.#failure === undefined && (this.#pending.size > 0 || this.#version !== undefined)) {
        const { value, done } = await reader.read();
        if (done) return await this.#die();
        for (const body of this.#splitter.push(value)) this.#dispatch(new PacketReader(body));
      }
    } catch (err) {
      await this.#die(err);
    } finally {
      reader.releaseLock();
      this.#pumping = false;
      this.#proc.unref();
    }
  }

  #dispatch(body: PacketReader): void {
    const type = body.uint8();
    if (type === FXP.VERSION && this.#version !== undefined) {
      const waiter = this.#version;
      this.#version = undefined;
      if (body.uint32() !== 3) throw protocolError("the server doesn't speak SFTP version 3");
      waiter.resolve({ type, body });
      return;
    }
    const id = body.uint32();
    const waiter = this.#pending.get(id);
    if (waiter === undefined) throw protocolError(`the server answered request ${id}, which wasn't asked`);
    this.#pending.delete(id);
    waiter.resolve({ type, body });
  }

  /** ssh ended (or spoke nonsense): fails everything pending with what ssh said. */
  async #die(err?: unknown): Promise<void> {
    if (this.#failure !== undefined) return;
    const connected = this.#version === undefined;
    // Failing on its own (an error reading, or nonsense read), this side ends ssh.
    if (err !== undefined) this.#proc.kill();
    if (err instanceof BackpakError) {
      this.#fail(err);
    } else {
      // Its status and stderr tell why it ended.
      const code = await this.#proc.exited;
      if (this.#failure !== undefined) return; // closed meanwhile
      const said = this.#stderr();
      const what = connected ? `Lost the connection to ${this.#where}` : `Couldn't connect to ${this.#where}`;
      const why = code === 0 ? "the server ended the session" : `ssh exited with status ${code}`;
      this.#fail(
        new BackpakError("io", `${what}: ${why}`, {
          cause: said === "" ? err : new Error(said),
          hint: sshAdvice(said, this.#target, connected),
        }),
      );
    }
  }

  /** From now on every request fails with `failure`, those pending included. */
  #fail(failure: BackpakError): void {
    this.#failure = failure;
    fs.closeSync(this.#stderrFd);
    const waiters = [...this.#pending.values(), ...(this.#version === undefined ? [] : [this.#version])];
    this.#pending.clear();
    this.#version = undefined;
    for (const w of waiters) w.reject(failure);
  }

  /** Ends the session: ssh sees its stdin close and exits; later requests fail. */
  async close(): Promise<void> {
    if (this.#failure === undefined) this.#fail(new BackpakError("internal", `The SFTP session with ${this.#where} was closed`));
    try {
      await this.#proc.stdin.end();
    } catch {
      // ssh is gone already
    }
    await this.#proc.exited;
  }

  /** The end of what ssh wrote to stderr. */
  #stderr(): string {
    const size = fs.fstatSync(this.#stderrFd).size;
    const length = Math.min(size, STDERR_LIMIT);
    const buf = Buffer.alloc(length);
    fs.readSync(this.#stderrFd, buf, 0, length, size - length);
    return buf.toString("utf8").trim();
  }
}
