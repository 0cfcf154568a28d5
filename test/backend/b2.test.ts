/** The Backblaze B2 backend against a fake B2 server: the backend suite, backpak's protocol (spec §10) to the byte, bounded retries, token renewal, and errors that name what failed but never a secret. */
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { B2Backend, type B2Options } from "../../src/backend/b2.ts";
import { CachedBackend } from "../../src/backend/cache.ts";
import { CacheStore } from "../../src/backend/cache-store.ts";
import { FilterBackend } from "../../src/backend/filter.ts";
import type { RetryPolicy } from "../../src/backend/retry.ts";
import { causeChain } from "../../src/lib/errors.ts";
import { FakeB2, type FakeB2Options } from "../helpers/fake-b2.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";
import { captureWarnings } from "../helpers/warnings.ts";
import { backendSuite, ROT13 } from "./suite.ts";

cleanUpAfterThisFile();

const fakes: FakeB2[] = [];
afterAll(() => {
  for (const f of fakes) f.stop();
});
const startFake = (options: FakeB2Options = {}): FakeB2 => {
  const f = FakeB2.start(options);
  fakes.push(f);
  return f;
};

/** Six attempts with no pauses, so retry tests take no time. */
const NO_PAUSES: RetryPolicy = { attempts: 6, unitMs: 0, maxUnits: 30 };

function backendFor(fake: FakeB2, over: Partial<B2Options> = {}): B2Backend {
  return new B2Backend({
    keyId: fake.keyId,
    applicationKey: fake.applicationKey,
    bucket: fake.bucket,
    concurrentConnections: 4,
    apiUrl: fake.url,
    retry: NO_PAUSES,
    scratchDir: tempDir("b2-scratch"),
    ...over,
  });
}

const local = (content: string | Uint8Array): string => {
  const p = path.join(tempDir("b2-local"), "obj");
  fs.writeFileSync(p, content);
  return p;
};
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();
const sha1 = (data: Uint8Array | string): string => new Bun.CryptoHasher("sha1").update(data).digest("hex");

const warnings = captureWarnings();

// Each backend the suite makes gets an empty bucket of its own on one shared server.
const suiteFake = startFake();
let buckets = 0;
backendSuite("Backblaze B2 (fake)", () => {
  const bucket = `suite-${++buckets}`;
  suiteFake.addBucket(bucket);
  return backendFor(suiteFake, { bucket });
});

backendSuite("cache over a rot13 filter over Backblaze B2 (fake)", () => {
  const bucket = `suite-${++buckets}`;
  suiteFake.addBucket(bucket);
  const storage = backendFor(suiteFake, { bucket });
  const filtered = new FilterBackend(storage, ROT13, ROT13, { scratchDir: tempDir("b2-filter-scratch") });
  return { backend: new CachedBackend(filtered, CacheStore.open(tempDir("b2-cache"), 1024 ** 3)), storage };
});

test("a session authorizes with Basic auth, finds the bucket, then sends the account token", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  expect(await b2.list("packs/")).toEqual([]);
  const [authorize, buckets, list] = fake.requests;
  expect(authorize!.url.pathname).toBe("/b2api/v3/b2_authorize_account");
  expect(authorize!.headers.get("authorization")).toBe(`Basic ${btoa(`${fake.keyId}:${fake.applicationKey}`)}`);
  expect(buckets!.url.pathname).toBe("/b2api/v2/b2_list_buckets");
  expect(buckets!.url.searchParams.get("accountId")).toBe(fake.accountId);
  expect(buckets!.url.searchParams.get("bucketName")).toBe(fake.bucket);
  expect(list!.url.pathname).toBe("/b2api/v2/b2_list_file_names");
  expect([...list!.url.searchParams.keys()]).toEqual(["bucketId", "maxFileCount", "prefix"]);
  expect(list!.url.searchParams.get("maxFileCount")).toBe("10000");
  expect(list!.url.searchParams.get("prefix")).toBe("packs/");
  expect(list!.headers.get("authorization")).toMatch(/^4_fake_token_/);
  // Authorized once for everything that follows.
  await b2.list("indexes/");
  expect(fake.requestsTo("b2_authorize_account")).toHaveLength(1);
});

test("an upload sends the data then its hex SHA-1, with backpak's headers", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  const data = new Uint8Array(100_000).map((_, i) => (i * 7) % 251);
  await b2.put("packs/big.pack", local(data));
  const [upload] = fake.requestsTo("b2_upload_file");
  const h = upload!.headers;
  expect(h.get("content-length")).toBe(String(data.length + 40));
  expect(h.get("x-bz-file-name")).toBe("packs/big.pack");
  expect(h.get("content-type")).toBe("b2/x-auto");
  expect(h.get("x-bz-content-sha1")).toBe("hex_digits_at_end");
  expect(upload!.body.length).toBe(data.length + 40);
  expect(text(upload!.body.subarray(data.length))).toBe(sha1(data));
  expect(fake.objects().get("packs/big.pack")).toEqual(data);
  // Downloads go by name to the API URL, with the account token.
  expect(await b2.read("packs/big.pack")).toEqual(data);
  const [download] = fake.requestsTo("download");
  expect(download!.url.pathname).toBe(`/file/${fake.bucket}/packs/big.pack`);
  const [getUrl] = fake.requestsTo("b2_get_upload_url");
  expect(download!.headers.get("authorization")).toBe(getUrl!.headers.get("authorization")!);
  // The upload goes with the upload URL's own token, not the account's.
  expect(h.get("authorization")).toMatch(/^4_fake_token_/);
  expect(h.get("authorization")).not.toBe(getUrl!.headers.get("authorization"));
});

test("an upload URL serves one upload at a time and is reused after it succeeded", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  await b2.put("packs/1.pack", local("one"));
  await b2.put("packs/2.pack", local("two"));
  expect(fake.requestsTo("b2_get_upload_url")).toHaveLength(1);
  await Promise.all([3, 4, 5].map((n) => b2.put(`packs/${n}.pack`, local(String(n)))));
  const urls = new Set(fake.requestsTo("b2_upload_file").slice(2).map((r) => r.url.pathname));
  expect(urls.size).toBe(3);
});

test("listings page through nextFileName when there are more names than fit a page", async () => {
  const fake = startFake({ pageSize: 3 });
  const b2 = backendFor(fake);
  const keys = Array.from({ length: 8 }, (_, i) => `packs/${String(i).padStart(2, "0")}.pack`);
  for (const k of keys) await b2.put(k, local(k.repeat(2)));
  await b2.put("snapshots/s.snapshot", local("s"));
  const listed = await b2.list("packs/");
  expect(listed.map((o) => o.key).sort()).toEqual(keys);
  expect(listed.every((o) => o.size === keys[0]!.length * 2)).toBe(true);
  const pages = fake.requestsTo("b2_list_file_names");
  expect(pages.map((r) => r.url.searchParams.get("startFileName"))).toEqual([null, "packs/03.pack", "packs/06.pack"]);
});

test("names and prefixes are percent-encoded in URLs and come back intact", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  await b2.put("odd dir+&/x y#?.pack", local("odd"));
  expect(fake.requestsTo("b2_upload_file")[0]!.headers.get("x-bz-file-name")).toBe("odd dir+&/x y#?.pack");
  expect(await b2.list("odd dir+&/")).toEqual([{ key: "odd dir+&/x y#?.pack", size: 3 }]);
  expect(text(await b2.read("odd dir+&/x y#?.pack"))).toBe("odd");
  expect(fake.requestsTo("download")[0]!.url.pathname).toBe(`/file/${fake.bucket}/odd%20dir%2B%26/x%20y%23%3F.pack`);
  await b2.remove("odd dir+&/x y#?.pack");
  expect(fake.objects().size).toBe(0);
});

test("transient failures are retried, each upload attempt re-sending the whole body to a new upload URL", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  fake.failNext("b2_upload_file", 2, 500);
  fake.failNext("b2_get_upload_url", 1, 503);
  await b2.put("packs/p.pack", local("payload"));
  expect(fake.objects().get("packs/p.pack")).toEqual(new TextEncoder().encode("payload"));
  const uploads = fake.requestsTo("b2_upload_file");
  expect(uploads).toHaveLength(3);
  for (const u of uploads) expect(text(u.body)).toBe(`payload${sha1("payload")}`);
  expect(new Set(uploads.map((u) => u.url.pathname)).size).toBe(3);
  expect(warnings.filter((w) => w.endsWith(", retrying"))).toHaveLength(3);
  expect(warnings[0]).toBe("B2 request for an upload URL: HTTP 503 service_unavailable: injected failure, retrying");

  fake.failNext("download", 2, 503);
  fake.failNext("b2_list_file_names", 1, 429);
  fake.failNext("b2_list_file_versions", 1, 408);
  fake.failNext("b2_delete_file_version", 1, 500);
  expect(text(await b2.read("packs/p.pack"))).toBe("payload");
  const r = await b2.openRange("packs/p.pack");
  const buf = new Uint8Array(3);
  expect(r.readInto(buf, 2)).toBe(3);
  expect(text(buf)).toBe("ylo");
  r.close();
  expect(await b2.list("packs/")).toEqual([{ key: "packs/p.pack", size: 7 }]);
  await b2.remove("packs/p.pack");
  expect(fake.objects().size).toBe(0);
});

test("retries give up after the limit with an error naming the operation and B2's last answer", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  await b2.put("packs/p.pack", local("x"));
  fake.failNext("download", 6, 500);
  const err = await b2.read("packs/p.pack").catch((e: unknown) => e);
  expect(err).toMatchObject({ kind: "io", message: "Gave up on B2 download of packs/p.pack after 6 attempts" });
  expect(causeChain(err)[1]).toBe("B2 download of packs/p.pack: HTTP 500 internal_error: injected failure");
  expect(fake.requestsTo("download")).toHaveLength(6);
  expect(warnings).toHaveLength(5);
});

test("network errors are retried too, then reported", async () => {
  const gone = startFake();
  const url = gone.url;
  gone.stop();
  const b2 = backendFor(gone, { apiUrl: url });
  const err = await b2.list("packs/").catch((e: unknown) => e);
  expect(err).toMatchObject({ kind: "io", message: "Gave up on B2 listing of packs/ after 6 attempts" });
  expect(causeChain(err)[1]).toStartWith(`B2 authorization of key ${gone.keyId}: `);
});

test("the pauses between attempts double from the unit up to a cap, or follow a longer Retry-After", async () => {
  const { jitteredDelayMs, retryDelayMs, retryPolicyFromEnv, DEFAULT_RETRY_POLICY } = await import("../../src/backend/retry.ts");
  expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(DEFAULT_RETRY_POLICY, n))).toEqual([1000, 2000, 4000, 8000, 16000]);
  expect(retryDelayMs(DEFAULT_RETRY_POLICY, 7)).toBe(30_000);
  expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, 5)).toBe(5000);
  expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, 3600)).toBe(30_000);
  // The pause taken is jittered within the upper half, but never below Retry-After.
  expect([0, 0.5, 1].map((r) => jitteredDelayMs(DEFAULT_RETRY_POLICY, 3, 0, () => r))).toEqual([2000, 3000, 4000]);
  expect(jitteredDelayMs(DEFAULT_RETRY_POLICY, 1, 5, () => 0)).toBe(5000);
  expect(retryPolicyFromEnv("BACKPAK_B2_RETRY_MS", undefined)).toEqual(DEFAULT_RETRY_POLICY);
  expect(retryPolicyFromEnv("BACKPAK_B2_RETRY_MS", "5")).toEqual({ ...DEFAULT_RETRY_POLICY, unitMs: 5 });
  expect(() => retryPolicyFromEnv("BACKPAK_B2_RETRY_MS", "soon")).toThrow("BACKPAK_B2_RETRY_MS must be a number of milliseconds");
});

test("a missing object is not-found at once, naming the key", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  await expect(b2.read("packs/nope.pack")).rejects.toMatchObject({ kind: "not-found", message: expect.stringContaining("packs/nope.pack") });
  await expect(b2.openRange("indexes/nope.index")).rejects.toMatchObject({ kind: "not-found", message: expect.stringContaining("indexes/nope.index") });
  expect(fake.requestsTo("download")).toHaveLength(2);
  expect(warnings).toEqual([]);
});

test("remove deletes every version of its key (a retried upload leaves two); none is not-found", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  await expect(b2.remove("packs/none.pack")).rejects.toMatchObject({ kind: "not-found", message: `Couldn't find packs/none.pack in the B2 bucket ${fake.bucket}` });
  expect(fake.requestsTo("b2_delete_file_version")).toHaveLength(0);
  await b2.put("packs/twice.pack", local("same"));
  await b2.put("packs/twice.pack", local("same"));
  // A name that merely starts with the key isn't one of its versions.
  await b2.put("packs/twice.pack.old", local("other"));
  expect(fake.versions().filter((v) => v.fileName === "packs/twice.pack")).toHaveLength(2);
  await b2.remove("packs/twice.pack");
  const [versions] = fake.requestsTo("b2_list_file_versions").slice(-1);
  expect(versions!.url.searchParams.get("prefix")).toBe("packs/twice.pack");
  const deletions = fake.requestsTo("b2_delete_file_version").map((r) => JSON.parse(text(r.body)) as { fileName: string; fileId: string });
  expect(deletions.map((d) => d.fileName)).toEqual(["packs/twice.pack", "packs/twice.pack"]);
  expect(new Set(deletions.map((d) => d.fileId)).size).toBe(2);
  expect(fake.versions().map((v) => v.fileName)).toEqual(["packs/twice.pack.old"]);
});

test("a deletion whose reply was lost counts as done when the retry finds the version gone", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  await b2.put("packs/p.pack", local("x"));
  fake.loseRepliesNext("b2_delete_file_version", 1);
  await b2.remove("packs/p.pack");
  expect(fake.objects().size).toBe(0);
  expect(fake.requestsTo("b2_delete_file_version")).toHaveLength(2);
  expect(warnings).toHaveLength(1);

  // A first attempt that finds the version gone is still an error: something else deleted it.
  await b2.put("packs/q.pack", local("y"));
  const release = fake.hold("b2_delete_file_version");
  const both = [b2.remove("packs/q.pack"), b2.remove("packs/q.pack")].map((p) => p.then(() => "done", (e: unknown) => e));
  while (fake.held < 2) await Bun.sleep(1);
  release();
  const outcomes = await Promise.all(both);
  expect(outcomes.filter((o) => o === "done")).toHaveLength(1);
  expect(outcomes.find((o) => o !== "done")).toMatchObject({ message: expect.stringContaining("file_not_present") });
});

test("an expired account token is renewed once and the request sent again", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  await b2.put("packs/p.pack", local("p"));
  fake.expireTokens("account");
  expect(text(await b2.read("packs/p.pack"))).toBe("p");
  expect(fake.requestsTo("b2_authorize_account")).toHaveLength(2);
  expect(fake.requestsTo("download")).toHaveLength(2);
  expect(warnings).toEqual(["B2 download of packs/p.pack: HTTP 401 expired_auth_token: Authorization token has expired, retrying"]);
  // Several requests meeting the same expired token authorize only once more.
  fake.expireTokens("account");
  await Promise.all([b2.list("packs/"), b2.list("indexes/"), b2.read("packs/p.pack")]);
  expect(fake.requestsTo("b2_authorize_account")).toHaveLength(3);
});

test("an expired upload token gets a new upload URL", async () => {
  const fake = startFake();
  const b2 = backendFor(fake);
  await b2.put("packs/1.pack", local("1"));
  fake.expireTokens("upload");
  await b2.put("packs/2.pack", local("2"));
  expect(warnings).toEqual(["B2 upload of packs/2.pack: HTTP 401 expired_auth_token: Authorization token has expired, retrying"]);
  expect(fake.requestsTo("b2_get_upload_url")).toHaveLength(2);
  expect(fake.requestsTo("b2_authorize_account")).toHaveLength(1);
  expect([...fake.objects().keys()].sort()).toEqual(["packs/1.pack", "packs/2.pack"]);
  // Both tokens expired: the upload and the request for a new URL each renew what they need.
  fake.expireTokens("both");
  await b2.put("packs/3.pack", local("3"));
  expect(fake.objects().has("packs/3.pack")).toBe(true);
});

test("no more than concurrentConnections requests are in flight", async () => {
  const fake = startFake();
  const b2 = backendFor(fake, { concurrentConnections: 2 });
  for (let i = 0; i < 6; i++) await b2.put(`packs/${i}.pack`, local(String(i)));
  fake.maxInFlight = 0;
  const release = fake.hold("download");
  const reads = Promise.all(Array.from({ length: 6 }, (_, i) => b2.read(`packs/${i}.pack`)));
  while (fake.held < 2) await Bun.sleep(1);
  // However long the first two wait, the other four stay queued on this side.
  await Bun.sleep(50);
  expect(fake.requestsTo("download")).toHaveLength(2);
  release();
  expect((await reads).map(text)).toEqual(["0", "1", "2", "3", "4", "5"]);
  expect(fake.maxInFlight).toBe(2);
});

test("wrong credentials, a key without the needed capabilities, or a missing bucket fail at once, without showing the key", async () => {
  const fake = startFake();
  const secret = "K001ThisIsTheWrongSecretKey";
  const wrong = await backendFor(fake, { applicationKey: secret }).list("packs/").catch((e: unknown) => e);
  expect(wrong).toMatchObject({ kind: "usage", message: `B2 authorization of key ${fake.keyId}: HTTP 401 unauthorized: The applicationKeyId and/or the applicationKey are wrong.` });
  expect(fake.requestsTo("b2_authorize_account")).toHaveLength(1);

  const limited = startFake({ capabilities: ["listFiles", "readFiles"] });
  await expect(backendFor(limited).read("packs/x.pack")).rejects.toMatchObject({
    kind: "usage",
    message: `B2 key ${limited.keyId} lacks the capabilities writeFiles, deleteFiles that backpak needs`,
  });
  await expect(backendFor(fake, { bucket: "elsewhere" }).list("packs/")).rejects.toMatchObject({ kind: "not-found", message: "Couldn't find the B2 bucket elsewhere" });

  // Nothing said anywhere (errors, their causes and hints, warnings) shows a key or token.
  fake.failNext("download", 6, 500);
  const gaveUp = await backendFor(fake).read("packs/x.pack").catch((e: unknown) => e);
  const said = [...causeChain(wrong), ...causeChain(gaveUp), (wrong as { hint?: string }).hint ?? "", ...warnings].join("\n");
  expect(said).not.toContain(secret);
  expect(said).not.toContain(fake.applicationKey);
  expect(said).not.toContain("4_fake_token_");
});

test("openRange downloads into a nameless scratch file: nothing is left in the scratch directory", async () => {
  const fake = startFake();
  const scratchDir = tempDir("b2-scratch");
  const b2 = backendFor(fake, { scratchDir });
  await b2.put("packs/r.pack", local("0123456789"));
  const r = await b2.openRange("packs/r.pack");
  expect(fs.readdirSync(scratchDir)).toEqual([]);
  expect(r.size).toBe(10);
  r.close();
});
