/**
 * The one module that speaks S3, through Bun.S3Client: single requests to one bucket (Bun retries
 * nothing; the caller's retry policy does), uploads from a local file in parts of PART_SIZE, one part
 * at a time, and every failure turned into a RemoteFailure that says whether retrying can help.
 * Messages name the operation and S3's error code, never a credential.
 */
import { S3Client } from "bun";
import type { S3Credentials } from "./s3-credentials.ts";
import { RemoteFailure } from "./retry.ts";

/** Files larger than this upload in parts of this size (S3's smallest part is 5 MiB). */
export const PART_SIZE = 8 * 1024 * 1024;

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
  get(key: string, what: string): Promise<Uint8Array> {
    return this.#attempt(what, () => this.#client.file(key).bytes());
  }

  /** Streams the object's bytes to `sink` (which may throw its own errors, passed through). */
  download(key: string, what: string, sink: (chunk: Uint8Array) => void): Promise<void> {
    return this.#attempt(what, async () => {
      for await (const chunk of this.#client.file(key).stream()) sink(chunk);
    });
  }

  /** Stores the local file `file` as `key`, in parts when it is larger than PART_SIZE. */
  upload(key: string, file: string, what: string): Promise<void> {
    return this.#attempt(what, async () => {
      await this.#client.write(key, Bun.file(file));
    });
  }

  remove(key: string, what: string): Promise<void> {
    return this.#attempt(what, () => this.#client.delete(key));
  }

  /** One page of the keys starting with `prefix`. */
  listPage(prefix: string, startingAt: string | undefined, what: string, maxKeys = PAGE_SIZE): Promise<ListedPage> {
    return this.#attempt(what, async () => {
      const page = await this.#client.list({ prefix, maxKeys, ...(startingAt === undefined ? {} : { continuationToken: startingAt }) });
      const objects = (page.contents ?? []).map((o) => ({ key: o.key, size: o.size ?? 0 }));
      if (!page.isTruncated) return { objects };
      if (!page.nextContinuationToken) throw new RemoteFailure(`${what}: S3 said the listing goes on but gave no continuation token`, "never");
      return { objects, next: page.nextContinuationToken };
    });
  }

  async #attempt<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      const result = await request();
      this.#answered = true;
      return result;
    } catch (err) {
      const failure = this.#failure(err, what);
      if (failure === undefined) throw err;
      throw failure;
    }
  }

  /** The RemoteFailure for Bun's S3 error `err`, or undefined when it is not one (a sink's own error). */
  #failure(err: unknown, what: string): RemoteFailure | undefined {
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
    return new RemoteFailure(text, "never", REFUSED.has(code) ? "usage" : "io", undefined, code);
  }
}
