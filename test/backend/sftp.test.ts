/**
 * The SFTP backend against a real OpenSSH server: the backend suite, host keys that are unknown or
 * changed refused, atomic uploads whose server dies midway leaving no object, and rename's fallback
 * for servers without posix-rename@openssh.com.
 */
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { CachedBackend } from "../../src/backend/cache.ts";
import { CacheStore } from "../../src/backend/cache-store.ts";
import { FilterBackend } from "../../src/backend/filter.ts";
import { SftpBackend, type SftpOptions } from "../../src/backend/sftp.ts";
import { SftpClient } from "../../src/backend/sftp-client.ts";
import { SftpSession } from "../../src/backend/sftp-session.ts";
import { causeChain } from "../../src/lib/errors.ts";
import { sshdsForThisFile } from "../helpers/servers-for-this-file.ts";
import { sshClient, type Sshd } from "../helpers/sshd.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";
import { backendSuite, ROT13 } from "./suite.ts";

cleanUpAfterThisFile();

const start = sshdsForThisFile();
const sshd = await start();

/** Every backend made here, so their ssh processes end with the file. */
const made: SftpBackend[] = [];
afterAll(async () => {
  for (const b of made) await b.close();
});
const backend = (o: SftpOptions): SftpBackend => {
  const b = new SftpBackend(o);
  made.push(b);
  return b;
};

/** Options reaching `root` on `server` (default: the ordinary one). */
function options(root: string, server: Sshd = sshd, over: Partial<SftpOptions> = {}): SftpOptions {
  return { host: "127.0.0.1", port: server.port, user: server.user, identity: server.identity, command: server.command, path: root, scratchDir: tempDir("sftp-scratch"), ...over };
}

/** A new repository directory on the server, with its object folders. */
async function fresh(): Promise<SftpBackend> {
  const b = backend(options(path.join(tempDir("sftp-server"), "repo")));
  await b.create();
  return b;
}

backendSuite("sftp", fresh);

backendSuite("cache over a rot13 filter over sftp", async () => {
  const storage = await fresh();
  const filtered = new FilterBackend(storage, ROT13, ROT13, { scratchDir: tempDir("sftp-filter-scratch") });
  return { backend: new CachedBackend(filtered, CacheStore.open(tempDir("sftp-cache"), 1024 ** 3)), storage };
});

const local = (content: string | Uint8Array): string => {
  const p = path.join(tempDir("sftp-local"), "obj");
  fs.writeFileSync(p, content);
  return p;
};

test("create makes the directory with its parents and the object folders, and refuses a directory that isn't empty", async () => {
  const root = path.join(tempDir("sftp-create"), "a", "b");
  const b = backend(options(root));
  await b.create();
  expect(fs.readdirSync(root).sort()).toEqual(["indexes", "locks", "packs", "snapshots"]);
  await expect(backend(options(root)).create()).rejects.toMatchObject({ kind: "conflict", message: `The directory ${root} on 127.0.0.1 already exists and isn't empty` });
});

test("an unknown host key is refused, never trusted, with an error that says to check the key", async () => {
  const root = path.join(tempDir("sftp-unknown"), "repo");
  const unknown = sshClient(tempDir("sftp-client"), "");
  const err = await backend(options(root, sshd, { command: unknown.command })).create().catch((e: unknown) => e);
  expect(err).toMatchObject({ kind: "io", message: `Couldn't create the directories in SFTP repository ${sshd.user}@127.0.0.1:${root}` });
  expect(causeChain(err).join("\n")).toContain(`Couldn't connect to SFTP repository ${sshd.user}@127.0.0.1:${root}: ssh exited with status 255`);
  expect(causeChain(err).join("\n")).toContain("Host key verification failed.");
  expect((err as { hint: string }).hint).toContain("the server's host key is unknown or has changed, and backpak never accepts one by itself");
  expect(fs.readFileSync(unknown.knownHosts, "utf8")).toBe("");
  expect(fs.existsSync(root)).toBe(false);
});

test("a changed host key is refused", async () => {
  const root = path.join(tempDir("sftp-changed"), "repo");
  // Another key than the server's, under its name.
  const otherKey = fs.readFileSync(`${sshd.identity}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
  const changed = sshClient(tempDir("sftp-client"), `[127.0.0.1]:${sshd.port} ${otherKey}\n`);
  const err = await backend(options(root, sshd, { command: changed.command })).create().catch((e: unknown) => e);
  expect(causeChain(err).join("\n")).toContain("REMOTE HOST IDENTIFICATION HAS CHANGED");
  expect((err as { hint: string }).hint).toContain("host key is unknown or has changed");
  expect(fs.existsSync(root)).toBe(false);
});

test("a server that dies mid-upload fails the put with ssh's word and leaves no object; the session then stays failed", async () => {
  const b = await fresh();
  const server = await start();
  const viaServer = backend(options(b.options.path, server));
  await viaServer.list("packs/"); // connected
  // Frozen, the server can't finish the upload before it is killed.
  server.signalConnections("SIGSTOP");
  const src = local(new Uint8Array(1 << 20).map((_, i) => i % 251));
  const put = viaServer.put("packs/big.pack", src).catch((e: unknown) => e);
  server.signalConnections("SIGKILL");
  const err = await put;
  const repo = `SFTP repository ${sshd.user}@127.0.0.1:${b.options.path}`;
  expect(err).toMatchObject({ kind: "io", message: `Couldn't store packs/big.pack in ${repo}` });
  expect(causeChain(err)[1]).toBe(`Lost the connection to ${repo}: ssh exited with status 255`);
  expect((err as { hint: string }).hint).toContain("couldn't reach the SSH server");
  // The local file is kept for another try; nothing was stored under the key.
  expect(fs.existsSync(src)).toBe(true);
  expect(await b.list("packs/")).toEqual([]);
  await expect(viaServer.list("packs/")).rejects.toMatchObject({ kind: "io", message: `Couldn't list packs/ in ${repo}` });
});

test("a server that can't write a file (here: past a size limit) fails the put and stores nothing under the key", async () => {
  const b = await fresh();
  const limited = await start({ fileSizeLimit: 100 * 1024 });
  const src = local(new Uint8Array(1 << 20));
  const err = await backend(options(b.options.path, limited)).put("packs/big.pack", src).catch((e: unknown) => e);
  expect(err).toMatchObject({ kind: "io", message: `Couldn't store packs/big.pack in SFTP repository ${sshd.user}@127.0.0.1:${b.options.path} (${b.options.path}/packs/big.pack)` });
  expect(causeChain(err)[1]).toBe("The SFTP server couldn't write a file: Failure");
  expect(await b.list("packs/")).toEqual([]);
});

test("a server that answers with something other than SFTP (a chatty shell startup file) fails with a protocol error and advice", async () => {
  const root = path.join(tempDir("sftp-chatty"), "repo");
  const chatty = backend(options(root, sshd, { command: "sh -c 'printf \"unlimited\\n\"; exec cat >/dev/null' sh" }));
  const err = await chatty.create().catch((e: unknown) => e);
  expect(causeChain(err)[1]).toBe("SFTP protocol error: the server sent a packet of 1970170985 bytes");
  expect((err as { hint: string }).hint).toContain("shell startup files (such as ~/.bashrc) print text");
});

test("rename replaces an existing file with plain RENAME when the server doesn't offer posix-rename", async () => {
  const b = await fresh();
  const session = await SftpSession.start(options(b.options.path), "the test server");
  expect(session.extensions.has("posix-rename@openssh.com")).toBe(true);
  session.extensions = new Map([...session.extensions].filter(([name]) => name !== "posix-rename@openssh.com"));
  const client = new SftpClient(session);
  const dir = path.join(b.options.path, "packs");
  fs.writeFileSync(path.join(dir, "old"), "old");
  fs.writeFileSync(path.join(dir, "new"), "new");
  await client.rename(path.join(dir, "new"), path.join(dir, "old"));
  expect(fs.readdirSync(dir)).toEqual(["old"]);
  expect(fs.readFileSync(path.join(dir, "old"), "utf8")).toBe("new");
  await session.close();
});
