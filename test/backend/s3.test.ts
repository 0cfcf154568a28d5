/**
 * The S3 backend against a real S3 server (s3rver), directly and through a fault-injecting proxy:
 * the backend suite, uploads in parts, paged listings, key prefixes, bounded retries of transient
 * failures, permanent failures at once, the connection limit, and errors that never show a secret.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { CachedBackend } from "../../src/backend/cache.ts";
import { CacheStore } from "../../src/backend/cache-store.ts";
import { FilterBackend } from "../../src/backend/filter.ts";
import type { RetryPolicy } from "../../src/backend/retry.ts";
import { S3Backend, s3Place } from "../../src/backend/s3.ts";
import { bucketEndpoint, PART_SIZE } from "../../src/backend/s3-client.ts";
import type { S3BackendConfig } from "../../src/format/s3-config.ts";
import { causeChain } from "../../src/lib/errors.ts";
import { FaultProxy } from "../helpers/fault-proxy.ts";
import { S3RVER_KEY_ID, S3RVER_SECRET } from "../helpers/s3-server.ts";
import { s3ServerForThisFile } from "../helpers/servers-for-this-file.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";
import { captureWarnings } from "../helpers/warnings.ts";
import { backendSuite, ROT13 } from "./suite.ts";

cleanUpAfterThisFile();

const server = await s3ServerForThisFile();

/** Six attempts with no pauses, so retry tests take no time. */
const NO_PAUSES: RetryPolicy = { attempts: 6, unitMs: 0, maxUnits: 30 };

let buckets = 0;
/** A backend on a new empty bucket, talking to `endpoint` (the server, or a proxy in front of it). */
function backendFor(endpoint: string, over: Partial<S3BackendConfig> = {}, secret = S3RVER_SECRET): S3Backend {
  const bucket = `bucket-${++buckets}`;
  server.addBucket(bucket);
  const config: S3BackendConfig = { type: "S3", bucket, endpoint, pathStyle: true, concurrentConnections: 4, ...over };
  return new S3Backend({ config, credentials: { accessKeyId: S3RVER_KEY_ID, secretAccessKey: secret }, retry: NO_PAUSES, scratchDir: tempDir("s3-scratch") });
}

const local = (content: string | Uint8Array): string => {
  const p = path.join(tempDir("s3-local"), "obj");
  fs.writeFileSync(p, content);
  return p;
};
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();

const warnings = captureWarnings();

/** s3rver writes an object in place (real S3 doesn't), so a listing may see it half-written. */
const S3RVER_LIMITS = { nonAtomicPuts: "s3rver writes objects in place, where S3 itself swaps them in whole" };
// Sixteen connections, as many as the suite's concurrent writes.
backendSuite("S3 (s3rver)", () => backendFor(server.url, { concurrentConnections: 16 }), S3RVER_LIMITS);

backendSuite("cache over a rot13 filter over S3 (s3rver)", () => {
  const storage = backendFor(server.url, { concurrentConnections: 16 });
  const filtered = new FilterBackend(storage, ROT13, ROT13, { scratchDir: tempDir("s3-filter-scratch") });
  return { backend: new CachedBackend(filtered, CacheStore.open(tempDir("s3-cache"), 1024 ** 3)), storage };
}, S3RVER_LIMITS);

test("a file larger than a part uploads in parts, one at a time; a small one in one request", async () => {
  const proxy = await FaultProxy.start(server.url);
  const s3 = backendFor(proxy.url);
  const data = Uint8Array.from({ length: 2 * PART_SIZE + 1000 }, (_, i) => (i * 13) % 256);
  await s3.put("packs/big.pack", local(data));
  expect(proxy.requests.map((r) => r.kind)).toEqual(["create-multipart", "part", "part", "part", "complete-multipart"]);
  expect(proxy.maxInFlight).toBe(1);
  expect(Buffer.from(await s3.read("packs/big.pack")).equals(data)).toBe(true);
  proxy.requests.length = 0;
  await s3.put("packs/small.pack", local("small"));
  expect(proxy.requests.map((r) => r.kind)).toEqual(["put"]);
});

test("listings page through continuation tokens, 1,000 keys a page", async () => {
  const proxy = await FaultProxy.start(server.url);
  const s3 = backendFor(proxy.url);
  const keys = Array.from({ length: 2100 }, (_, i) => `snapshots/${String(i).padStart(4, "0")}.snapshot`);
  for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => s3.put(k, local("s"))));
  proxy.requests.length = 0;
  expect((await s3.list("snapshots/")).map((o) => o.key).sort()).toEqual(keys);
  const pages = proxy.requestsOf("list").map((r) => r.url.searchParams);
  expect(pages.map((q) => q.has("continuation-token"))).toEqual([false, true, true]);
  expect(pages.every((q) => q.get("prefix") === "snapshots/" && q.get("max-keys") === "1000")).toBe(true);
});

test("with a prefix, objects live under it and listings show keys without it", async () => {
  const s3 = backendFor(server.url, { prefix: "backups/laptop" });
  await s3.put("packs/p.pack", local("p"));
  await s3.put("indexes/i.index", local("i"));
  const bucket = s3.options.config.bucket;
  expect(server.keys(bucket)).toEqual(["backups/laptop/indexes/i.index", "backups/laptop/packs/p.pack"]);
  expect(await s3.list("packs/")).toEqual([{ key: "packs/p.pack", size: 1 }]);
  expect(text(await s3.read("packs/p.pack"))).toBe("p");
  // Another repository in the same bucket, under another prefix, is out of sight.
  const other = new S3Backend({ ...s3.options, config: { ...s3.options.config, prefix: "backups/desktop" } });
  expect(await other.list("packs/")).toEqual([]);
  await s3.remove("packs/p.pack");
  expect(server.keys(bucket)).toEqual(["backups/laptop/indexes/i.index"]);
  expect(s3.description).toBe(`S3 bucket ${bucket} under backups/laptop/ at ${server.url}`);
});

test("throttling, server errors, a reset mid-upload and lost replies are retried, and the work is done once", async () => {
  const proxy = await FaultProxy.start(server.url);
  const s3 = backendFor(proxy.url);
  proxy.inject("put", { status: 503, code: "SlowDown" }, 2);
  await s3.put("packs/p.pack", local("payload"));
  expect(proxy.requestsOf("put")).toHaveLength(3);
  expect(warnings).toEqual(["S3 upload of packs/p.pack: SlowDown (injected SlowDown), retrying", "S3 upload of packs/p.pack: SlowDown (injected SlowDown), retrying"]);

  warnings.length = 0;
  // Bun itself sends a request again once when a kept-alive connection drops it; a second reset is ours to retry.
  proxy.inject("part", "reset", 2);
  const big = new Uint8Array(PART_SIZE + 10).fill(9);
  await s3.put("packs/big.pack", local(big));
  // Bun aborted the failed multipart upload before the retry started a new one.
  expect(proxy.requests.map((r) => r.kind).slice(3)).toEqual(["create-multipart", "part", "part", "abort-multipart", "create-multipart", "part", "part", "complete-multipart"]);
  expect(warnings).toEqual(["S3 upload of packs/big.pack: ConnectionClosed (the connection closed before the reply), retrying"]);
  expect(Buffer.from(await s3.read("packs/big.pack")).equals(big)).toBe(true);

  proxy.inject("get", { status: 500, code: "InternalError" });
  proxy.inject("get", { status: 502 });
  expect(text(await s3.read("packs/p.pack"))).toBe("payload");
  proxy.inject("get", "lose-reply");
  const r = await s3.openRange("packs/p.pack");
  expect(r.size).toBe(7);
  r.close();
  proxy.inject("list", { status: 503, code: "ServiceUnavailable" });
  expect((await s3.list("packs/")).map((o) => o.key).sort()).toEqual(["packs/big.pack", "packs/p.pack"]);
  proxy.inject("put", "lose-reply");
  await s3.put("packs/q.pack", local("q"));
  // The deletion went through; only its reply was lost. The retry finds nothing to do and succeeds.
  proxy.inject("delete", "lose-reply");
  await s3.remove("packs/p.pack");
  expect(proxy.requestsOf("delete")).toHaveLength(2);
  expect(server.keys(s3.options.config.bucket)).toEqual(["packs/big.pack", "packs/q.pack"]);
});

test("a request that stalls is given up and retried", async () => {
  const proxy = await FaultProxy.start(server.url);
  const s3 = new S3Backend({ ...backendFor(proxy.url).options, stallMs: 200 });
  await s3.put("packs/p.pack", local("payload"));
  proxy.inject("get", "hang");
  expect(text(await s3.read("packs/p.pack"))).toBe("payload");
  proxy.inject("list", "hang");
  expect(await s3.list("packs/")).toEqual([{ key: "packs/p.pack", size: 7 }]);
  proxy.inject("put", "hang");
  await s3.put("packs/q.pack", local("q"));
  expect(warnings).toEqual([
    "S3 download of packs/p.pack: Timeout (no progress for 0.2 s), retrying",
    "S3 listing of packs/: Timeout (no progress for 0.2 s), retrying",
    "S3 upload of packs/q.pack: Timeout (no progress for 0.2 s), retrying",
  ]);
  expect(server.keys(s3.options.config.bucket)).toEqual(["packs/p.pack", "packs/q.pack"]);
});

test("retries are bounded: the last failure is reported naming the object", async () => {
  const proxy = await FaultProxy.start(server.url);
  const s3 = backendFor(proxy.url);
  proxy.inject("put", { status: 503, code: "SlowDown" }, 100);
  const err = await s3.put("packs/p.pack", local("x")).catch((e: unknown) => e);
  expect(err).toMatchObject({ kind: "io", message: "Gave up on S3 upload of packs/p.pack after 6 attempts" });
  expect((err as { hint: string }).hint).toBe(`The S3 bucket ${s3.options.config.bucket} at ${proxy.url} or the network to it is having trouble; try again later (an interrupted backup resumes)`);
  expect(causeChain(err)[1]).toBe("S3 upload of packs/p.pack: SlowDown (injected SlowDown)");
  expect(proxy.requestsOf("put")).toHaveLength(6);
  expect(warnings).toHaveLength(5);
  expect(server.keys(s3.options.config.bucket)).toEqual([]);
});

test("permanent failures fail at once: access denied, wrong credentials, a missing bucket, an unreachable endpoint", async () => {
  const proxy = await FaultProxy.start(server.url);
  const s3 = backendFor(proxy.url);
  proxy.inject("put", { status: 403, code: "AccessDenied" });
  await expect(s3.put("packs/p.pack", local("x"))).rejects.toMatchObject({
    kind: "usage",
    message: "S3 upload of packs/p.pack: AccessDenied (injected AccessDenied)",
    hint: expect.stringContaining(`may list, get, put and delete objects in ${s3.options.config.bucket}`),
  });
  expect(proxy.requestsOf("put")).toHaveLength(1);

  const stranger = new S3Backend({ ...s3.options, credentials: { accessKeyId: "NOBODY", secretAccessKey: "x" } });
  await expect(stranger.list("packs/")).rejects.toMatchObject({ kind: "usage", message: expect.stringContaining("S3 listing of packs/: InvalidAccessKeyId") });

  const nowhere = new S3Backend({ ...s3.options, config: { ...s3.options.config, bucket: "no-such-bucket" } });
  await expect(nowhere.read("packs/p.pack")).rejects.toMatchObject({ kind: "not-found", message: `S3 download of packs/p.pack: there is no bucket no-such-bucket at ${proxy.url}` });
  await expect(nowhere.put("packs/p.pack", local("x"))).rejects.toMatchObject({ kind: "not-found", message: expect.stringContaining("no bucket no-such-bucket") });

  const closed = await FaultProxy.start(server.url);
  closed.stop();
  const unreachable = backendFor(closed.url);
  await expect(unreachable.list("packs/")).rejects.toMatchObject({
    kind: "usage",
    message: `S3 listing of packs/: couldn't reach ${closed.url}: the connection was refused`,
    hint: expect.stringContaining("check the bucket, endpoint, region and path_style"),
  });
  expect(warnings).toEqual([]);
});

test("no secret shows in errors, hints or warnings", async () => {
  const proxy = await FaultProxy.start(server.url);
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
  const s3 = backendFor(proxy.url, {}, secret);
  proxy.inject(() => true, { status: 503, code: "SlowDown" }, 2);
  proxy.inject(() => true, { status: 403, code: "SignatureDoesNotMatch" });
  const err = await s3.put("packs/p.pack", local("x")).catch((e: unknown) => e);
  const told = [...causeChain(err), (err as { hint?: string }).hint ?? "", ...warnings, s3.description].join("\n");
  expect(told).toContain("packs/p.pack");
  expect(told).not.toContain(secret);
  // What went over the wire was a signature, not the key.
  expect(proxy.requests.every((r) => !JSON.stringify(r.headers).includes(secret))).toBe(true);
});

test("no more than concurrentConnections requests are in flight", async () => {
  const proxy = await FaultProxy.start(server.url);
  const s3 = backendFor(proxy.url, { concurrentConnections: 2 });
  await Promise.all(Array.from({ length: 12 }, (_, i) => s3.put(`packs/${i}.pack`, local(new Uint8Array(200_000).fill(i)))));
  await Promise.all(Array.from({ length: 12 }, (_, i) => s3.read(`packs/${i}.pack`)));
  expect(proxy.requests).toHaveLength(24);
  expect(proxy.maxInFlight).toBe(2);
});

test("without path-style addressing the bucket is the endpoint's host name", async () => {
  const vhost = `http://s3.localhost:${new URL(server.url).port}`;
  const proxy = await FaultProxy.start(server.url);
  const s3 = backendFor(`http://s3.localhost:${new URL(proxy.url).port}`, { pathStyle: false });
  await s3.put("packs/v.pack", local("vhost"));
  const bucket = s3.options.config.bucket;
  expect(proxy.requests.map((r) => [r.headers.host, r.url.pathname])).toEqual([[`${bucket}.s3.localhost:${new URL(proxy.url).port}`, "/packs/v.pack"]]);
  expect(server.keys(bucket)).toEqual(["packs/v.pack"]);
  const direct = new S3Backend({ ...s3.options, config: { ...s3.options.config, endpoint: vhost } });
  expect(await direct.list("packs/")).toEqual([{ key: "packs/v.pack", size: 5 }]);
  expect(text(await direct.read("packs/v.pack"))).toBe("vhost");
  await direct.remove("packs/v.pack");
  expect(server.keys(bucket)).toEqual([]);
});

test("the endpoint defaults to AWS's for the region; without --path-style the bucket is in the host name", () => {
  const config: S3BackendConfig = { type: "S3", bucket: "b", pathStyle: false, concurrentConnections: 4 };
  expect(s3Place(config, {})).toEqual({ endpoint: "https://s3.us-east-1.amazonaws.com", bucket: "b", region: "us-east-1", pathStyle: false });
  expect(s3Place(config, { AWS_REGION: "eu-west-3" }).endpoint).toBe("https://s3.eu-west-3.amazonaws.com");
  expect(s3Place({ ...config, region: "ap-south-1" }, { AWS_REGION: "eu-west-3" }).region).toBe("ap-south-1");
  expect(bucketEndpoint(s3Place(config, {}))).toBe("https://b.s3.us-east-1.amazonaws.com");
  expect(bucketEndpoint(s3Place({ ...config, endpoint: "http://127.0.0.1:9000/", pathStyle: true }, {}))).toBe("http://127.0.0.1:9000");
});
