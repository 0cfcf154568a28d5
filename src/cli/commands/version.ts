/** `backpak version [--json]`: what `-V` prints, or one JSON object for scripts. */
import { stdout } from "../../ui/output.ts";
import { arg, JSON_OPTION, type Command } from "../command.ts";
import { REPOSITORY_FORMAT, VERSION, versionLine } from "../version.ts";

export const version: Command = {
  lock: "none",
  spec: {
    name: "version",
    about: "Print version information",
    details: 'With --json: {"message_type":"version","version":"…","repository_format":"backpak 0.3.0"}',
    options: [JSON_OPTION],
  },
  async run(args) {
    stdout.line(arg.flag(args, "json") ? JSON.stringify({ message_type: "version", version: VERSION, repository_format: REPOSITORY_FORMAT }) : versionLine());
  },
};
