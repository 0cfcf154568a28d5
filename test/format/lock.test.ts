/** Lock objects: the JSON round trip, IDs that follow the bytes, and clear errors for bytes that aren't a lock. */
import { expect, test } from "bun:test";
import { decodeLock, encodeLock, type Lock } from "../../src/format/lock.ts";
import { hashId } from "../../src/kernels/sha224.ts";

const lock: Lock = { host: "nas", pid: 4242, user: "ann", command: "backup", exclusive: false, created: Date.UTC(2026, 0, 2, 3, 4, 5, 6), refreshed: Date.UTC(2026, 0, 2, 3, 9, 5, 6) };
const text = (l: Lock): string => new TextDecoder().decode(encodeLock(l));
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test("a lock is one line of JSON with every field, times in ISO-8601 UTC, and decodes to itself", () => {
  expect(text(lock)).toBe(
    '{"version":1,"host":"nas","pid":4242,"user":"ann","command":"backup","exclusive":false,"created":"2026-01-02T03:04:05.006Z","refreshed":"2026-01-02T03:09:05.006Z"}\n',
  );
  expect(decodeLock(encodeLock(lock), "locks/x")).toEqual(lock);
  const exclusive = { ...lock, exclusive: true, command: "prune" };
  expect(decodeLock(encodeLock(exclusive), "locks/x")).toEqual(exclusive);
});

test("equal locks get equal IDs, a refresh a new one", () => {
  expect(hashId(encodeLock({ ...lock }))).toBe(hashId(encodeLock(lock)));
  expect(hashId(encodeLock({ ...lock, refreshed: lock.refreshed + 1 }))).not.toBe(hashId(encodeLock(lock)));
});

test("bytes that aren't a lock are refused, naming the object and what is wrong", () => {
  const good = JSON.parse(text(lock)) as Record<string, unknown>;
  const bad = (change: Record<string, unknown>): Uint8Array => bytes(JSON.stringify({ ...good, ...change }));
  expect(() => decodeLock(bytes("not json"), "locks/a")).toThrow("locks/a isn't a lock: not UTF-8 JSON");
  expect(() => decodeLock(Uint8Array.of(0xff, 0xfe), "locks/a")).toThrow("not UTF-8 JSON");
  expect(() => decodeLock(bytes("[1]"), "locks/a")).toThrow("not a JSON object");
  expect(() => decodeLock(bad({ version: 2 }), "locks/a")).toThrow("version 2, expected 1");
  expect(() => decodeLock(bad({ pid: -1 }), "locks/a")).toThrow('"pid" should be a positive integer');
  expect(() => decodeLock(bad({ pid: "12" }), "locks/a")).toThrow('"pid" should be a positive integer');
  expect(() => decodeLock(bad({ host: 3 }), "locks/a")).toThrow('"host" should be a string');
  expect(() => decodeLock(bad({ exclusive: "yes" }), "locks/a")).toThrow('"exclusive" should be true or false');
  expect(() => decodeLock(bad({ refreshed: "yesterday" }), "locks/a")).toThrow('"refreshed" should be an ISO-8601 time');
});
