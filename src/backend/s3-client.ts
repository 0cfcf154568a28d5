/**
 * The one module that speaks S3, through Bun.S3Client: single requests to one bucket (Bun retries
 * nothing; the caller's retry policy does), uploads from a local file in parts of PART_SIZE, one part
 * at a time, requests that stall given up, and every failure turned into a RemoteFailure that says
 * whether retrying can help.
 * Messages name the operation and S3's error code, never a credential.
 */
import { S3Client } from "bun";
import type { S3Credentials } from "./s3-credentials.ts";
import { RemoteFailure } from "./retry.ts";

/** Files larger than this upload in parts of this size (S3's smallest part is 5 MiB). */
export const PART_SIZE = 8 * 1024 * 1024;

export const DEFAULT_STALL_MS = 60_000;

/** An upload is given its size at this rate (64 KiB/s) on top of the stall time, since Bun doesn't report its progress. */
const SLOWEST_UPLOAD = 64 * 1024;

/** The most keys S3 lists a page. */
const PAGE_SIZE = 1000;

export interface S3Place {
  /** The service's URL, without the bucket. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly pathStyle: boolean;
}

export interface ListedPage {
  readonly objects: { key: string; size: number }[];
  /** Where the next page starts; undefined after the last. */
  readonly next?: string;
}

/** Failures that mean the server never answered: a wrong endpoint, unless it has answered before. */
const UNREACHED = new Set(["ConnectionRefused", "DNSResolveFailed"]);
/** Failures worth another attempt: throttling, the server's own trouble, a dropped connection. */
const TRANSIENT = new Set([
  "SlowDown",
  "InternalError",
  "ServiceUnavailable",
  "RequestTimeout",
  "Throttling",
  "ThrottlingException",
  "TooManyRequests",
  "RequestLimitExceeded",
  "ConnectionClosed",
  "ConnectionReset",
  "Timeout",
  // A reply with no details (Bun doesn't give the status): mostly gateways and proxies in trouble.
  "UnknownError",
]);
/** Failures that mean the credentials or the configuration are wrong. */
const REFUSED = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "InvalidToken",
  "ExpiredToken",
  "TokenRefreshRequired",
  "AllAccessDisabled",
  "AuthorizationHeaderMalformed",
  "PermanentRedirect",
  "InvalidBucketName",
  "RequestTimeTooSkewed",
  "ERR_S3_MISSING_CREDENTIALS",
  "ERR_S3_INVALID_SIGNATURE",
  "ERR_S3_INVALID_SESSION_TOKEN",
  "ERR_S3_INVALID_ENDPOINT",
]);
/** Failures that mean there is no room: the server's storage is full, or the bucket's quota used up (MinIO's and Ceph's words). */
const FULL = new Set(["InsufficientStorage", "XMinioStorageFull", "XMinioAdminBucketQuotaExceeded", "QuotaExceeded"]);
/** What Bun says only as "an unexpected error has occurred". */
const EXPLAINED: Readonly<Record<string, string>> = {
  ConnectionRefused: "the connection was refused",
  DNSResolveFailed: "the endpoint's host name doesn't resolve",
  ConnectionClosed: "the connection closed before the reply",
  UnknownError: "an error reply without details",
};

/** S3's URL for a bucket: its own host name (`bucket.endpoint`), or the endpoint itself for path-style addressing. */
export function bucketEndpoint(place: S3Place): string {
  const url = new URL(place.endpoint);
  if (!place.pathStyle) url.hostname = `${place.bucket}.${url.hostname}`;
  return url.href.replace(/\/+$/, "");
}

export class S3Connection {
  readonly #client: S3Client;
  /** Set once the endpoint has answered anything: after that, a refused connection is the server's passing trouble. */
  #answered = false;

  constructor(
    readonly place: S3Place,
    credentials: S3Credentials,
    /** How long a request may go without progress before it counts as lost, a passing failure. */
    readonly stallMs = DEFAULT_STALL_MS,
  ) {
    this.#client = new S3Client({
      ...credentials,
      bucket: place.bucket,
      region: place.region,
      endpoint: bucketEndpoint(place),
      virtualHostedStyle: !place.pathStyle,
      retry: 0,
      partSize: PART_SIZE,
      queueSize: 1,
    });
  }

  /** The whole object. */
  async get(key: string, what: string): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    await this.download(key, what, (chunk) => chunks.push(chunk));
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  /** Streams the object's bytes to `sink` (which may throw its own errors, passed through); a stalled download is given up. */
  download(key: string, what: string, sink: (chunk: Uint8Array) => void): Promise<void> {
    return this.#attempt(what, 0, async (progress, stalled) => {
      const reader = this.#client.file(key).stream().getReader();
      stalled.addEventListener("abort", () => void reader.cancel().catch(() => {}));
      for (;;) {
        const { done, value } = await reader.read();
        progress();
        if (done) return;
        sink(value);
      }
    });
  }

  /** Stores the local file `file` (`size` bytes) as `key`, in parts when it is larger than PART_SIZE. */
  upload(key: string, file: string, size: number, what: string): Promise<void> {
    return this.#attempt(what, (size / SLOWEST_UPLOAD) * 1000, async () => {
      await this.#client.write(key, Bun.file(file));
    });
  }

  remove(key: string, what: string): Promise<void> {
    return this.#attempt(what, 0, () => this.#client.delete(key));
  }

  /** One page of the keys starting with `prefix`. */
  listPage(prefix: string, startingAt: string | undefined, what: string, maxKeys = PAGE_SIZE): Promise<ListedPage> {
    return this.#attempt(what, 0, async () => {
      const page = await this.#client.list({ prefix, maxKeys, ...(startingAt === undefined ? {} : { continuationToken: startingAt }) });
      const objects = (page.contents ?? []).map((o) => ({ key: o.key, size: o.size ?? 0 }));
      if (!page.isTruncated) return { objects };
      if (!page.nextContinuationToken) throw new RemoteFailure(`${what}: S3 said the listing goes on but gave no continuation token`, "never");
      return { objects, next: page.nextContinuationToken };
    });
  }

  /**
   * Runs one request, given up as stalled when it makes no progress for `stallMs` (plus `allowanceMs`
   * before its first sign of progress). Bun can't abort a request: a stalled one is left to finish
   * or fail on its own, and only a download is cancelled.
   */
  async #attempt<T>(what: string, allowanceMs: number, request: (progress: () => void, stalled: AbortSignal) => Promise<T>): Promise<T> {
    const stall = new AbortController();
    let timer: Timer | undefined;
    let progress = (): void => {};
    const lost = new Promise<never>((_, reject) => {
      const arm = (ms: number): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          stall.abort();
          reject(new RemoteFailure(`${what}: Timeout (no progress for ${this.stallMs / 1000} s)`, "transient", "io", undefined, "Timeout"));
        }, ms);
      };
      arm(this.stallMs + allowanceMs);
      progress = () => arm(this.stallMs);
    });
    const work = request(() => progress(), stall.signal);
    work.catch(() => {}); // Once stalled, its outcome no longer matters.
    try {
      const result = await Promise.race([work, lost]);
      this.#answered = true;
      return result;
    } catch (err) {
      throw this.#failure(err, what) ?? err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The RemoteFailure for Bun's S3 error `err` (itself if it is one), or undefined when it is neither (a sink's own error). */
  #failure(err: unknown, what: string): RemoteFailure | undefined {
    if (err instanceof RemoteFailure) return err;
    const code = (err as { code?: unknown } | null)?.code;
    if (!(err instanceof Error) || typeof code !== "string" || !(err.name === "S3Error" || code.startsWith("ERR_S3_"))) return undefined;
    const unreached = UNREACHED.has(code);
    if (!unreached) this.#answered = true;
    const text = `${what}: ${code} (${EXPLAINED[code] ?? err.message})`;
    const { bucket, endpoint } = this.place;
    if (code === "NoSuchKey") return new RemoteFailure(text, "never", "not-found", undefined, code);
    if (code === "NoSuchBucket") return new RemoteFailure(`${what}: there is no bucket ${bucket} at ${endpoint}`, "never", "not-found", undefined, code);
    if (unreached && !this.#answered) return new RemoteFailure(`${what}: couldn't reach ${endpoint}: ${EXPLAINED[code]}`, "never", "usage", undefined, code);
    if (TRANSIENT.has(code) || unreached) return new RemoteFailure(text, "transient", "io", undefined, code);
    if (FULL.has(code)) {
      const hint = `the S3 bucket ${bucket} at ${endpoint} is out of storage or over its quota: free some space or raise the quota, then run the command again (an interrupted backup resumes)`;
      return new RemoteFailure(text, "never", "io", undefined, code, hint);
    }
    return new RemoteFailure(text, "never", REFUSED.has(code) ? "usage" : "io", undefined, code);
  }
}
