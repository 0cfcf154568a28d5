/** An S3 repository's [backend] table: round trips with every optional key, defaults, credentials in the file, and errors that name the file and key. */
import { expect, test } from "bun:test";
import { parseRepoConfig, serializeRepoConfig, type RepoConfig } from "../../src/format/repo-config.ts";

const parse = (backend: string): RepoConfig => parseRepoConfig(`[backend]\ntype = "S3"\n${backend}`, "r/s3.toml");

test("an S3 config round-trips, optional keys only when set, and ignores unknown keys", () => {
  const full: RepoConfig = {
    packSize: 100_000_000,
    backend: { type: "S3", bucket: "b", endpoint: "http://127.0.0.1:9000", region: "auto", prefix: "a/b", pathStyle: true, concurrentConnections: 2, accessKeyId: "AKIA", secretAccessKey: "s", sessionToken: "t" },
  };
  expect(parseRepoConfig(serializeRepoConfig(full), "x")).toEqual(full);
  const bare: RepoConfig = { packSize: 100_000_000, backend: { type: "S3", bucket: "b", pathStyle: false, concurrentConnections: 4 } };
  expect(serializeRepoConfig(bare)).toBe('pack_size = "100 MB"\n\n[backend]\ntype = "S3"\nbucket = "b"\npath_style = false\nconcurrent_connections = 4\n');
  expect(parse('bucket = "b"\nstorage_class = "GLACIER"\nprefix = "/x/"\n').backend).toEqual({ type: "S3", bucket: "b", prefix: "x", pathStyle: false, concurrentConnections: 4 });
});

test("a bad S3 config names the file and the key", () => {
  expect(() => parse("")).toThrow("r/s3.toml: backend.bucket must name the S3 bucket");
  expect(() => parse('bucket = "b"\nendpoint = "s3.example.com"\n')).toThrow('r/s3.toml: backend.endpoint must be a URL such as https://s3.example.com, not "s3.example.com"');
  expect(() => parse('bucket = "b"\nendpoint = "ftp://x"\n')).toThrow("must be an http:// or https:// URL");
  expect(() => parse('bucket = "b"\npath_style = "yes"\n')).toThrow("r/s3.toml: backend.path_style must be true or false");
  expect(() => parse('bucket = "b"\nconcurrent_connections = 0\n')).toThrow("backend.concurrent_connections must be a positive integer");
  expect(() => parse('bucket = "b"\naccess_key_id = "AKIA"\n')).toThrow("backend should set access_key_id and secret_access_key or neither");
});
