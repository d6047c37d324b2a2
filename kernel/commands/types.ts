/**
 * The contract every `packetwalk <command>` module follows.
 *
 * A command module default-exports a {@link Command}, built with `defineCommand` or `defineDispatcher`
 * (`args.ts`: `--help`, option parsing and usage errors, the same for every command), and is listed with
 * its summary in `index.ts`. The dispatcher in `kernel/cli.ts` parses nothing itself: it hands the command
 * its own argv (everything after the command name) and a {@link CommandIO}. Commands write results to
 * `io.stdout`, diagnostics to `io.stderr`, and resolve to the process exit code. They never call
 * `process.exit`, so tests run them in-process.
 *
 * @example
 * const cmd: Command = {
 *   name: "hello",
 *   usage: "usage: packetwalk hello [--name NAME]",
 *   async run(argv, io) { io.stdout.write("hello\n"); return 0; },
 * };
 */
export interface Command {
  /** The word after `packetwalk`. */
  name: string;
  /** Usage text for `packetwalk NAME --help`. */
  usage: string;
  /** Runs the command; resolves to the exit code (0 ok, 1 failure found, 2 usage or input error). */
  run(argv: string[], io: CommandIO): Promise<number>;
}

/** Where a command reads and writes, so tests can run it in-process. */
export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop and flush what they collected. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** The directory relative paths are resolved against. */
  cwd: string;
}
