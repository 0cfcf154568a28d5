/**
 * A repository in a directory on an SFTP server, laid out as a filesystem repository is (keys are
 * paths under it), reached over one ssh session opened at first use. Uploads are atomic: written to
 * a `.part` name, fsynced where the server offers fsync@openssh.com, closed, then renamed over the
 * key. Repositories always open through the local cache, so `openRange` downloads the whole object
 * into a nameless scratch file (in the working directory unless told otherwise). A folder the
 * repository lacks lists as empty and is made by the first put into it.
 */
import fs from "node:fs";
import path from "node:path";
import type { SftpConfig } from "../format/sftp-config.ts";
import { LOCKS_DIR, OBJECT_DIRS } from "../format/magic.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { fdRange, randomTag, writeFullyAt } from "../lib/fsutil.ts";
import type { Backend, ListedObject, RangeReader } from "./backend.ts";
import { PART_SUFFIX } from "./filesystem.ts";
import { anonymousScratchFile, scratchDirOf, type ScratchDir } from "./local-file.ts";
import { SftpClient, SftpStatusError } from "./sftp-client.ts";
import { STATUS, isDirectory } from "./sftp-packet.ts";
import { SftpSession } from "./sftp-session.ts";
import { downloadFile, uploadFile } from "./sftp-transfer.ts";

export interface SftpOptions extends Omit<SftpConfig, "type"> {
  /** Where `openRange` downloads to (see ScratchDir). */
  readonly scratchDir?: ScratchDir;
}

export class SftpBackend implements Backend {
  readonly description: string;
  #client: Promise<SftpClient> | undefined;

  constructor(readonly options: SftpOptions) {
    this.description = `SFTP repository ${options.user === undefined ? "" : `${options.user}@`}${options.host}:${options.path}`;
  }

  read(key: string): Promise<Uint8Array> {
    return this.#run(`read ${key}`, key, async (client) => {
      let bytes = new Uint8Array(0);
      const end = await downloadFile(client, this.#path(key), (size) => {
        bytes = new Uint8Array(size);
        return (data, at) => bytes.set(data, at);
      });
      return bytes.subarray(0, end);
    });
  }

  openRange(key: string): Promise<RangeReader> {
    return this.#run(`read ${key}`, key, async (client) => {
      const fd = anonymousScratchFile(this.#scratchDir(), "download");
      try {
        const end = await downloadFile(client, this.#path(key), () => (data, at) => writeFullyAt(fd, data, at));
        fs.ftruncateSync(fd, end);
        return fdRange(fd);
      } catch (err) {
        fs.closeSync(fd);
        throw err;
      }
    });
  }

  async put(key: string, localPath: string): Promise<void> {
    const dest = this.#path(key);
    // Never listed, and left behind only if this process dies mid-upload.
    const part = `${dest}.${randomTag()}${PART_SUFFIX}`;
    await this.#run(`store ${key}`, key, async (client) => {
      try {
        await uploadFile(client, localPath, part).catch(async (err) => {
          // A folder the repository lacks (locks/ in one made by backpak 0.3.0) is made on the first put.
          if (!(err instanceof SftpStatusError && err.code === STATUS.NO_SUCH_FILE)) throw err;
          await mkdirUnlessDirectory(client, path.posix.dirname(dest));
          await uploadFile(client, localPath, part);
        });
        await client.rename(part, dest);
      } catch (err) {
        await client.remove(part).catch(() => undefined); // the session may be gone; parts are never listed
        throw err;
      }
    });
    fs.unlinkSync(localPath);
  }

  remove(key: string): Promise<void> {
    return this.#run(`remove ${key}`, key, (client) => client.remove(this.#path(key)));
  }

  list(prefix: string): Promise<ListedObject[]> {
    const hint = `check the path in the repository's config file; \`backpak init sftp\` creates a repository`;
    return this.#run(`list ${prefix}`, prefix, async (client) => {
      const out: ListedObject[] = [];
      const walk = async (rel: string): Promise<void> => {
        for (const e of await client.readdir(this.#path(rel))) {
          if (e.name === "." || e.name === "..") continue;
          const key = rel === "" ? e.name : `${rel.replace(/\/$/, "")}/${e.name}`;
          if (isDirectory(e.attrs)) await walk(key);
          else if (!e.name.endsWith(PART_SUFFIX)) out.push({ key, size: e.attrs.size ?? 0 });
        }
      };
      try {
        await walk(prefix);
      } catch (err) {
        // A folder the repository lacks (locks/ in one made by backpak 0.3.0) holds nothing.
        if (out.length === 0 && err instanceof SftpStatusError && err.code === STATUS.NO_SUCH_FILE && (await client.stat(this.options.path).then(isDirectory, () => false))) {
          return [];
        }
        throw err;
      }
      return out;
    }, hint);
  }

  /**
   * Makes the repository's directory (and any missing parents) and its object folders; the
   * directory may exist but must be empty.
   */
  async create(): Promise<void> {
    const root = this.options.path;
    const entries = await this.#run("create the directories", "", async (client) => {
      const parts = root.split("/");
      for (let i = 1; i <= parts.length; i++) {
        if (parts[i - 1] !== "") await mkdirUnlessDirectory(client, parts.slice(0, i).join("/"));
      }
      return (await client.readdir(root)).filter((e) => e.name !== "." && e.name !== "..");
    });
    if (entries.length > 0) {
      throw new BackpakError("conflict", `The directory ${root} on ${this.options.host} already exists and isn't empty`, {
        hint: "choose a new or empty directory for the repository",
      });
    }
    await this.#run("create the directories", "", async (client) => {
      for (const sub of [...Object.values(OBJECT_DIRS), LOCKS_DIR]) await client.mkdir(path.posix.join(root, sub));
    });
  }

  /** Ends the ssh session, if one is open (a later call opens another). */
  async close(): Promise<void> {
    const client = await this.#client?.catch(() => undefined);
    this.#client = undefined;
    await client?.session.close();
  }

  #path(key: string): string {
    return path.posix.join(this.options.path, key);
  }

  #scratchDir(): string {
    return scratchDirOf(this.options.scratchDir);
  }

  /** Runs `work` on the session (connecting at first use), giving its failures the key and the repository. */
  async #run<T>(what: string, key: string, work: (client: SftpClient) => Promise<T>, notFoundHint?: string): Promise<T> {
    try {
      this.#client ??= SftpSession.start(this.options, this.description).then((s) => new SftpClient(s));
      return await work(await this.#client);
    } catch (err) {
      if (!(err instanceof SftpStatusError)) throw context(err instanceof BackpakError ? err.kind : "io", `Couldn't ${what} in ${this.description}`, err);
      const where = this.#path(key);
      if (err.code === STATUS.NO_SUCH_FILE) {
        throw new BackpakError("not-found", `Couldn't find ${key} in ${this.description} (${where})`, { cause: err, hint: notFoundHint });
      }
      throw new BackpakError("io", `Couldn't ${what} in ${this.description} (${where})`, { cause: err, hint: this.#statusHint(err.code) });
    }
  }

  /** What to check when the server refused a request with `code`. */
  #statusHint(code: number): string | undefined {
    const { user, path: root, host } = this.options;
    if (code === STATUS.PERMISSION_DENIED) return `check that the account${user === undefined ? "" : ` ${user}`} may read and write ${root} and everything in it on ${host}`;
    // SFTP (version 3) has no word for a full disk: OpenSSH's server answers a plain "Failure".
    if (code === STATUS.FAILURE) return `the server didn't say why; most often its disk is full: check that ${root} on ${host} has room (and the account's quota), then run the command again (an interrupted backup resumes)`;
    return undefined;
  }
}

/** Creates the directory `dir` unless it exists; anything else by that name is refused. */
async function mkdirUnlessDirectory(client: SftpClient, dir: string): Promise<void> {
  try {
    if (isDirectory(await client.stat(dir))) return;
    throw new BackpakError("conflict", `${dir} exists on the server and isn't a directory`, { hint: "choose another path for the repository" });
  } catch (err) {
    if (!(err instanceof SftpStatusError) || err.code !== STATUS.NO_SUCH_FILE) throw err;
  }
  await client.mkdir(dir);
}
