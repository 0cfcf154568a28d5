/**
 * A fake Backblaze B2 server for tests (Bun.serve on 127.0.0.1, a random port): the part of the B2
 * API backpak uses (spec §10), checked as strictly as B2 checks it, with files (and every version of
 * them) kept in memory, every request recorded, and failures, expired tokens and held requests on demand.
 */
import type { Server } from "bun";

export type Endpoint =
  | "b2_authorize_account"
  | "b2_list_buckets"
  | "b2_get_upload_url"
  | "b2_upload_file"
  | "b2_list_file_names"
  | "b2_list_file_versions"
  | "b2_delete_file_version"
  | "download";

export interface RecordedRequest {
  readonly endpoint: Endpoint | undefined;
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

export interface FileVersion {
  readonly fileId: string;
  readonly fileName: string;
  readonly data: Uint8Array;
  readonly sha1: string;
  readonly uploadTimestamp: number;
}

export interface FakeB2Options {
  readonly keyId?: string;
  readonly applicationKey?: string;
  /** The bucket made at start (more with addBucket). */
  readonly bucket?: string;
  /** The most names a listing page holds, whatever maxFileCount asks (B2's own limit is 10000). */
  readonly pageSize?: number;
  readonly capabilities?: readonly string[];
}

const ALL_CAPABILITIES = ["listBuckets", "listFiles", "readFiles", "shareFiles", "writeFiles", "deleteFiles"];

class B2Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sha1Hex = (data: Uint8Array): string => new Bun.CryptoHasher("sha1").update(data).digest("hex");
const byName = (a: FileVersion, b: FileVersion): number => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : b.uploadTimestamp - a.uploadTimestamp);

export class FakeB2 {
  readonly keyId: string;
  readonly applicationKey: string;
  readonly bucket: string;
  readonly accountId = "fakeaccount01";
  pageSize: number;
  readonly capabilities: readonly string[];
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Requests being handled now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Requests waiting behind hold(). */
  held = 0;

  readonly #buckets = new Map<string, { id: string; files: FileVersion[] }>();
  readonly #tokens = new Map<string, "valid" | "expired">();
  /** Upload URL path → its token. */
  readonly #uploadUrls = new Map<string, string>();
  readonly #failures = new Map<Endpoint, number[]>();
  readonly #holds = new Map<Endpoint, Promise<void>>();
  readonly #lostReplies = new Map<Endpoint, number>();
  #serial = 0;
  readonly #server: Server<undefined>;

  private constructor(options: FakeB2Options) {
    this.keyId = options.keyId ?? "0012345fakekeyid0000000001";
    this.applicationKey = options.applicationKey ?? "K001FakeApplicationKeyNeverShown";
    this.bucket = options.bucket ?? "backpak-test";
    this.pageSize = options.pageSize ?? 10_000;
    this.capabilities = options.capabilities ?? ALL_CAPABILITIES;
    this.addBucket(this.bucket);
    this.#server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => this.#handle(req) });
  }

  static start(options: FakeB2Options = {}): FakeB2 {
    return new FakeB2(options);
  }

  /** The API base URL (what BACKPAK_B2_API_URL should be). */
  get url(): string {
    return `http://127.0.0.1:${this.#server.port}`;
  }

  stop(): void {
    void this.#server.stop(true);
  }

  addBucket(name: string): void {
    this.#buckets.set(name, { id: `bucket${this.#next()}`, files: [] });
  }

  /** Every version of every file in `bucket`, by name, newest first within a name. */
  versions(bucket = this.bucket): FileVersion[] {
    return [...this.#bucket(bucket).files].sort(byName);
  }

  /** The newest version of each name in `bucket`. */
  objects(bucket = this.bucket): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const v of this.versions(bucket)) if (!out.has(v.fileName)) out.set(v.fileName, v.data);
    return out;
  }

  /** The next `count` requests to `endpoint` fail with `status` (before anything else is checked). */
  failNext(endpoint: Endpoint, count: number, status = 500): void {
    const queue = this.#failures.get(endpoint) ?? [];
    for (let i = 0; i < count; i++) queue.push(status);
    this.#failures.set(endpoint, queue);
  }

  /** The next `count` requests to `endpoint` are carried out, but their replies are lost (answered with 500). */
  loseRepliesNext(endpoint: Endpoint, count: number): void {
    this.#lostReplies.set(endpoint, (this.#lostReplies.get(endpoint) ?? 0) + count);
  }

  /** Every account and upload token issued so far has expired (B2 answers 401 expired_auth_token). */
  expireTokens(which: "account" | "upload" | "both" = "both"): void {
    const upload = new Set(this.#uploadUrls.values());
    for (const token of this.#tokens.keys()) {
      const isUpload = upload.has(token);
      if (which === "both" || (which === "upload") === isUpload) this.#tokens.set(token, "expired");
    }
  }

  /** Requests to `endpoint` wait until the returned function is called. */
  hold(endpoint: Endpoint): () => void {
    let release!: () => void;
    this.#holds.set(endpoint, new Promise<void>((r) => (release = r)));
    return () => {
      this.#holds.delete(endpoint);
      release();
    };
  }

  /** The recorded requests to `endpoint`. */
  requestsTo(endpoint: Endpoint): RecordedRequest[] {
    return this.requests.filter((r) => r.endpoint === endpoint);
  }

  #next(): number {
    return ++this.#serial;
  }

  #bucket(name: string): { id: string; files: FileVersion[] } {
    const b = this.#buckets.get(name);
    if (b === undefined) throw new Error(`no bucket ${name} in the fake`);
    return b;
  }

  #bucketById(id: string | null): { id: string; files: FileVersion[] } {
    for (const b of this.#buckets.values()) if (b.id === id) return b;
    throw new B2Error(400, "bad_request", `Invalid bucketId: ${id}`);
  }

  #issueToken(): string {
    const token = `4_fake_token_${this.#next()}`;
    this.#tokens.set(token, "valid");
    return token;
  }

  #checkToken(token: string | null): void {
    const state = token === null ? undefined : this.#tokens.get(token);
    if (state === "expired") throw new B2Error(401, "expired_auth_token", "Authorization token has expired");
    if (state !== "valid" || [...this.#uploadUrls.values()].includes(token!)) throw new B2Error(401, "bad_auth_token", "Invalid authorization token");
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const endpoint = endpointOf(req.method, url.pathname);
    const body = new Uint8Array(await req.arrayBuffer());
    this.requests.push({ endpoint, method: req.method, url, headers: new Headers(req.headers), body });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (endpoint === undefined) throw new B2Error(404, "not_found", `No such API: ${req.method} ${url.pathname}`);
      const hold = this.#holds.get(endpoint);
      if (hold !== undefined) {
        this.held++;
        await hold;
        this.held--;
      }
      const status = this.#failures.get(endpoint)?.shift();
      if (status !== undefined) throw new B2Error(status, status === 503 ? "service_unavailable" : "internal_error", "injected failure");
      const response = await this.#serve(endpoint, req, url, body);
      const lose = this.#lostReplies.get(endpoint) ?? 0;
      if (lose > 0) {
        this.#lostReplies.set(endpoint, lose - 1);
        throw new B2Error(500, "internal_error", "injected failure after the request was carried out");
      }
      return response;
    } catch (err) {
      if (!(err instanceof B2Error)) throw err;
      return Response.json({ status: err.status, code: err.code, message: err.message }, { status: err.status });
    } finally {
      this.inFlight--;
    }
  }

  async #serve(endpoint: Endpoint, req: Request, url: URL, body: Uint8Array): Promise<Response> {
    const q = url.searchParams;
    const auth = req.headers.get("authorization");
    switch (endpoint) {
      case "b2_authorize_account": {
        const expected = `Basic ${Buffer.from(`${this.keyId}:${this.applicationKey}`).toString("base64")}`;
        if (auth !== expected) throw new B2Error(401, "unauthorized", "The applicationKeyId and/or the applicationKey are wrong.");
        return Response.json({
          accountId: this.accountId,
          authorizationToken: this.#issueToken(),
          apiInfo: {
            storageApi: {
              apiUrl: this.url,
              downloadUrl: this.url,
              s3ApiUrl: this.url,
              absoluteMinimumPartSize: 5_000_000,
              recommendedPartSize: 100_000_000,
              capabilities: this.capabilities,
              bucketId: null,
              bucketName: null,
              namePrefix: null,
              infoType: "storageApi",
            },
          },
          applicationKeyExpirationTimestamp: null,
        });
      }
      case "b2_list_buckets": {
        this.#checkToken(auth);
        if (q.get("accountId") !== this.accountId) throw new B2Error(400, "bad_request", "accountId is wrong");
        const name = q.get("bucketName");
        const buckets = [...this.#buckets]
          .filter(([n]) => name === null || n === name)
          .map(([bucketName, b]) => ({ accountId: this.accountId, bucketId: b.id, bucketName, bucketType: "allPrivate" }));
        return Response.json({ buckets });
      }
      case "b2_get_upload_url": {
        this.#checkToken(auth);
        const bucket = this.#bucketById(q.get("bucketId"));
        const path = `/b2api/v2/b2_upload_file/${bucket.id}/${this.#next()}`;
        const token = this.#issueToken();
        this.#uploadUrls.set(path, token);
        return Response.json({ bucketId: bucket.id, uploadUrl: `${this.url}${path}`, authorizationToken: token });
      }
      case "b2_upload_file":
        return this.#upload(req, url, body);
      case "b2_list_file_names": {
        this.#checkToken(auth);
        const max = this.#maxFileCount(q, 100);
        const newest = new Map<string, FileVersion>();
        for (const v of this.#listed(q)) if (!newest.has(v.fileName)) newest.set(v.fileName, v);
        const names = [...newest.values()];
        const page = names.slice(0, Math.min(max, this.pageSize));
        const next = names[page.length];
        return Response.json({ files: page.map((v) => this.#info(v, q.get("bucketId")!)), nextFileName: next?.fileName ?? null });
      }
      case "b2_list_file_versions": {
        this.#checkToken(auth);
        const max = this.#maxFileCount(q, 100);
        const all = this.#listed(q);
        const page = all.slice(0, Math.min(max, this.pageSize));
        const next = all[page.length];
        return Response.json({ files: page.map((v) => this.#info(v, q.get("bucketId")!)), nextFileName: next?.fileName ?? null, nextFileId: next?.fileId ?? null });
      }
      case "b2_delete_file_version": {
        this.#checkToken(auth);
        const { fileName, fileId } = JSON.parse(new TextDecoder().decode(body)) as { fileName?: string; fileId?: string };
        for (const b of this.#buckets.values()) {
          const i = b.files.findIndex((v) => v.fileId === fileId && v.fileName === fileName);
          if (i >= 0) {
            b.files.splice(i, 1);
            return Response.json({ fileId, fileName });
          }
        }
        throw new B2Error(400, "file_not_present", `File not present: ${fileName} ${fileId}`);
      }
      case "download": {
        this.#checkToken(auth);
        const [bucketName, ...rest] = url.pathname.slice("/file/".length).split("/").map(decodeURIComponent);
        const bucket = this.#buckets.get(bucketName!);
        const name = rest.join("/");
        const v = bucket?.files.filter((f) => f.fileName === name).sort(byName)[0];
        if (v === undefined) throw new B2Error(404, "not_found", "File with such name does not exist.");
        return new Response(v.data, {
          headers: { "Content-Type": "application/octet-stream", "X-Bz-File-Name": encodeURIComponent(name), "X-Bz-File-Id": v.fileId, "X-Bz-Content-Sha1": v.sha1 },
        });
      }
    }
  }

  async #upload(req: Request, url: URL, body: Uint8Array): Promise<Response> {
    const token = this.#uploadUrls.get(url.pathname);
    if (token === undefined) throw new B2Error(400, "bad_request", "No such upload URL");
    const auth = req.headers.get("authorization");
    if (auth !== token) throw new B2Error(401, this.#tokens.get(auth ?? "") === undefined ? "bad_auth_token" : "unauthorized", "Invalid upload token");
    if (this.#tokens.get(token) === "expired") throw new B2Error(401, "expired_auth_token", "Authorization token has expired");
    const nameHeader = req.headers.get("x-bz-file-name");
    if (nameHeader === null) throw new B2Error(400, "bad_request", "Missing header: X-Bz-File-Name");
    if (req.headers.get("content-type") === null) throw new B2Error(400, "bad_request", "Missing header: Content-Type");
    if (req.headers.get("content-length") !== String(body.length)) throw new B2Error(400, "bad_request", "Content-Length doesn't match the body");
    const shaHeader = req.headers.get("x-bz-content-sha1");
    let data = body;
    if (shaHeader === "hex_digits_at_end") {
      if (body.length < 40) throw new B2Error(400, "bad_request", "Body is too short to end with a SHA-1");
      data = body.subarray(0, body.length - 40);
      if (new TextDecoder().decode(body.subarray(body.length - 40)) !== sha1Hex(data)) throw new B2Error(400, "bad_request", "Sha1 did not match data received");
    } else if (shaHeader !== sha1Hex(body)) {
      throw new B2Error(400, "bad_request", "Sha1 did not match data received");
    }
    const bucket = this.#bucketById(url.pathname.split("/")[4] ?? null);
    const version: FileVersion = { fileId: `4_zfake_f${this.#next()}`, fileName: decodeURIComponent(nameHeader), data: data.slice(), sha1: sha1Hex(data), uploadTimestamp: this.#serial };
    bucket.files.push(version);
    return Response.json(this.#info(version, bucket.id));
  }

  #maxFileCount(q: URLSearchParams, byDefault: number): number {
    const text = q.get("maxFileCount");
    const n = text === null ? byDefault : Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new B2Error(400, "bad_request", `maxFileCount out of range: ${text}`);
    return n;
  }

  /** The versions a listing starting at startFileName under prefix sees, in B2's order. */
  #listed(q: URLSearchParams): FileVersion[] {
    const prefix = q.get("prefix") ?? "";
    const start = q.get("startFileName") ?? "";
    return this.#bucketById(q.get("bucketId"))
      .files.filter((v) => v.fileName.startsWith(prefix) && v.fileName >= start)
      .sort(byName);
  }

  #info(v: FileVersion, bucketId: string): Record<string, unknown> {
    return {
      accountId: this.accountId,
      action: "upload",
      bucketId,
      contentLength: v.data.length,
      contentSha1: v.sha1,
      contentType: "application/octet-stream",
      fileId: v.fileId,
      fileInfo: {},
      fileName: v.fileName,
      uploadTimestamp: v.uploadTimestamp,
    };
  }
}

function endpointOf(method: string, pathname: string): Endpoint | undefined {
  if (method === "GET" && pathname.startsWith("/file/")) return "download";
  if (method === "POST" && pathname.startsWith("/b2api/v2/b2_upload_file/")) return "b2_upload_file";
  const api = /^\/b2api\/(v2|v3)\/(b2_[a-z_]+)$/.exec(pathname);
  if (api === null) return undefined;
  const [, version, name] = api;
  const known: Record<string, [string, string]> = {
    b2_authorize_account: ["v3", "GET"],
    b2_list_buckets: ["v2", "GET"],
    b2_get_upload_url: ["v2", "GET"],
    b2_list_file_names: ["v2", "GET"],
    b2_list_file_versions: ["v2", "GET"],
    b2_delete_file_version: ["v2", "POST"],
  };
  const want = known[name!];
  return want !== undefined && want[0] === version && want[1] === method ? (name as Endpoint) : undefined;
}
