/**
 * Where displays go. The packetwalk kernel installs a sink that sends `display_data` /
 * `update_display_data` to Jupyter; outside a kernel (scripts, the CLI, tests) the default sink writes
 * `text/plain` to stdout. The sink lives on `globalThis` under a registered symbol so that two copies of
 * this module (e.g. one loaded from `dist/`, one from a notebook's `node_modules`) share it.
 */
import type { DisplayBundle } from "./bundle";

/** How the kernel receives displays. */
export interface DisplaySink {
  /** Sends a bundle; `update` replaces the output with the same `displayId` in place. */
  send(bundle: DisplayBundle, opts: { displayId?: string; update?: boolean }): void;
  /** Lets the kernel wait for asynchronous renders (charts) before it ends the cell. */
  track(work: Promise<unknown>): void;
  /** Clears the cell's output (`clear_output`); `wait` defers it until the next output arrives. */
  clear?(wait: boolean): void;
}

const SINK = Symbol.for("packetwalk.display.sink");

const stdoutSink: DisplaySink = {
  send(bundle, opts) {
    if (opts.update) return; // a terminal cannot update in place; the final state is shown by the caller
    const text = bundle.data["text/plain"];
    process.stdout.write(`${typeof text === "string" ? text : JSON.stringify(text)}\n`);
  },
  track() {},
};

/**
 * The sink in force: the kernel's when running in packetwalk's kernel, else stdout.
 *
 * @example
 * currentSink().send({ data: { "text/plain": "hi" }, metadata: {} }, {});
 */
export function currentSink(): DisplaySink {
  return ((globalThis as Record<symbol, unknown>)[SINK] as DisplaySink | undefined) ?? stdoutSink;
}

/**
 * Installs a sink (the kernel does this at start); returns the previous one so tests can restore it.
 *
 * @example
 * const prev = installSink({ send: (b) => sent.push(b), track: () => {} });
 * // … later
 * installSink(prev);
 */
export function installSink(sink: DisplaySink | undefined): DisplaySink | undefined {
  const g = globalThis as Record<symbol, unknown>;
  const prev = g[SINK] as DisplaySink | undefined;
  if (sink) g[SINK] = sink;
  else delete g[SINK];
  return prev;
}

/**
 * Whether a packetwalk kernel sink is installed (i.e. code runs inside the kernel).
 *
 * @example
 * if (!inKernel()) console.log("plain node: displays go to stdout");
 */
export function inKernel(): boolean {
  return (globalThis as Record<symbol, unknown>)[SINK] !== undefined;
}
