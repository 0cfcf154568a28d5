/**
 * Runs a benchmark script's command line: a bad one prints the error and the usage (exit 2),
 * --help the usage; a failure is reported as "NAME: message" (exit 1); and `cleanUp` runs when the
 * script ends or is interrupted (SIGINT, SIGTERM, SIGHUP exit with 128 + the signal's number).
 */
export async function runBenchmark<O>(
  name: string,
  usage: string,
  parse: (argv: string[]) => O | undefined,
  body: (options: O) => Promise<void>,
  cleanUp: () => void,
): Promise<void> {
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      cleanUp();
      process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const)[sig]);
    });
  }
  let options: O | undefined;
  try {
    options = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    console.log(usage);
    return;
  }
  try {
    await body(options);
  } catch (e) {
    console.error(`${name}: ${(e as Error).message}`);
    process.exitCode = 1;
  } finally {
    cleanUp();
  }
}
