/**
 * Finds the credentials for an S3 repository, in the order the AWS tools use: the repository's
 * config file, then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN), then the
 * profile AWS_PROFILE (default "default") in AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials.
 * Errors name where was looked, never a secret.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAwsCredentials } from "../format/aws-credentials.ts";
import type { S3BackendConfig } from "../format/s3-config.ts";
import { BackpakError } from "../lib/errors.ts";

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export function resolveS3Credentials(config: S3BackendConfig, env: NodeJS.ProcessEnv = process.env): S3Credentials {
  if (config.accessKeyId !== undefined && config.secretAccessKey !== undefined) {
    return withToken(config.accessKeyId, config.secretAccessKey, config.sessionToken);
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return withToken(env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN || undefined);
  const named = env.AWS_PROFILE || undefined;
  const profile = named ?? "default";
  const file = env.AWS_SHARED_CREDENTIALS_FILE || path.join(env.HOME || os.homedir(), ".aws", "credentials");
  const hint = `set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile in ${file}, or access_key_id and secret_access_key in the repository's config file`;
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT" || named !== undefined) {
      throw new BackpakError("usage", `Couldn't read the AWS credentials file ${file} for the S3 bucket ${config.bucket}`, { cause: err, hint });
    }
  }
  const settings = text === undefined ? undefined : parseAwsCredentials(text).get(profile);
  const id = settings?.get("aws_access_key_id");
  const secret = settings?.get("aws_secret_access_key");
  if (id && secret) return withToken(id, secret, settings?.get("aws_session_token") || undefined);
  const what = settings === undefined ? (text === undefined ? "no credentials file" : `no profile ${profile} in ${file}`) : `profile ${profile} in ${file} lacks aws_access_key_id or aws_secret_access_key`;
  throw new BackpakError("usage", `No credentials for the S3 bucket ${config.bucket}: ${what}`, { hint });
}

function withToken(accessKeyId: string, secretAccessKey: string, sessionToken: string | undefined): S3Credentials {
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}
