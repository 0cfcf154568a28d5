/** Collects the log's warnings for the calling test file, emptied before each test. */
import { beforeEach } from "bun:test";
import { setLogSink } from "../../src/lib/log.ts";

export function captureWarnings(): string[] {
  const warnings: string[] = [];
  setLogSink((level, message) => {
    if (level === "warn") warnings.push(message);
  }, "warn");
  beforeEach(() => {
    warnings.length = 0;
  });
  return warnings;
}
