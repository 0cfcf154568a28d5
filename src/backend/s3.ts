/**
 * A repository in an S3 bucket (AWS or any S3-compatible service), optionally under a key prefix:
 * objects are S3 objects named `<prefix>/<key>`, uploaded from their local file (in parts when
 * large), listed a page at a time, removed after checking they exist (S3's DELETE doesn't say).
 * At most `concurrentConnections` requests are in flight; failures are retried as retry.ts says.
 * Repositories open through the local cache, so `openRange` downloads the whole object into a
 * nameless scratch file in its scratch directory (the working directory unless told otherwise).
 *
 * Test hook (environment): BACKPAK_S3_RETRY_MS sets the first retry pause in milliseconds (default 1000).
 */
import fs from "node:fs";
import type { S3BackendConfig } from "../format/s3-config.ts";
import { BackpakError } from "../lib/errors.ts";
import { Semaphore } from "../lib/semaphore.ts";
import type { Backend, ListedObject, RangeReader } from "./backend.ts";
import { downloadToScratch, scratchDirOf, uploadSize, type ScratchDir } from "./local-file.ts";
import { retryPolicyFromEnv, withRetries, type RetryHints, type RetryPolicy } from "./retry.ts";
import { S3Connection, type S3Place } from "./s3-client.ts";
import type { S3Credentials } from "./s3-credentials.ts";

export const DEFAULT_S3_REGION = "us-east-1";

export interface S3Options {
  readonly config: S3BackendConfig;
  readonly credentials: S3Credentials;
  /** Default: DEFAULT_RETRY_POLICY, with $BACKPAK_S3_RETRY_MS as its unit when set. */
  readonly retry?: RetryPolicy;
  /** Where `openRange` downloads to (see ScratchDir). */
  readonly scratchDir?: ScratchDir;
  /** Used when the config names no region: $AWS_REGION, else $AWS_DEFAULT_REGION, else us-east-1. */
  readonly env?: NodeJS.ProcessEnv;
  /** How long a request may make no progress before it is retried (default: DEFAULT_STALL_MS). */
  readonly stallMs?: number;
}

/** Where the config's bucket is: its endpoint defaults to AWS's for the region. */
export function s3Place(config: S3BackendConfig, env: NodeJS.ProcessEnv = process.env): S3Place {
  const region = config.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_S3_REGION);
  const endpoint = (config.endpoint ?? `https://s3.${region}.amazonaws.com`).replace(/\/+$/, "");
  return { endpoint, bucket: config.bucket, region, pathStyle: config.pathStyle };
}

export class S3Backend implements Backend {
  readonly description: string;
  readonly #s3: S3Connection;
  readonly #limit: Semaphore;
  readonly #retry: RetryPolicy;
  readonly #hints: RetryHints;
  /** `<prefix>/`, or "" for a repository at the bucket's root. */
  readonly #root: string;

  constructor(readonly options: S3Options) {
    const { config } = options;
    const place = s3Place(config, options.env);
    this.#root = config.prefix === undefined ? "" : `${config.prefix}/`;
    this.description = `S3 bucket ${config.bucket}${this.#root === "" ? "" : ` under ${this.#root}`} at ${place.endpoint}`;
    this.#s3 = new S3Connection(place, options.credentials, options.stallMs);
    this.#limit = new Semaphore(config.concurrentConnections);
    this.#retry = options.retry ?? retryPolicyFromEnv("BACKPAK_S3_RETRY_MS");
    this.#hints = {
      usage: `check the bucket, endpoint, region and path_style in the repository's config file, and that the access key may list, get, put and delete objects in ${config.bucket}`,
      giveUp: `The ${this.description} or the network to it`,
    };
  }

  read(key: string): Promise<Uint8Array> {
    return this.#request(`S3 download of ${key}`, (what) => this.#s3.get(this.#root + key, what));
  }

  openRange(key: string): Promise<RangeReader> {
    return downloadToScratch(scratchDirOf(this.options.scratchDir), key, (startOver) =>
      this.#request(`S3 download of ${key}`, (what) => this.#s3.download(this.#root + key, what, startOver())),
    );
  }

  async put(key: string, localPath: string): Promise<void> {
    const size = uploadSize(localPath, key);
    await this.#request(`S3 upload of ${key}`, (what) => this.#s3.upload(this.#root + key, localPath, size, what));
    fs.unlinkSync(localPath);
  }

  async remove(key: string): Promise<void> {
    const full = this.#root + key;
    // The first key listed from the key itself on is the key, if it exists.
    const page = await this.#request(`S3 lookup of ${key}`, (what) => this.#s3.listPage(full, undefined, what, 1));
    if (page.objects[0]?.key !== full) throw new BackpakError("not-found", `Couldn't find ${key} in the S3 bucket ${this.options.config.bucket}`);
    // DELETE succeeds whether or not the object is there, so a retry after a lost reply is harmless.
    await this.#request(`S3 deletion of ${key}`, (what) => this.#s3.remove(full, what));
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let next: string | undefined;
    do {
      const from = next;
      const page = await this.#request(`S3 listing of ${prefix}`, (what) => this.#s3.listPage(this.#root + prefix, from, what));
      for (const o of page.objects) out.push({ key: o.key.slice(this.#root.length), size: o.size });
      next = page.next;
    } while (next !== undefined);
    return out;
  }

  /** One request, retried as the policy says, each attempt holding one connection permit. */
  #request<T>(what: string, attempt: (what: string) => Promise<T>): Promise<T> {
    return withRetries(what, this.#retry, this.#hints, () => this.#limit.run(() => attempt(what)));
  }
}
