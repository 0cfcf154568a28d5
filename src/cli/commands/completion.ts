/** `backpak completion bash|zsh|fish`: print a shell completion script, made from the CLI's own command and option tables. */
import type { CommandSpec } from "../args.ts";
import { bashScript } from "../completion/bash.ts";
import { fishScript } from "../completion/fish.ts";
import { zshScript } from "../completion/zsh.ts";
import { stdout } from "../../ui/output.ts";
import { arg, type Command } from "../command.ts";

const SCRIPTS: Record<string, (root: CommandSpec) => string> = { bash: bashScript, zsh: zshScript, fish: fishScript };

export const completion: Command = {
  lock: "none",
  quiet: true,
  spec: {
    name: "completion",
    about: "Print a shell completion script for bash, zsh or fish",
    details: [
      "It completes commands, their options, option values with a fixed set, and file names where an",
      "option or argument is a local path. Load it from your shell's startup file:",
      "",
      "  bash  (~/.bashrc)                   source <(backpak completion bash)",
      "  zsh   (~/.zshrc, after compinit)    source <(backpak completion zsh)",
      "  fish  (~/.config/fish/config.fish)  backpak completion fish | source",
      "",
      "Examples (saving it where each shell looks for completions instead):",
      "  backpak completion bash > ~/.local/share/bash-completion/completions/backpak",
      "  backpak completion zsh > ~/.zfunc/_backpak      (a directory on $fpath)",
      "  backpak completion fish > ~/.config/fish/completions/backpak.fish",
    ].join("\n"),
    positionals: [{ name: "SHELL", required: true, choices: Object.keys(SCRIPTS), help: "bash, zsh or fish" }],
  },
  async run(args) {
    stdout.write(SCRIPTS[arg.pos(args, "SHELL")]!(args.root));
  },
};
