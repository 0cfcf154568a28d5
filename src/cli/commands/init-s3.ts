/** `backpak init s3 --bucket B [--endpoint URL] [--region R] [--prefix P] [--path-style] [-c N]`: the S3 backend config from its flags. */
import { DEFAULT_S3_CONNECTIONS, endpointProblem, normalizePrefix, type S3BackendConfig } from "../../format/s3-config.ts";
import { usageError, type CommandSpec, type Parsed } from "../args.ts";
import { arg } from "../command.ts";

export const INIT_S3: CommandSpec = {
  name: "s3",
  about: "Backup to an S3 bucket (AWS or S3-compatible). Writes the repository's config file at -r (S3 isn't contacted).",
  details:
    "Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN),\nelse the profile AWS_PROFILE (default: default) in ~/.aws/credentials,\nunless access_key_id and secret_access_key are added to the config file's [backend] table.\nbackpak 0.3.0 can't read S3 repositories.",
  options: [
    { long: "bucket", short: "b", kind: "value", value: "BUCKET", help: "The bucket to store backups in" },
    { long: "endpoint", short: "e", kind: "value", value: "URL", help: "The S3 service's URL, e.g. http://127.0.0.1:9000 [default: AWS's for the region]" },
    { long: "region", kind: "value", value: "REGION", help: "The bucket's region [default: $AWS_REGION, else us-east-1]" },
    { long: "prefix", kind: "value", value: "PREFIX", help: "Store objects under PREFIX/ in the bucket [default: at its root]" },
    { long: "path-style", kind: "flag", help: "Address the bucket as ENDPOINT/BUCKET (MinIO, Ceph RGW) instead of BUCKET.ENDPOINT" },
    { long: "concurrent-connections", short: "c", kind: "value", value: "N", help: `Connections to S3 at once [default: ${DEFAULT_S3_CONNECTIONS}]` },
  ],
};

export function s3BackendFromFlags(sub: Parsed): S3BackendConfig {
  const bucket = arg.value(sub, "bucket");
  if (bucket === undefined || bucket === "") {
    throw usageError("backpak init s3", "the following required arguments were not provided:\n  --bucket <BUCKET>");
  }
  const endpoint = arg.value(sub, "endpoint");
  const problem = endpoint === undefined ? undefined : endpointProblem(endpoint);
  if (problem !== undefined) throw usageError("backpak init s3", `invalid value for '--endpoint <URL>': it ${problem}`);
  const connections = arg.value(sub, "concurrent-connections") ?? String(DEFAULT_S3_CONNECTIONS);
  if (!/^[0-9]+$/.test(connections) || Number(connections) < 1 || Number(connections) > 0xffff) {
    throw usageError("backpak init s3", `invalid value '${connections}' for '--concurrent-connections <N>': give a whole number from 1 to 65535`);
  }
  const config: S3BackendConfig = { type: "S3", bucket, pathStyle: arg.flag(sub, "path-style"), concurrentConnections: Number(connections) };
  const region = arg.value(sub, "region");
  const prefix = normalizePrefix(arg.value(sub, "prefix"));
  return { ...config, ...(endpoint === undefined ? {} : { endpoint: endpoint.replace(/\/+$/, "") }), ...(region ? { region } : {}), ...(prefix === undefined ? {} : { prefix }) };
}
