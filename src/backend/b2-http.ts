/**
 * One HTTP exchange with Backblaze B2: sends a request while holding one of the connection permits,
 * and turns every failure into a RemoteFailure that says whether retrying can help. Messages name the
 * operation and B2's error `code` and `message`, never a header (so never a key or token).
 */
import { BackpakError, type ErrorKind } from "../lib/errors.ts";
import type { Semaphore } from "../lib/semaphore.ts";
import { RemoteFailure, type Retry } from "./retry.ts";

export interface B2Request {
  /** What the request is for, as errors say it: e.g. "B2 download of packs/x.pack". */
  readonly what: string;
  readonly url: string;
  readonly method?: "GET" | "POST";
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | ReadableStream<Uint8Array>;
  /** Follow redirects (backpak does only when authorizing and deleting; B2 gives the URLs to use). */
  readonly follow?: boolean;
}

/**
 * Sends `request` and hands the successful response to `consume`, all under one of `limit`'s permits
 * (so a download holds its connection until its body is read). A BackpakError from `consume` (local
 * I/O) passes through unchanged; anything else going wrong while reading the body is network trouble.
 */
export async function exchange<T>(limit: Semaphore, request: B2Request, consume: (response: Response) => Promise<T>): Promise<T> {
  return limit.run(async () => {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method ?? "GET",
        headers: request.headers,
        body: request.body,
        redirect: request.follow ? "follow" : "manual",
      });
    } catch (err) {
      throw new RemoteFailure(`${request.what}: ${networkMessage(err)}`, "transient");
    }
    if (!response.ok) throw await httpFailure(request.what, response);
    try {
      return await consume(response);
    } catch (err) {
      if (err instanceof BackpakError || err instanceof RemoteFailure) throw err;
      throw new RemoteFailure(`${request.what}: ${networkMessage(err)}`, "transient");
    }
  });
}

/** Reads B2's JSON error body (`{"status", "code", "message"}`) into a failure. */
async function httpFailure(what: string, response: Response): Promise<RemoteFailure> {
  const status = response.status;
  let code: string | undefined;
  let message: string | undefined;
  try {
    const body = (await response.json()) as { code?: unknown; message?: unknown };
    if (typeof body.code === "string") code = body.code;
    if (typeof body.message === "string") message = body.message;
  } catch {
    // Not JSON (a proxy's error page, or the connection dropped): the status says enough.
  }
  const said = [code, message].filter((s) => s !== undefined && s !== "").join(": ");
  const text = `${what}: HTTP ${status}${said === "" ? ` ${response.statusText}` : ` ${said}`}`.trimEnd();
  const failure = (retry: Retry, kind: ErrorKind = "io", retryAfter?: number): RemoteFailure => new RemoteFailure(text, retry, kind, retryAfter, code);
  if (status === 401 && code === "expired_auth_token") return failure("renew");
  if (status === 408 || status === 429 || status >= 500) {
    const after = Number(response.headers.get("retry-after"));
    return failure("transient", "io", Number.isFinite(after) && after > 0 ? after : undefined);
  }
  if (status === 404) return failure("never", "not-found");
  return failure("never", status === 401 ? "usage" : "io");
}

function networkMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}
