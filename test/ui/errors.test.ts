/** How a fatal error reads: message, numbered causes (multi-line ones kept under their label), hint. */
import { expect, test } from "bun:test";
import { BackpakError } from "../../src/lib/errors.ts";
import { renderError } from "../../src/ui/errors.ts";

test("a single cause is indented, a hint follows", () => {
  const err = new BackpakError("io", "Couldn't read x", { cause: new Error("EACCES"), hint: "check the permissions of x" });
  expect(renderError(err)).toBe("Error: Couldn't read x\n\nCaused by:\n    EACCES\n\nHint: check the permissions of x");
});

test("several causes are numbered, and a cause's later lines stay under it", () => {
  const stderr = new Error("gpg: decryption failed\ngpg: no secret key");
  const err = new BackpakError("io", "Couldn't read pack p", { cause: new BackpakError("io", "gpg -d < packs/p.pack failed with code 2", { cause: stderr }) });
  expect(renderError(err)).toBe(
    [
      "Error: Couldn't read pack p",
      "",
      "Caused by:",
      "    0: gpg -d < packs/p.pack failed with code 2",
      "    1: gpg: decryption failed",
      "       gpg: no secret key",
    ].join("\n"),
  );
});
