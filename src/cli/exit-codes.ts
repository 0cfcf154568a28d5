/** The exit statuses of backpak (restic's where restic has one), how an error maps to one, and their --help text. */
import { BackpakError } from "../lib/errors.ts";
import { UsageError } from "./args.ts";

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** backup stored its snapshot but left out entries it couldn't read. */
  partial: 3,
  noRepository: 10,
  locked: 11,
} as const;

/** The "Exit status" section of the top-level --help (the README has the same table). */
export const EXIT_STATUS_HELP = [
  "Exit status:",
  "  0    success",
  "  1    failure (the error is on stderr)",
  "  2    usage error: a wrong option, argument or config value; nothing was done",
  "  3    backup stored its snapshot, but some entries couldn't be read and were left out",
  "  10   there is no repository at the location given (or the default one), or its bucket",
  "       or SFTP directory isn't there",
  "  11   the repository is locked by another command (see --retry-lock)",
  "  130  interrupted by SIGINT; 143 by SIGTERM, 129 by SIGHUP (128 + the signal's number)",
].join("\n");

/** 2 for a mistake on the command line, 10 when the repository isn't there, 11 when another command's lock is in the way, else 1. */
export function exitCode(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (!(err instanceof BackpakError)) return EXIT.failure;
  if (err.kind === "no-repository") return EXIT.noRepository;
  return err.kind === "locked" ? EXIT.locked : EXIT.failure;
}
