/**
 * The SFTP file operations backpak uses, over one session: each sends its request and turns the
 * reply into a value, or throws SftpStatusError with the server's status code and message.
 */
import { FXP, OPEN_FLAGS, PacketReader, STATUS, protocolError, type FileAttrs } from "./sftp-packet.ts";
import type { Reply, SftpSession } from "./sftp-session.ts";

/** The server refused a request: `code` is its SSH_FX_* status. */
export class SftpStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "SftpStatusError";
  }
}

export interface DirEntry {
  readonly name: string;
  readonly attrs: FileAttrs;
}

const POSIX_RENAME = "posix-rename@openssh.com";
const FSYNC = "fsync@openssh.com";

export class SftpClient {
  constructor(readonly session: SftpSession) {}

  /** Opens `path` for reading, or creates it (it must not exist) for writing. */
  async open(path: string, mode: "read" | "create"): Promise<Uint8Array> {
    const flags = mode === "read" ? OPEN_FLAGS.READ : OPEN_FLAGS.WRITE | OPEN_FLAGS.CREAT | OPEN_FLAGS.EXCL;
    const reply = await this.session.call(FXP.OPEN, (w) => w.string(path).uint32(flags).attrs(mode === "read" ? undefined : 0o644));
    return expect(reply, FXP.HANDLE, `open ${path}`).bytes();
  }

  async close(handle: Uint8Array): Promise<void> {
    expectOk(await this.session.call(FXP.CLOSE, (w) => w.string(handle)), "close a file");
  }

  /** Runs `work` with the open `handle`, then closes it; when `work` fails, its error is what's thrown. */
  async closing<T>(handle: Uint8Array, work: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (err) {
      await this.close(handle).catch(() => undefined);
      throw err;
    }
    await this.close(handle);
    return result;
  }

  /** Up to `length` bytes at `offset` (the server may send fewer), or undefined at the end of the file. */
  async read(handle: Uint8Array, offset: number, length: number): Promise<Uint8Array | undefined> {
    const reply = await this.session.call(FXP.READ, (w) => w.string(handle).uint64(offset).uint32(length));
    if (reply.type === FXP.STATUS && peekStatus(reply) === STATUS.EOF) return undefined;
    return expect(reply, FXP.DATA, "read a file").bytes();
  }

  async write(handle: Uint8Array, offset: number, data: Uint8Array): Promise<void> {
    expectOk(await this.session.call(FXP.WRITE, (w) => w.string(handle).uint64(offset).string(data)), "write a file");
  }

  async fstat(handle: Uint8Array): Promise<FileAttrs> {
    return expect(await this.session.call(FXP.FSTAT, (w) => w.string(handle)), FXP.ATTRS, "stat a file").attrs();
  }

  async stat(path: string): Promise<FileAttrs> {
    return expect(await this.session.call(FXP.STAT, (w) => w.string(path)), FXP.ATTRS, `stat ${path}`).attrs();
  }

  /** Every entry of the directory `path`, "." and ".." included. */
  async readdir(path: string): Promise<DirEntry[]> {
    const handle = expect(await this.session.call(FXP.OPENDIR, (w) => w.string(path)), FXP.HANDLE, `open the directory ${path}`).bytes();
    return this.closing(handle, async () => {
      const out: DirEntry[] = [];
      for (;;) {
        const reply = await this.session.call(FXP.READDIR, (w) => w.string(handle));
        if (reply.type === FXP.STATUS && peekStatus(reply) === STATUS.EOF) return out;
        const body = expect(reply, FXP.NAME, `read the directory ${path}`);
        for (let n = body.uint32(); n > 0; n--) {
          const name = body.text();
          body.bytes(); // the long name, for people
          out.push({ name, attrs: body.attrs() });
        }
      }
    });
  }

  async remove(path: string): Promise<void> {
    expectOk(await this.session.call(FXP.REMOVE, (w) => w.string(path)), `remove ${path}`);
  }

  async mkdir(path: string): Promise<void> {
    expectOk(await this.session.call(FXP.MKDIR, (w) => w.string(path).attrs(0o755)), `create the directory ${path}`);
  }

  /** Makes the file's written data durable, where the server offers fsync@openssh.com. */
  async fsync(handle: Uint8Array): Promise<void> {
    if (!this.session.extensions.has(FSYNC)) return;
    expectOk(await this.session.call(FXP.EXTENDED, (w) => w.string(FSYNC).string(handle)), "fsync a file");
  }

  /**
   * Renames `from` to `to`, replacing `to` if it exists: atomically with posix-rename@openssh.com
   * where offered; otherwise plain RENAME (which refuses an existing target), after removing it.
   */
  async rename(from: string, to: string): Promise<void> {
    if (this.session.extensions.has(POSIX_RENAME)) {
      expectOk(await this.session.call(FXP.EXTENDED, (w) => w.string(POSIX_RENAME).string(from).string(to)), `rename ${from} to ${to}`);
      return;
    }
    const rename = async (): Promise<void> => expectOk(await this.session.call(FXP.RENAME, (w) => w.string(from).string(to)), `rename ${from} to ${to}`);
    try {
      await rename();
    } catch (err) {
      if (!(err instanceof SftpStatusError) || err.code !== STATUS.FAILURE) throw err;
      await this.remove(to);
      await rename();
    }
  }
}

/** The status code of a STATUS reply, leaving the reply unread. */
function peekStatus(reply: Reply): number {
  return new PacketReader(reply.body.body.subarray(5)).uint32();
}

/** The reply's body when it is of `type`; a status becomes an SftpStatusError saying what failed. */
function expect(reply: Reply, type: number, what: string): PacketReader {
  if (reply.type === type) return reply.body;
  if (reply.type === FXP.STATUS) throw statusError(reply.body, what);
  throw protocolError(`the server answered a request to ${what} with a packet of type ${reply.type}`);
}

function expectOk(reply: Reply, what: string): void {
  const body = expect(reply, FXP.STATUS, what);
  if (peekStatus(reply) !== STATUS.OK) throw statusError(body, what);
}

function statusError(body: PacketReader, what: string): SftpStatusError {
  const code = body.uint32();
  const message = body.done ? "" : body.text();
  return new SftpStatusError(code, `The SFTP server couldn't ${what}: ${message || `status ${code}`}`);
}
