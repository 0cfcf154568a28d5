/** `--json` tree differences (diff, restore): a `change` message per changed path, and the counts a summary gives (docs/json.md). */
import { ChangeReporter } from "./change-reporter.ts";
import { printJson } from "./json-lines.ts";

export interface ChangeCounts {
  added: number;
  removed: number;
  contents_changed: number;
  metadata_changed: number;
}

const counted = (code: string): keyof ChangeCounts => (code === "+" ? "added" : code === "-" ? "removed" : code === "C" ? "contents_changed" : "metadata_changed");

export class JsonChanges extends ChangeReporter {
  readonly counts: ChangeCounts = { added: 0, removed: 0, contents_changed: 0, metadata_changed: 0 };

  /** `print` false only counts (restore -q). */
  constructor(metadata: boolean, print = true) {
    super((code, path, node) => {
      this.counts[counted(code)]++;
      if (print) printJson("change", { path, modifier: code, type: node.contents.kind });
    }, metadata);
  }
}
