/** config.toml and backpak.toml: round trips, defaults, and errors that name the file. */
import { expect, test } from "bun:test";
import { parseRepoConfig, parseRepoConfigKeys, serializeRepoConfig, type RepoConfig } from "../../src/format/repo-config.ts";
import { DEFAULT_USER_CONFIG, parseUserConfig } from "../../src/format/user-config.ts";

test("repository config round-trips, with the pack size as a byte-size string", () => {
  const c: RepoConfig = { packSize: 64 * 2 ** 20, filter: { filter: "gpg -e", unfilter: "gpg -d" }, backend: { type: "Filesystem", forceCache: false } };
  const text = serializeRepoConfig(c);
  expect(text).toContain('pack_size = "64 MiB"');
  expect(parseRepoConfig(text, "x/config.toml")).toEqual(c);
  expect(parseRepoConfig('[backend]\ntype = "Filesystem"\nforce_cache = false\n', "c").packSize).toBe(100_000_000);
});

test("repository config errors name the file", () => {
  expect(() => parseRepoConfig('filter = "x"\n[backend]\ntype = "Filesystem"\nforce_cache = false\n', "r/config.toml")).toThrow(
    "r/config.toml: config should set filter and unfilter or neither.",
  );
  expect(() => parseRepoConfig("pack_size = 5\n", "r/config.toml")).toThrow(/r\/config.toml: pack_size must be a string/);
  expect(() => parseRepoConfig("= broken", "r/config.toml")).toThrow("Couldn't parse r/config.toml");
  // A pack size with a flipped bit ("M" became "L").
  expect(() => parseRepoConfig('pack_size = "1 LiB"\n[backend]\ntype = "Filesystem"\nforce_cache = false\n', "r/config.toml")).toThrow(
    'r/config.toml: pack_size = "1 LiB" is not a byte size such as "100 MB"',
  );
});

test("an SFTP repository config round-trips, its optional fields left out when unset, and refuses hosts that would read as ssh options", () => {
  const full: RepoConfig = {
    packSize: 100_000_000,
    backend: { type: "SFTP", host: "example.com", path: "/srv/backpak", user: "backup", port: 2222, identity: "/home/me/.ssh/id_backup", command: "ssh -F '/my config'" },
  };
  expect(parseRepoConfig(serializeRepoConfig(full), "c")).toEqual(full);
  const bare: RepoConfig = { packSize: 100_000_000, backend: { type: "SFTP", host: "nas", path: "backups" } };
  expect(serializeRepoConfig(bare)).toBe('pack_size = "100 MB"\n\n[backend]\ntype = "SFTP"\nhost = "nas"\npath = "backups"\n');
  expect(parseRepoConfig(serializeRepoConfig(bare), "c")).toEqual(bare);
  const sftp = (fields: string): (() => RepoConfig) => () => parseRepoConfig(`[backend]\ntype = "SFTP"\n${fields}\n`, "r.toml");
  expect(sftp('host = "-oProxyCommand=x"\npath = "/p"')).toThrow('r.toml: backend.host must not start with "-"');
  expect(sftp('host = "h"\nuser = "-x"\npath = "/p"')).toThrow('r.toml: backend.user must not start with "-"');
  expect(sftp('host = "h"')).toThrow("r.toml: backend.path must be a non-empty string");
  expect(sftp('host = "h"\npath = "/p"\nport = 70000')).toThrow("r.toml: backend.port must be a whole number from 1 to 65535");
});

test("user config: defaults and fields", () => {
  expect(parseUserConfig("", "u")).toEqual(DEFAULT_USER_CONFIG);
  const c = parseUserConfig('cache_size = "2 GiB"\nskips = ["a", "b"]\n[backup]\ndereference = true\n[restore]\noutput = "/o"\n', "u");
  expect(c).toEqual({ cacheSize: 2 * 2 ** 30, skips: ["a", "b"], backup: { ...DEFAULT_USER_CONFIG.backup, dereference: true }, restore: { output: "/o" } });
  const excludes = parseUserConfig(
    '[backup]\nexcludes = ["*.o"]\niexcludes = ["*.JPG"]\nexclude_files = ["x.txt", "/abs/y.txt"]\nexclude_if_present = [".nobackup"]\nexclude_caches = true\none_file_system = true\nskip_unreadable = true\n',
    "/home/me/.config/backpak.toml",
  );
  expect(excludes.backup).toEqual({
    dereference: false,
    excludes: ["*.o"],
    iexcludes: ["*.JPG"],
    excludeFiles: ["/home/me/.config/x.txt", "/abs/y.txt"],
    excludeIfPresent: [".nobackup"],
    excludeCaches: true,
    oneFileSystem: true,
    skipUnreadable: true,
  });
  expect(() => parseUserConfig("[backup]\nexcludes = \"*.o\"", "u.toml")).toThrow("u.toml: backup.excludes must be a list of strings");
  expect(() => parseUserConfig("[backup]\nexclude_caches = 1", "u.toml")).toThrow("u.toml: backup.exclude_caches must be true or false");
  expect(() => parseUserConfig("skips = 3", "home/.config/backpak.toml")).toThrow("home/.config/backpak.toml: skips must be a list of strings");
});

test("repository config keys nothing reads are listed, dotted, so a misspelt or damaged name shows", () => {
  const fsConfig = 'pack_size = "1 MiB"\n[backend]\ntype = "Filesystem"\nforce_cache = false\n';
  expect(parseRepoConfigKeys(fsConfig, "c").ignored).toEqual([]);
  expect(parseRepoConfigKeys(fsConfig.replace("pack_size", "pack_skze"), "c")).toEqual({ config: { packSize: 100_000_000, backend: { type: "Filesystem", forceCache: false } }, ignored: ["pack_skze"] });
  expect(parseRepoConfigKeys(`${fsConfig}force_cahce = true\n`, "c").ignored).toEqual(["backend.force_cahce"]);
  const s3 = 'pack_size = "1 MiB"\n[backend]\ntype = "S3"\nbucket = "b"\nregion = "r"\nprefix = "p"\npath_style = true\nconcurrent_connections = 2\naccess_key_id = "a"\nsecret_access_key = "s"\nsession_token = "t"\n';
  expect(parseRepoConfigKeys(s3, "c").ignored).toEqual([]);
  const sftp = 'filter = "f"\nunfilter = "u"\n[backend]\ntype = "SFTP"\nhost = "h"\npath = "p"\nuser = "me"\nport = 22\nidentity = "i"\ncommand = "ssh"\n';
  expect(parseRepoConfigKeys(sftp, "c").ignored).toEqual([]);
  expect(parseRepoConfigKeys('[backend]\ntype = "Backblaze"\nkey_id = "k"\napplication_key = "a"\nbucket = "b"\nconcurrent_connections = 4\n', "c").ignored).toEqual([]);
});
