/**
 * Redirects the process's `stdout`/`stderr` writes (console.log, process.stdout.write) to a sink, so
 * that what a cell prints reaches its notebook. Whatever the sink refuses goes to the real stream.
 */

/** The redirection in place: undo it, or write past it. */
export interface StdioRedirect {
  /** Puts the real `write` methods back. */
  restore(): void;
  /** Writes to the real stream, bypassing the sink (kernel diagnostics). */
  writeReal(name: "stdout" | "stderr", text: string): void;
}

/**
 * Patches `process.stdout.write` and `process.stderr.write`: each chunk, as UTF-8 text, goes to `sink`;
 * when `sink` returns false it goes to the real stream instead.
 *
 * @example
 * const stdio = redirectStdio((name, text) => handler.output(name, text));
 * // …
 * stdio.restore();
 */
export function redirectStdio(sink: (name: "stdout" | "stderr", text: string) => boolean): StdioRedirect {
  const real = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };
  const patched = (name: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array, enc?: unknown, cb?: unknown) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (!sink(name, text)) real[name](chunk as string);
      const done = typeof enc === "function" ? enc : cb;
      if (typeof done === "function") (done as () => void)();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = patched("stdout");
  process.stderr.write = patched("stderr");
  return {
    restore() {
      process.stdout.write = real.stdout as typeof process.stdout.write;
      process.stderr.write = real.stderr as typeof process.stderr.write;
    },
    writeReal: (name, text) => void real[name](text),
  };
}
