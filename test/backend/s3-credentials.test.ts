/** S3 credentials come from the config file, else the AWS environment variables, else an AWS profile; failures say where was looked, never a secret. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { resolveS3Credentials } from "../../src/backend/s3-credentials.ts";
import type { S3BackendConfig } from "../../src/format/s3-config.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

const config: S3BackendConfig = { type: "S3", bucket: "photos", pathStyle: false, concurrentConnections: 4 };
const ENV = { AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "env-secret", AWS_SESSION_TOKEN: "env-token" };

function homeWith(credentials: string): string {
  const home = tempDir("aws-home");
  fs.mkdirSync(path.join(home, ".aws"));
  fs.writeFileSync(path.join(home, ".aws", "credentials"), credentials);
  return home;
}
const FILE = "# keys\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = default-secret\n\n[work]\nAWS_ACCESS_KEY_ID=AKIAWORK\naws_secret_access_key=work-secret\naws_session_token = work-token\n";

test("the config file's keys come first, then the environment, then the profile", () => {
  const home = homeWith(FILE);
  expect(resolveS3Credentials({ ...config, accessKeyId: "AKIACONF", secretAccessKey: "conf-secret" }, { ...ENV, HOME: home })).toEqual({ accessKeyId: "AKIACONF", secretAccessKey: "conf-secret" });
  expect(resolveS3Credentials(config, { ...ENV, HOME: home, AWS_PROFILE: "work" })).toEqual({ accessKeyId: "AKIAENV", secretAccessKey: "env-secret", sessionToken: "env-token" });
  expect(resolveS3Credentials(config, { HOME: home })).toEqual({ accessKeyId: "AKIADEFAULT", secretAccessKey: "default-secret" });
  expect(resolveS3Credentials(config, { HOME: home, AWS_PROFILE: "work" })).toEqual({ accessKeyId: "AKIAWORK", secretAccessKey: "work-secret", sessionToken: "work-token" });
  const elsewhere = path.join(tempDir("aws-file"), "creds");
  fs.writeFileSync(elsewhere, "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n");
  expect(resolveS3Credentials(config, { HOME: home, AWS_SHARED_CREDENTIALS_FILE: elsewhere }).accessKeyId).toBe("AKIAFILE");
});

test("no credentials anywhere, or a missing profile, is a usage error naming the bucket and where to put them", () => {
  const empty = tempDir("aws-empty");
  expect(() => resolveS3Credentials(config, { HOME: empty })).toThrow(expect.objectContaining({ kind: "usage", message: "No credentials for the S3 bucket photos: no credentials file" }));
  const home = homeWith(FILE);
  let err: unknown;
  try {
    resolveS3Credentials(config, { HOME: home, AWS_PROFILE: "play" });
  } catch (e) {
    err = e;
  }
  expect(err).toMatchObject({ kind: "usage", message: `No credentials for the S3 bucket photos: no profile play in ${path.join(home, ".aws", "credentials")}` });
  expect((err as { hint: string }).hint).toContain("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  expect(JSON.stringify([(err as Error).message, (err as { hint: string }).hint])).not.toMatch(/(default|work)-secret/);
  expect(() => resolveS3Credentials(config, { HOME: empty, AWS_PROFILE: "work" })).toThrow("Couldn't read the AWS credentials file");
});
