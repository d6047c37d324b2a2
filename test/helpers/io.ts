/** A CommandIO whose stdout and stderr are captured, for running CLI commands in-process in tests. */
import { PassThrough } from "node:stream";
import type { CommandIO } from "../../kernel/commands/types";

export interface CapturedIO {
  io: CommandIO;
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
  /** Aborts `io.signal`, as SIGINT would. */
  abort(): void;
}

export function captureIO(opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {}): CapturedIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  if (opts.stdin !== undefined) stdin.end(opts.stdin);
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const ac = new AbortController();
  return {
    io: { stdout, stderr, stdin, signal: ac.signal, env: opts.env ?? process.env, cwd: opts.cwd ?? process.cwd() },
    out: () => out,
    err: () => err,
    abort: () => ac.abort(new Error("aborted by the test")),
  };
}
