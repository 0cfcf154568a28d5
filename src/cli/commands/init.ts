/** `backpak init [--pack-size SIZE] filesystem [--force-cache]`: create a repository. */
import { DEFAULT_PACK_SIZE } from "../../format/repo-config.ts";
import { BackpakError } from "../../lib/errors.ts";
import { log } from "../../lib/log.ts";
import { parseByteSize } from "../../lib/sizes.ts";
import { initFilesystemRepository } from "../../repo/repository.ts";
import { arg, type Command } from "../command.ts";

export const init: Command = {
  spec: {
    name: "init",
    about: "Initialize a backup repository",
    options: [{ long: "pack-size", short: "p", kind: "value", value: "PACK_SIZE", help: "Target size of pack files, e.g. 100MB or 64MiB [default: 100 MB]" }],
    subcommands: [
      {
        name: "filesystem",
        about: "Backup to a directory on the local filesystem.",
        options: [{ long: "force-cache", kind: "flag", help: "Route reads and writes through the local cache (for network mounts).\nNot supported by this build yet." }],
      },
    ],
  },
  async run(args, ctx) {
    const sizeText = arg.value(args, "pack-size");
    const packSize = sizeText === undefined ? DEFAULT_PACK_SIZE : parseByteSize(sizeText, true);
    if (packSize <= 0) throw new BackpakError("usage", "Couldn't parse --pack-size: the size must be positive");
    if (arg.flag(args.sub!, "force-cache")) {
      throw new BackpakError("usage", "--force-cache is not supported by this build yet");
    }
    initFilesystemRepository(ctx.repositoryPath, { packSize, backend: { type: "Filesystem", forceCache: false } });
    log.info(`Initialized a filesystem repository at ${ctx.repositoryPath}`);
  },
};
