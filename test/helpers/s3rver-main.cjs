// Runs s3rver (a real S3 server) for tests: node s3rver-main.cjs <data dir>. Listens on 127.0.0.1 at a
// free port (buckets also as host names: BUCKET.s3.localhost), prints {"port": N} on stdout once it
// listens, and exits when its stdin closes (its parent went away).
"use strict";
const S3rver = require("s3rver");

const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: process.argv[2], serviceEndpoint: "localhost" });
server.run().then(
  (address) => process.stdout.write(`${JSON.stringify({ port: address.port })}\n`),
  (err) => {
    process.stderr.write(`s3rver didn't start: ${err && err.stack}\n`);
    process.exit(1);
  },
);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
