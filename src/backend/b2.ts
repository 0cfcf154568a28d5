/**
 * A repository in a Backblaze B2 bucket, speaking backpak's protocol (spec §10): objects are B2 files
 * named by their keys, uploaded with their SHA-1 appended ("hex_digits_at_end"), downloaded by name
 * from the API URL, listed a page at a time, removed by deleting every version of them. At most
 * `concurrentConnections` requests are in flight; failures are retried as retry.ts says.
 * Repositories always open through the local cache, so `openRange` simply downloads the whole object
 * into a nameless scratch file in its scratch directory (the working directory unless told otherwise).
 *
 * Test hooks (environment): BACKPAK_B2_API_URL replaces https://api.backblazeb2.com (a fake B2
 * server); BACKPAK_B2_RETRY_MS sets the first retry pause in milliseconds (default 1000).
 */
import fs from "node:fs";
import { BackpakError } from "../lib/errors.ts";
import { Semaphore } from "../lib/semaphore.ts";
import type { Backend, ListedObject, RangeReader } from "./backend.ts";
import { RemoteFailure, retryPolicyFromEnv, withRetries, type RetryHints, type RetryPolicy } from "./retry.ts";
import { B2Session, query, type B2Authorization, type B2Credentials } from "./b2-session.ts";
import { downloadToScratch, scratchDirOf, uploadSize, type ScratchDir } from "./local-file.ts";

export const B2_API_URL = "https://api.backblazeb2.com";

export interface B2Options extends B2Credentials {
  readonly concurrentConnections: number;
  /** Default: $BACKPAK_B2_API_URL, else B2_API_URL. */
  readonly apiUrl?: string;
  /** Default: DEFAULT_RETRY_POLICY, with $BACKPAK_B2_RETRY_MS as its unit when set. */
  readonly retry?: RetryPolicy;
  /** Where `openRange` downloads to (see ScratchDir). */
  readonly scratchDir?: ScratchDir;
}

/** What to check when B2 refuses, or keeps failing. */
const B2_HINTS: RetryHints = {
  usage: "check key_id, application_key and bucket in the repository's config file",
  giveUp: "B2 or the network to it",
};

/** B2 lists at most this many names a page. */
const PAGE_SIZE = "10000";

export class B2Backend implements Backend {
  readonly description: string;
  readonly #session: B2Session;
  readonly #retry: RetryPolicy;

  constructor(readonly options: B2Options) {
    this.description = `Backblaze B2 bucket ${options.bucket}`;
    const apiUrl = (options.apiUrl ?? process.env.BACKPAK_B2_API_URL ?? B2_API_URL).replace(/\/+$/, "");
    this.#session = new B2Session(options, apiUrl, new Semaphore(options.concurrentConnections));
    this.#retry = options.retry ?? retryPolicyFromEnv("BACKPAK_B2_RETRY_MS");
  }

  read(key: string): Promise<Uint8Array> {
    return this.#download(key, async (r) => new Uint8Array(await r.arrayBuffer()));
  }

  openRange(key: string): Promise<RangeReader> {
    return downloadToScratch(scratchDirOf(this.options.scratchDir), key, (startOver) =>
      this.#download(key, async (response) => {
        const sink = startOver();
        for await (const chunk of response.body ?? []) sink(chunk);
      }),
    );
  }

  async put(key: string, localPath: string): Promise<void> {
    const size = uploadSize(localPath, key);
    const what = `B2 upload of ${key}`;
    await withRetries(what, this.#retry, B2_HINTS, () =>
      this.#session.upload(
        (target) => ({
          what,
          url: target.url,
          method: "POST",
          headers: {
            Authorization: target.token,
            "Content-Length": String(size + 40), // the SHA-1's 40 hex digits follow the data
            "X-Bz-File-Name": key, // not percent-encoded, as backpak: keys are plain ASCII
            "Content-Type": "b2/x-auto",
            "X-Bz-Content-Sha1": "hex_digits_at_end",
          },
          // A fresh stream from the file on every attempt.
          body: withSha1Suffix(localPath),
        }),
        drain,
      ),
    );
    fs.unlinkSync(localPath);
  }

  async remove(key: string): Promise<void> {
    const versions = (await this.#call(`B2 listing of the versions of ${key}`, (auth) => `b2_list_file_versions?${query({ bucketId: auth.bucketId, prefix: key })}`, filesOf))
      // backpak counts every name the prefix matches; only this key's versions are its business.
      .filter((f) => f.fileName === key);
    if (versions.length === 0) throw new BackpakError("not-found", `Couldn't find ${key} in the B2 bucket ${this.options.bucket}`);
    // Keys name their contents (IDs), so every version is the same object: an upload retried after
    // its reply was lost leaves two. Removing the object removes them all (backpak refused).
    for (const v of versions) {
      if (typeof v.fileId !== "string") throw new BackpakError("io", `B2 listed a version of ${key} without its file ID`);
      await this.#deleteVersion(key, v.fileId);
    }
  }

  async #deleteVersion(key: string, fileId: string): Promise<void> {
    const what = `B2 deletion of ${key}`;
    let attempts = 0;
    await withRetries(what, this.#retry, B2_HINTS, async () => {
      attempts++;
      try {
        await this.#session.call(
          (auth) => ({
            what,
            url: `${auth.apiUrl}/b2api/v2/b2_delete_file_version`,
            method: "POST",
            headers: { Authorization: auth.token, "Content-Type": "application/json" },
            body: JSON.stringify({ fileName: key, fileId }),
            follow: true,
          }),
          drain,
        );
      } catch (err) {
        // A retry finding the version gone means an earlier attempt deleted it and only its reply was lost.
        if (attempts > 1 && err instanceof RemoteFailure && err.code === "file_not_present") return;
        throw err;
      }
    });
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let startFileName: string | undefined;
    do {
      const from = startFileName;
      const page = await this.#call(
        `B2 listing of ${prefix}`,
        (auth) => `b2_list_file_names?${query({ bucketId: auth.bucketId, maxFileCount: PAGE_SIZE, prefix, startFileName: from })}`,
        async (body, what) => ({ files: filesOf(body, what), next: (body as { nextFileName?: unknown }).nextFileName }),
      );
      for (const f of page.files) {
        if (f.action === "upload" && typeof f.fileName === "string" && typeof f.contentLength === "number") out.push({ key: f.fileName, size: f.contentLength });
      }
      startFileName = typeof page.next === "string" ? page.next : undefined;
    } while (startFileName !== undefined);
    return out;
  }

  /** GETs `{apiUrl}/file/{bucket}/{key}`, percent-encoding each part of the path. */
  #download<T>(key: string, consume: (response: Response) => Promise<T>): Promise<T> {
    const what = `B2 download of ${key}`;
    const path = [this.options.bucket, ...key.split("/")].map(encodeURIComponent).join("/");
    return withRetries(what, this.#retry, B2_HINTS, () => this.#session.call((auth) => ({ what, url: `${auth.apiUrl}/file/${path}`, headers: { Authorization: auth.token } }), consume));
  }

  /** GETs `{apiUrl}/b2api/v2/<call>` and reads its JSON answer. */
  #call<T>(what: string, call: (auth: B2Authorization) => string, read: (body: unknown, what: string) => T | Promise<T>): Promise<T> {
    return withRetries(what, this.#retry, B2_HINTS, () =>
      this.#session.call((auth) => ({ what, url: `${auth.apiUrl}/b2api/v2/${call(auth)}`, headers: { Authorization: auth.token } }), async (r) => read(await r.json(), what)),
    );
  }
}

interface FileEntry {
  readonly fileName?: unknown;
  readonly fileId?: unknown;
  readonly action?: unknown;
  readonly contentLength?: unknown;
}

function filesOf(body: unknown, what: string): FileEntry[] {
  const files = (body as { files?: unknown } | null)?.files;
  if (!Array.isArray(files)) throw new RemoteFailure(`${what}: B2 answered without a list of files`, "never");
  return files as FileEntry[];
}

/** The file's bytes, then their SHA-1 as 40 lowercase hex digits. */
function withSha1Suffix(file: string): ReadableStream<Uint8Array> {
  const sha1 = new Bun.CryptoHasher("sha1");
  return Bun.file(file)
    .stream()
    .pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          sha1.update(chunk);
          out.enqueue(chunk);
        },
        flush(out) {
          out.enqueue(new TextEncoder().encode(sha1.digest("hex")));
        },
      }),
    );
}

async function drain(response: Response): Promise<void> {
  await response.arrayBuffer();
}
