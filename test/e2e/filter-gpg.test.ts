/** `init --gpg`: a repository encrypted with a throwaway gpg key round-trips, stores no plaintext, caches plaintext privately, and a key or filter that doesn't work creates nothing. */
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, errorReport, fails, filesIn, home, objectIds, ok, tempDir } from "./harness.ts";
import { runDirsIn, scratchRootOf } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

interface Key {
  readonly gnupgHome: string;
  readonly fingerprint: string;
}

let key: Key | undefined;

/** A fresh key in a private GNUPGHOME (made once per file). Fails, never skips, without gpg: CI installs gnupg. */
function gpgKey(): Key {
  if (key) return key;
  if (Bun.which("gpg") === null) {
    throw new Error("gpg is not installed: install gnupg (e.g. `apt-get install gnupg`) to run the encrypted-repository tests");
  }
  const gnupgHome = tempDir("gnupg");
  fs.chmodSync(gnupgHome, 0o700);
  const env = { ...process.env, GNUPGHOME: gnupgHome };
  const gen = Bun.spawnSync(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "backpak-test <t@example.invalid>", "default", "default", "never"], { env, stderr: "pipe" });
  if (gen.exitCode !== 0) throw new Error(`gpg couldn't make a test key:\n${gen.stderr.toString()}`);
  const listed = Bun.spawnSync(["gpg", "--batch", "--with-colons", "--list-keys", "t@example.invalid"], { env }).stdout.toString();
  const fingerprint = listed.split("\n").find((l) => l.startsWith("fpr:"))?.split(":")[9];
  if (!fingerprint) throw new Error(`no fingerprint in gpg's listing:\n${listed}`);
  key = { gnupgHome, fingerprint };
  return key;
}

afterAll(() => {
  // gpg started an agent for the private GNUPGHOME; leave none of its daemons running.
  if (key) Bun.spawnSync(["gpgconf", "--kill", "all"], { env: { ...process.env, GNUPGHOME: key.gnupgHome } });
});

const cacheDir = (): string => path.join(home(), "xdg-cache", "backpak");
const EXT = { packs: "pack", indexes: "index", snapshots: "snapshot" } as const;
const MAGIC = { packs: "MKBAKPAK1", indexes: "MKBAKIDX1", snapshots: "MKBAKSNP" } as const;
const head = (file: string, n: number): string => fs.readFileSync(file).subarray(0, n).toString("latin1");

function expectSameFiles(want: string, got: string): void {
  const files = filesIn(want);
  expect(filesIn(got)).toEqual(files);
  for (const f of files) expect(fs.readFileSync(path.join(got, f)).equals(fs.readFileSync(path.join(want, f)))).toBe(true);
}

test("init --gpg: backup, check and restore through gpg; the repository holds ciphertext, the cache plaintext", () => {
  const { gnupgHome, fingerprint } = gpgKey();
  const opts = { env: { GNUPGHOME: gnupgHome } };
  const work = tempDir("gpg-work");
  const repo = path.join(tempDir("gpg-parent"), "repo");
  ok(cli(work, repo, ["init", "--gpg", fingerprint, "filesystem"], opts));
  const config = fs.readFileSync(path.join(repo, "config.toml"), "utf8");
  expect(config).toContain(`filter = "gpg --encrypt --quiet --recipient ${fingerprint}"`);
  expect(config).toContain('unfilter = "gpg --decrypt --quiet"');

  const src = writeSrcTree(tempDir("gpg-src"));
  ok(cli(work, repo, ["backup", src], opts));
  ok(cli(work, repo, ["check", "--read-packs"], opts));
  // Filtered and unfiltered scratch files went to the repository's scratch directory, and are gone.
  expect(fs.readdirSync(work)).toEqual([]);
  expect(runDirsIn(scratchRootOf(repo))).toEqual([]);

  for (const folder of ["packs", "indexes", "snapshots"] as const) {
    const ids = objectIds(repo, folder);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      expect(head(path.join(repo, folder, `${id}.${EXT[folder]}`), 5)).not.toBe("MKBAK");
      expect(head(path.join(cacheDir(), `${id}.${EXT[folder]}`), MAGIC[folder].length)).toBe(MAGIC[folder]);
    }
  }

  const out = tempDir("gpg-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"], opts));
  expectSameFiles(src, out);

  // With the cache gone every object is fetched and decrypted again.
  fs.rmSync(cacheDir(), { recursive: true });
  const again = tempDir("gpg-again");
  ok(cli(work, repo, ["restore", "--output", again, "LAST"], opts));
  expectSameFiles(src, again);
  for (const id of objectIds(repo, "packs")) expect(head(path.join(cacheDir(), `${id}.pack`), 9)).toBe(MAGIC.packs);
});

const modeOf = (file: string): string => (fs.statSync(file).mode & 0o777).toString(8);

/** The cache directory's mode, then each file in it with its mode. */
function cacheModes(): string[] {
  const dir = cacheDir();
  return [modeOf(dir), ...fs.readdirSync(dir).map((f) => `${f} ${modeOf(path.join(dir, f))}`)];
}

test("init --gpg: the cache holding plaintext is 0700 with 0600 files, and one made looser before is tightened", () => {
  const { gnupgHome, fingerprint } = gpgKey();
  const opts = { env: { GNUPGHOME: gnupgHome } };
  const work = tempDir("gpg-private-work");
  const repo = path.join(tempDir("gpg-private-parent"), "repo");
  fs.rmSync(cacheDir(), { recursive: true, force: true });
  ok(cli(work, repo, ["init", "--gpg", fingerprint, "filesystem"], opts));
  ok(cli(work, repo, ["backup", writeSrcTree(tempDir("gpg-private-src"))], opts));
  const expectPrivate = (modes: string[]): void => {
    expect(modes[0]).toBe("700");
    expect(modes).toContain("cache_metadata.sqlite 600");
    expect(modes.some((m) => m.endsWith(".pack 600"))).toBe(true);
    // Besides the files, only the scratch directories, private too.
    expect(modes.slice(1).filter((m) => !m.endsWith(" 600"))).toEqual(["scratch 700"]);
  };
  expectPrivate(cacheModes());

  // A cache directory made (by an older version, so without scratch) readable by everyone is tightened on the next open.
  fs.chmodSync(cacheDir(), 0o755);
  for (const f of fs.readdirSync(cacheDir())) if (f !== "scratch") fs.chmodSync(path.join(cacheDir(), f), 0o644);
  ok(cli(work, repo, ["snapshots"], opts));
  expectPrivate(cacheModes());
});

test("init --gpg with a key gpg doesn't have fails and creates nothing", () => {
  const { gnupgHome } = gpgKey();
  const work = tempDir("gpg-work");
  const repo = path.join(tempDir("gpg-parent"), "repo");
  // A fingerprint, not an e-mail address, so gpg doesn't go looking for the key on the network.
  const unknown = "0123456789ABCDEF0123456789ABCDEF01234567";
  const r = fails(cli(work, repo, ["init", "--gpg", unknown, "filesystem"], { env: { GNUPGHOME: gnupgHome } }));
  expect(errorReport(r)).toContain(`gpg --encrypt --quiet --recipient ${unknown} failed with code 2`);
  expect(fs.existsSync(repo)).toBe(false);
});

test("init --gpg with a user ID quotes it for the shell", () => {
  const { gnupgHome } = gpgKey();
  const work = tempDir("gpg-work");
  const repo = path.join(tempDir("gpg-parent"), "repo");
  // The key is in the keyring, so gpg finds it by user ID without looking anywhere else.
  ok(cli(work, repo, ["init", "--gpg", "backpak-test <t@example.invalid>", "filesystem"], { env: { GNUPGHOME: gnupgHome } }));
  expect(fs.readFileSync(path.join(repo, "config.toml"), "utf8")).toContain(`filter = "gpg --encrypt --quiet --recipient 'backpak-test <t@example.invalid>'"`);
});

/** A directory holding a stand-in `gpg` script, to put first on PATH. */
function fakeGpg(script: string): string {
  const bin = tempDir("fake-gpg");
  fs.writeFileSync(path.join(bin, "gpg"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`;
}

test("a filter pair that doesn't round trip is refused before anything is created", () => {
  const PATH = fakeGpg('case "$*" in *--encrypt*) tr a-z A-Z ;; *) cat ;; esac');
  const work = tempDir("fake-work");
  const repo = path.join(tempDir("fake-parent"), "repo");
  const r = fails(cli(work, repo, ["init", "--gpg", "k", "filesystem"], { env: { PATH } }));
  expect(errorReport(r)).toContain("filter didn't round trip!");
  expect(errorReport(r)).toContain("Expected:");
  expect(errorReport(r)).toContain("Got:");
  expect(fs.existsSync(repo)).toBe(false);
});

test("a failing unfilter shows its stderr and creates nothing, also into an existing empty directory", () => {
  const PATH = fakeGpg('case "$*" in *--encrypt*) cat ;; *) echo "gpg: decryption failed: No secret key" >&2; exit 2 ;; esac');
  const work = tempDir("fake-work");
  const repo = tempDir("fake-repo");
  const r = fails(cli(work, repo, ["init", "--gpg", "k", "filesystem"], { env: { PATH } }));
  expect(errorReport(r)).toContain("gpg --decrypt --quiet failed with code 2");
  expect(errorReport(r)).toContain("No secret key");
  expect(fs.readdirSync(repo)).toEqual([]);
});
