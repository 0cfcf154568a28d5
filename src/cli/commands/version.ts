/** `backpak version [--json]`: what `-V` prints, or one JSON object for scripts. */
import { printJson } from "../../ui/json-lines.ts";
import { stdout } from "../../ui/output.ts";
import { JSON_OPTION, type Command } from "../command.ts";
import { wantsJson } from "../report-mode.ts";
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
    if (wantsJson(args)) printJson("version", { version: VERSION, repository_format: REPOSITORY_FORMAT });
    else stdout.line(versionLine());
  },
};
