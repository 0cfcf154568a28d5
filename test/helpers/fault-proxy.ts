/**
 * A fault-injecting HTTP proxy for tests (node:http on 127.0.0.1, a free port): forwards every request
 * unchanged (Host header included, so S3 signatures still match) to a real server, records what it
 * forwarded, and on demand answers with an error status, resets the connection in the middle of a
 * request, forwards a request and then drops the connection instead of passing on the reply,
 * never answers, or goes away altogether mid-request (a server that dies).
 */
import { afterAll } from "bun:test";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** What an S3 request does, from its method and query. */
export type S3RequestKind = "list" | "get" | "head" | "put" | "create-multipart" | "part" | "complete-multipart" | "abort-multipart" | "delete";

export interface ProxiedRequest {
  readonly method: string;
  readonly url: URL;
  readonly kind: S3RequestKind;
  /** Every header as received (the Authorization header holds no secret, only a signature). */
  readonly headers: http.IncomingHttpHeaders;
}

export type Fault =
  /** Answer with this status and an S3 error body with this code (no body when code is undefined). */
  | { readonly status: number; readonly code?: string }
  /** Read the request's first bytes of body, then reset the connection without answering. */
  | "reset"
  /** Forward the request, let the server act on it, then drop the connection instead of replying. */
  | "lose-reply"
  /** Read the request and never answer (until the proxy stops). */
  | "hang"
  /** Read the request's first bytes of body, then stop the proxy: this connection resets and later ones are refused. */
  | "die";

interface Injection {
  readonly match: (r: ProxiedRequest) => boolean;
  readonly fault: Fault;
  left: number;
}

export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  /** The most requests the proxy had open at once (reset it to measure a stretch). */
  maxInFlight = 0;
  #inFlight = 0;
  #held: (() => void)[] | undefined;
  readonly #injections: Injection[] = [];

  private constructor(
    readonly url: string,
    private readonly server: http.Server,
  ) {}

  /** Starts a proxy to `target` (e.g. "http://127.0.0.1:4568"); it is closed after the calling file's tests. */
  static async start(target: string): Promise<FaultProxy> {
    const upstream = new URL(target);
    let proxy!: FaultProxy;
    const server = http.createServer((req, res) => void proxy.#handle(upstream, req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = new FaultProxy(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, server);
    afterAll(() => proxy.stop());
    return proxy;
  }

  /** The next `times` requests that `match` meets `fault`. */
  inject(match: S3RequestKind | ((r: ProxiedRequest) => boolean), fault: Fault, times = 1): void {
    this.#injections.push({ match: typeof match === "string" ? (r) => r.kind === match : match, fault, left: times });
  }

  /** Forgets the faults not yet met: from now on every request is forwarded. */
  clearFaults(): void {
    this.#injections.length = 0;
  }

  requestsOf(kind: S3RequestKind): ProxiedRequest[] {
    return this.requests.filter((r) => r.kind === kind);
  }

  /** Holds every request from now on until the returned function is called. */
  hold(): () => void {
    const held: (() => void)[] = [];
    this.#held = held;
    return () => {
      this.#held = undefined;
      for (const go of held.splice(0)) go();
    };
  }

  /** How many requests are waiting on hold(). */
  get held(): number {
    return this.#held?.length ?? 0;
  }

  stop(): void {
    this.server.closeAllConnections();
    this.server.close();
  }

  async #handle(upstream: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://proxy");
    const request: ProxiedRequest = { method: req.method ?? "GET", url, kind: kindOf(req.method ?? "GET", url), headers: req.headers };
    this.requests.push(request);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.#inFlight);
    res.on("close", () => this.#inFlight--);
    if (this.#held !== undefined) await new Promise<void>((go) => this.#held!.push(go));
    const injection = this.#injections.find((i) => i.left > 0 && i.match(request));
    if (injection !== undefined) injection.left--;
    const fault = injection?.fault;
    if (fault === "hang") {
      req.resume();
      return;
    }
    if (fault === "reset" || fault === "die") {
      const cut = fault === "die" ? () => this.stop() : () => req.socket.destroy();
      req.once("data", cut);
      req.once("end", cut);
      return;
    }
    if (fault !== undefined && fault !== "lose-reply") {
      const body = fault.code === undefined ? "" : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>injected ${fault.code}</Message></Error>`;
      req.resume();
      req.on("end", () => res.writeHead(fault.status, { "Content-Type": "application/xml" }).end(body));
      return;
    }
    const forwarded = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (fault === "lose-reply") {
        answer.resume();
        answer.on("end", () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on("error", () => req.socket.destroy());
    req.pipe(forwarded);
  }
}

function kindOf(method: string, url: URL): S3RequestKind {
  const q = url.searchParams;
  if (method === "POST") return q.has("uploads") ? "create-multipart" : "complete-multipart";
  if (method === "PUT") return q.has("partNumber") ? "part" : "put";
  if (method === "DELETE") return q.has("uploadId") ? "abort-multipart" : "delete";
  if (method === "HEAD") return "head";
  // GET on the bucket itself (/bucket or /bucket/) lists; on anything longer reads an object.
  return q.has("list-type") || /^\/[^/]+\/?$/.test(url.pathname) ? "list" : "get";
}
