/** `backpak completion bash|zsh|fish`: print a shell completion script, made from the CLI's own command and option tables. */
import type { CommandSpec } from "../args.ts";
import { bashScript } from "../completion/bash.ts";
import { fishScript } from "../completion/fish.ts";
import { zshScript } from "../completion/zsh.ts";
import { stdout } from "../../ui/output.ts";
import { arg, type Command } from "../command.ts";

const SCRIPTS: Record<string, (root: CommandSpec) => string> = { bash: bashScript, zsh: zshScript, fish: fishScript };

export const completion: Command = {
  quiet: true,
  spec: {
    name: "completion",
    about: "Print a shell completion script for bash, zsh or fish",
    details: [
      "It completes commands, their options, option values with a fixed set, and file names",
      "where an option or argument is a local path. Load it in your shell's startup file, or save it:",
      "",
      "  bash   source <(backpak completion bash)                 in ~/.bashrc, or save it as",
      "         ~/.local/share/bash-completion/completions/backpak",
      "  zsh    source <(backpak completion zsh)                  in ~/.zshrc (after compinit), or save it",
      "         as _backpak in a directory on $fpath",
      "  fish   backpak completion fish | source                  in ~/.config/fish/config.fish, or save it as",
      "         ~/.config/fish/completions/backpak.fish",
      "",
      "Example:",
      "  backpak completion bash > ~/.local/share/bash-completion/completions/backpak",
    ].join("\n"),
    positionals: [{ name: "SHELL", required: true, choices: Object.keys(SCRIPTS), help: "bash, zsh or fish" }],
  },
  async run(args) {
    stdout.write(SCRIPTS[arg.pos(args, "SHELL")]!(args.root));
  },
};
