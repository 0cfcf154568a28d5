/**
 * A Backblaze B2 session (spec §10): authorizes the account and finds the bucket on first use, renews
 * the authorization when B2 says its token expired, and hands out upload URLs, each to one upload at
 * a time as B2 asks (backpak shares one URL among all uploads).
 */
import type { Semaphore } from "../lib/semaphore.ts";
import { exchange, type B2Request } from "./b2-http.ts";
import { RemoteFailure } from "./retry.ts";

export interface B2Credentials {
  readonly keyId: string;
  readonly applicationKey: string;
  readonly bucket: string;
}

/** What authorizing gives every later request. */
export interface B2Authorization {
  readonly token: string;
  readonly apiUrl: string;
  readonly bucketId: string;
}

export interface UploadTarget {
  readonly url: string;
  readonly token: string;
}

const NEEDED_CAPABILITIES = ["listFiles", "readFiles", "writeFiles", "deleteFiles"];

export class B2Session {
  #authorization: Promise<B2Authorization> | undefined;
  readonly #idleUploads: UploadTarget[] = [];

  constructor(
    readonly credentials: B2Credentials,
    /** Where b2_authorize_account lives: https://api.backblazeb2.com, or a test server. */
    readonly apiBase: string,
    readonly limit: Semaphore,
  ) {}

  /**
   * Sends the request `build` makes with the account's authorization; when B2 says the token has
   * expired, the authorization is forgotten so the next call authorizes again.
   */
  async call<T>(build: (auth: B2Authorization) => B2Request, consume: (response: Response) => Promise<T>): Promise<T> {
    const pending = this.#authorize();
    const auth = await pending;
    try {
      return await exchange(this.limit, build(auth), consume);
    } catch (err) {
      // Only the first of several requests that met the same expired token starts over.
      if (err instanceof RemoteFailure && err.retry === "renew" && this.#authorization === pending) this.#authorization = undefined;
      throw err;
    }
  }

  /**
   * Sends the upload `build` makes to an idle upload URL, or a new one. A URL goes back to the idle
   * ones only after an upload through it succeeded: after a failure (an expired upload token, a busy
   * pod) B2 wants a new one.
   */
  async upload<T>(build: (target: UploadTarget) => B2Request, consume: (response: Response) => Promise<T>): Promise<T> {
    const target = this.#idleUploads.pop() ?? (await this.#newUploadTarget());
    const result = await exchange(this.limit, build(target), consume);
    this.#idleUploads.push(target);
    return result;
  }

  #authorize(): Promise<B2Authorization> {
    if (this.#authorization === undefined) {
      const pending = this.#authorizeAccount();
      this.#authorization = pending;
      // A failed authorization is not kept: the next attempt tries again.
      pending.catch(() => {
        if (this.#authorization === pending) this.#authorization = undefined;
      });
    }
    return this.#authorization;
  }

  async #authorizeAccount(): Promise<B2Authorization> {
    const { keyId, applicationKey, bucket } = this.credentials;
    const what = `B2 authorization of key ${keyId}`;
    const account = await exchange(
      this.limit,
      {
        what,
        url: `${this.apiBase}/b2api/v3/b2_authorize_account`,
        // backpak writes "Basic<base64>" with no space; this sends the form HTTP and B2's documentation give.
        headers: { Authorization: `Basic ${Buffer.from(`${keyId}:${applicationKey}`).toString("base64")}` },
        follow: true,
      },
      (r) => r.json() as Promise<AccountResponse>,
    );
    const storage = account.apiInfo?.storageApi;
    const accountId = account.accountId;
    const token = account.authorizationToken;
    const apiUrl = storage?.apiUrl;
    if (typeof accountId !== "string" || typeof token !== "string" || typeof apiUrl !== "string" || !Array.isArray(storage?.capabilities)) {
      throw new RemoteFailure(`${what}: B2 answered without an account ID, token, API URL or capabilities`, "never");
    }
    const missing = NEEDED_CAPABILITIES.filter((c) => !storage.capabilities!.includes(c));
    if (missing.length > 0) {
      throw new RemoteFailure(`B2 key ${keyId} lacks the capabilities ${missing.join(", ")} that backpak needs`, "never", "usage");
    }
    const buckets = await exchange(
      this.limit,
      {
        what: `B2 lookup of bucket ${bucket}`,
        url: `${apiUrl}/b2api/v2/b2_list_buckets?${query({ accountId, bucketName: bucket })}`,
        headers: { Authorization: token },
      },
      (r) => r.json() as Promise<BucketsResponse>,
    );
    const bucketId = (Array.isArray(buckets.buckets) ? buckets.buckets : []).find((b) => b.bucketName === bucket)?.bucketId;
    if (typeof bucketId !== "string") throw new RemoteFailure(`Couldn't find the B2 bucket ${bucket}`, "never", "not-found");
    return { token, apiUrl, bucketId };
  }

  /** Asks for a new upload URL; counts as one attempt of the upload it is for. */
  #newUploadTarget(): Promise<UploadTarget> {
    return this.call(
      (auth) => ({
        what: "B2 request for an upload URL",
        url: `${auth.apiUrl}/b2api/v2/b2_get_upload_url?${query({ bucketId: auth.bucketId })}`,
        headers: { Authorization: auth.token },
      }),
      async (r) => {
        const body = (await r.json()) as { uploadUrl?: unknown; authorizationToken?: unknown };
        if (typeof body.uploadUrl !== "string" || typeof body.authorizationToken !== "string") {
          throw new RemoteFailure("B2 answered a request for an upload URL without a URL or token", "never");
        }
        return { url: body.uploadUrl, token: body.authorizationToken };
      },
    );
  }
}

/** A query string, every value percent-encoded. */
export function query(params: Readonly<Record<string, string | undefined>>): string {
  return Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("&");
}

interface AccountResponse {
  accountId?: unknown;
  authorizationToken?: unknown;
  apiInfo?: { storageApi?: { apiUrl?: unknown; capabilities?: unknown[] } };
}

interface BucketsResponse {
  buckets?: { bucketName?: unknown; bucketId?: unknown }[];
}
