/**
 * packetwalk's Jupyter kernel server: the {@link KernelHandler} on the main thread, the ZeroMQ sockets
 * in a worker thread (`io-worker.ts`) that user code cannot block. It owns what the handler does not
 * know about: starting the socket thread, decoding and signing frames (`protocol/wire.ts`), redirecting
 * the process's stdout/stderr into the current cell, SIGINT, the process-level error handlers, loading
 * the engine after the sockets are up (the first `kernel_info_reply` does not wait for TypeScript), and
 * shutting down when asked or when the process that started the kernel is gone (then ending the
 * processes its cells started, `children.ts`). The protocol itself
 * (queue, stop_on_error, interrupts, output routing) is the handler's.
 *
 * Every message the handler sends is posted to the socket thread synchronously, so `busy`,
 * `execute_input` and what a cell prints leave while the cell's synchronous code still runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { terminateChildren } from "./children";
import type { CellEngine, CellOutcome, Engine, OutputTarget } from "./engine";
import { KernelHandler, Outgoing } from "./handler";
import { historyFile, HistoryStore } from "./history";
import type { FromWorker, IoWorkerData, ToWorker } from "./io-worker";
import { ConnectionInfo, decodeFrames, encodeFrames, newMessage } from "./protocol/wire";
import { redirectStdio } from "./stdio";

/** How the kernel is run. */
export interface ServeOptions {
  cwd?: string;
  /** The process whose end ends the kernel (default: `JPY_PARENT_PID`, else a change of parent pid). */
  parentPid?: number | null;
  /** How often the parent is checked, ms (default 1000). */
  parentPollMs?: number;
}

/**
 * An engine loaded on first use (or by {@link LazyEngine.load}), so the sockets are up and
 * `kernel_info_request` answered before tslab's TypeScript is loaded.
 *
 * @example
 * const engine = new LazyEngine(() => new Engine({ cwd }));
 * engine.load();
 */
export class LazyEngine implements CellEngine {
  private real: CellEngine | null = null;
  private out: OutputTarget = { stream: () => {}, display: () => {} };

  constructor(private readonly make: () => CellEngine) {}

  get target(): OutputTarget {
    return this.out;
  }
  set target(t: OutputTarget) {
    this.out = t;
    if (this.real) this.real.target = t;
  }

  /** Loads the engine now (idempotent). */
  load(): CellEngine {
    if (!this.real) {
      this.real = this.make();
      this.real.target = this.out;
    }
    return this.real;
  }

  /** The engine if it was loaded. */
  get loaded(): CellEngine | null {
    return this.real;
  }

  execute(code: string): Promise<CellOutcome> {
    return this.load().execute(code);
  }
  complete(code: string, pos: number) {
    return this.load().complete(code, pos);
  }
  inspect(code: string, pos: number) {
    return this.load().inspect(code, pos);
  }
  isComplete(code: string) {
    return this.load().isComplete(code);
  }
  interrupt(): void {
    this.real?.interrupt();
  }
  /** Resets the engine when it was loaded (one never loaded is fresh already). */
  async reset(): Promise<string[]> {
    return (await this.real?.reset?.()) ?? [];
  }
}

function watchedParent(opts: ServeOptions): number | null {
  if (opts.parentPid !== undefined) return opts.parentPid;
  const env = Number(process.env.JPY_PARENT_PID);
  return Number.isInteger(env) && env > 0 ? env : null;
}

/**
 * Runs the kernel until `shutdown_request` (or until the process that started it is gone). Resolves
 * when it has shut down: sockets closed, the socket thread ended.
 *
 * @example
 * await serveKernel(readConnectionFile(connectionFile), { cwd: process.cwd() });
 */
export async function serveKernel(info: ConnectionInfo, opts: ServeOptions = {}): Promise<void> {
  const key = info.key ?? "";
  const data: IoWorkerData = { info, parentPid: watchedParent(opts), ppid: process.ppid, parentPollMs: opts.parentPollMs ?? 1000 };
  const worker = new Worker(path.join(__dirname, "io-worker.js"), { workerData: data });
  const toWorker = (m: ToWorker) => worker.postMessage(m);
  const send = ({ channel, message }: Outgoing) => toWorker({ type: "send", channel, frames: encodeFrames(message, key) });

  const cwd = opts.cwd ?? process.cwd();
  const engine = new LazyEngine(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Engine } = require("./engine") as { Engine: new (o: { cwd: string }) => Engine };
    return new Engine({ cwd });
  });
  const handler = new KernelHandler(engine, { send, log: (text) => log(text), history: new HistoryStore(historyFile()) });
  const stdio = redirectStdio((name, text) => handler.output(name, text));
  const log = (text: string) => stdio.writeReal("stderr", `[packetwalk kernel] ${text}\n`);
  const onSigint = () => handler.interrupt();
  const onException = (e: unknown) => handler.uncaught("exception", e);
  const onRejection = (e: unknown) => handler.uncaught("rejection", e);
  process.on("SIGINT", onSigint);
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);

  let closed!: () => void;
  const workerClosed = new Promise<void>((r) => (closed = r));
  let bound!: (error?: string) => void;
  const sockets = new Promise<void>((resolve, reject) => (bound = (error) => (error ? reject(new Error(error)) : resolve())));
  worker.on("message", (m: FromWorker) => {
    switch (m.type) {
      case "bound":
        return bound();
      case "bind-failed":
        return bound(`cannot bind the kernel's sockets: ${m.error}`);
      case "recv": {
        const d = decodeFrames(m.frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)), key);
        if (d.ok) handler.receive(m.channel, d.message);
        else log(`dropped a ${m.channel} message: ${d.error}`);
        return;
      }
      case "parent-gone":
        return handler.receive("control", newMessage("shutdown_request", { restart: false }));
      case "log":
        return log(m.text);
      case "closed":
        return closed();
    }
  });
  worker.on("error", (e) => log(`socket thread failed: ${e.stack ?? e}`));
  worker.on("exit", () => closed());

  const cleanup = () => {
    process.off("SIGINT", onSigint);
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
    stdio.restore();
  };
  try {
    await sockets;
  } catch (e) {
    cleanup();
    await worker.terminate();
    throw e;
  }
  handler.start();
  // Load TypeScript once the sockets are up: until then the socket thread answers kernel_info_request.
  await new Promise((r) => setImmediate(r));
  engine.load();
  toWorker({ type: "engine-ready" });

  await handler.done;
  cleanup();
  (engine.loaded as Engine | null)?.close();
  toWorker({ type: "close" });
  await Promise.race([workerClosed, new Promise((r) => setTimeout(r, 2000))]);
  await worker.terminate();
  // Leave nothing running: what cells started ends with the kernel.
  terminateChildren();
}

/**
 * Reads a connection file, naming the file in the error when it is missing or malformed.
 *
 * @example
 * const info = readConnectionFile("/run/user/0/jupyter/kernel-1234.json");
 */
export function readConnectionFile(file: string): ConnectionInfo {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read the connection file ${file}: ${(e as Error).message}`);
  }
  let info: ConnectionInfo;
  try {
    info = JSON.parse(text) as ConnectionInfo;
  } catch (e) {
    throw new Error(`the connection file ${file} is not JSON: ${(e as Error).message}`);
  }
  for (const k of ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] as const) {
    if (typeof info[k] !== "number") throw new Error(`the connection file ${file} has no numeric ${k}`);
  }
  info.transport ??= "tcp";
  info.ip ??= "127.0.0.1";
  if (info.signature_scheme && info.signature_scheme !== "hmac-sha256") {
    throw new Error(`the connection file ${file} asks for ${info.signature_scheme}; packetwalk supports hmac-sha256`);
  }
  return info;
}
