/**
 * A real S3 server for tests and benchmarks: s3rver, run by node as a child process on 127.0.0.1 at
 * a free port with its data in a given directory, until stop() (or until this process ends, which
 * closes its stdin). Started with OpenSSL's legacy provider, which s3rver's listing continuation
 * tokens need under Node 20. Test files start theirs with s3ServerForThisFile().
 */
import fs from "node:fs";
import path from "node:path";

/** The one account s3rver knows. */
export const S3RVER_KEY_ID = "S3RVER";
export const S3RVER_SECRET = "S3RVER";

export class S3Server {
  private constructor(
    readonly url: string,
    /** Where s3rver keeps its buckets, one directory each. */
    readonly dataDir: string,
    private readonly process: Bun.Subprocess<"pipe", "pipe", "inherit">,
  ) {}

  /** Starts a server with no buckets, keeping them in `dataDir` (an existing empty directory). */
  static async start(dataDir: string): Promise<S3Server> {
    const child = Bun.spawn(["node", path.join(import.meta.dir, "s3rver-main.cjs"), dataDir], {
      cwd: path.resolve(import.meta.dir, "..", ".."),
      stdin: "pipe",
      stdout: "pipe",
      stderr: "inherit",
      env: { ...process.env, NODE_OPTIONS: "--openssl-legacy-provider" },
    });
    const line = await firstLine(child.stdout);
    const { port } = JSON.parse(line) as { port: number };
    return new S3Server(`http://127.0.0.1:${port}`, dataDir, child);
  }

  /** Makes an empty bucket (s3rver's store is a directory per bucket). */
  addBucket(name: string): void {
    fs.mkdirSync(path.join(this.dataDir, name));
  }

  /** The keys stored in `bucket` under `prefix`, sorted. */
  keys(bucket: string, prefix = ""): string[] {
    const root = path.join(this.dataDir, bucket);
    const suffix = "._S3rver_object";
    return (fs.readdirSync(root, { recursive: true }) as string[])
      .filter((f) => f.endsWith(suffix))
      .map((f) => f.slice(0, -suffix.length).split(path.sep).join("/"))
      .filter((k) => k.startsWith(prefix))
      .sort();
  }

  stop(): void {
    this.process.kill();
  }
}

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream) {
    text += new TextDecoder().decode(chunk);
    const end = text.indexOf("\n");
    if (end >= 0) return text.slice(0, end);
  }
  throw new Error(`s3rver exited before it listened${text === "" ? "" : `: ${text}`}`);
}
