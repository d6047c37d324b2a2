/**
 * packetwalk's Jupyter kernel server: the five ZeroMQ channels of the Jupyter protocol in front of
 * the {@link Engine}. What it does that tslab's server does not:
 * - `execute_input`, `execute_result` and `error` messages, as nbclient and JupyterLab expect;
 * - `stop_on_error: false` honoured: a failing cell aborts nothing (tslab aborts every request that
 *   arrives within 200 ms, which breaks `nbconvert --execute --allow-errors`); with `stop_on_error:
 *   true`, only the requests already queued when the cell failed are aborted, as ipykernel does;
 * - interrupts by SIGINT or `interrupt_request` abort helpers' in-flight I/O and keep kernel state;
 * - `display_data` with several MIME types, JSON values as objects, `display_id` updates.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import type * as ZMQ from "zeromq";
import { packetwalkVersion } from "../lib/display/version";
import { Engine } from "./engine";
import { channelAddress, ConnectionInfo, decodeFrames, encodeFrames, Message, newMessage, PROTOCOL_VERSION } from "./protocol/wire";

interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  stop_on_error?: boolean;
}

/** Kernel metadata sent in `kernel_info_reply`. */
export function kernelInfo(): Record<string, unknown> {
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "packetwalk",
    implementation_version: packetwalkVersion(),
    language_info: {
      name: "typescript",
      version: "5.0",
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
    },
    banner: `packetwalk ${packetwalkVersion()} — TypeScript kernel for walking packets through Contrail (tslab engine)`,
    help_links: [],
  };
}

/**
 * Runs the kernel until `shutdown_request`. Resolves when it has shut down.
 *
 * @example
 * await serveKernel(JSON.parse(fs.readFileSync(connectionFile, "utf8")));
 */
export async function serveKernel(info: ConnectionInfo, opts: { cwd?: string } = {}): Promise<void> {
  // zeromq is loaded lazily: `packetwalk run` and the CLI do not pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zmq = require("zeromq") as typeof ZMQ;
  const key = info.key ?? "";
  const iopub = new zmq.Publisher();
  const shell = new zmq.Router();
  const control = new zmq.Router();
  const stdin = new zmq.Router();
  const hb = new zmq.Reply();
  await Promise.all([
    iopub.bind(channelAddress(info, "iopub")),
    shell.bind(channelAddress(info, "shell")),
    control.bind(channelAddress(info, "control")),
    stdin.bind(channelAddress(info, "stdin")),
    hb.bind(channelAddress(info, "hb")),
  ]);

  const engine = new Engine({ cwd: opts.cwd ?? process.cwd() });
  let executionCount = 0;
  let current: Message | null = null; // the request outputs are attributed to
  let stopping = false;
  const queue: Message[] = [];
  const waker: { wake: (() => void) | null } = { wake: null };
  // iopub sends are serialised: zeromq allows one send at a time per socket.
  let iopubChain: Promise<void> = Promise.resolve();

  const publish = (msgType: string, content: unknown, parent: Message | null, metadata: Record<string, unknown> = {}) => {
    const msg = newMessage(msgType, content, parent ?? undefined, { identities: [], metadata });
    msg.identities = [];
    const frames = encodeFrames(msg, key);
    iopubChain = iopubChain.then(() => iopub.send(frames)).catch(() => {});
  };
  const replyOn = (sock: ZMQ.Router, msgType: string, content: unknown, parent: Message) =>
    sock.send(encodeFrames(newMessage(msgType, content, parent), key)).catch(() => {});

  engine.target = {
    stream: (name, text) => publish("stream", { name, text }, current),
    display: (bundle, o) => {
      const content: Record<string, unknown> = { data: bundle.data, metadata: bundle.metadata, transient: o.displayId ? { display_id: o.displayId } : {} };
      publish(o.update ? "update_display_data" : "display_data", content, current);
    },
  };

  // Output written by cells (console.log, process.stdout.write) goes to the current request's iopub.
  const realStdout = process.stdout.write.bind(process.stdout);
  const realStderr = process.stderr.write.bind(process.stderr);
  const toStream = (name: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array, enc?: unknown, cb?: unknown) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (current) publish("stream", { name, text }, current);
      else (name === "stdout" ? realStdout : realStderr)(chunk as string);
      const done = typeof enc === "function" ? enc : cb;
      if (typeof done === "function") (done as () => void)();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = toStream("stdout");
  process.stderr.write = toStream("stderr");

  const interrupt = () => engine.interrupt();
  process.on("SIGINT", interrupt);
  process.on("uncaughtException", (e) => publish("stream", { name: "stderr", text: `uncaught exception: ${(e as Error).stack ?? e}\n` }, current));
  process.on("unhandledRejection", (e) => publish("stream", { name: "stderr", text: `unhandled promise rejection: ${(e as Error)?.stack ?? e}\n` }, current));

  async function execute(req: Message): Promise<void> {
    const content = req.content as unknown as ExecuteRequest;
    const { code, silent = false, store_history = true } = content;
    const stopOnError = content.stop_on_error !== false;
    current = req;
    publish("status", { execution_state: "busy" }, req);
    if (!silent && store_history) executionCount++;
    const count = executionCount;
    if (!silent) publish("execute_input", { code, execution_count: count }, req);
    const outcome = await engine.execute(code);
    if (outcome.status === "ok") {
      if (outcome.result && !silent) {
        publish("execute_result", { execution_count: count, data: outcome.result.data, metadata: outcome.result.metadata }, req);
      }
      await replyOn(shell, "execute_reply", { status: "ok", execution_count: count, user_expressions: {}, payload: [] }, req);
    } else {
      const err = outcome.error!;
      publish("error", err, req);
      await replyOn(shell, "execute_reply", { status: "error", execution_count: count, ...err }, req);
      if (stopOnError) {
        // Let the sockets deliver what was already sent, then abort exactly what is queued now.
        await new Promise((r) => setImmediate(r));
        for (const queued of queue.splice(0)) {
          if (queued.header.msg_type === "execute_request") abort(queued);
          else queue.push(queued);
        }
      }
    }
    publish("status", { execution_state: "idle" }, req);
  }

  function abort(req: Message): void {
    publish("status", { execution_state: "busy" }, req);
    void replyOn(shell, "execute_reply", { status: "aborted", execution_count: null }, req);
    publish("status", { execution_state: "idle" }, req);
  }

  async function handleShell(msg: Message): Promise<void> {
    const c = msg.content as Record<string, unknown>;
    switch (msg.header.msg_type) {
      case "execute_request":
        return execute(msg);
      case "kernel_info_request":
        return simple(msg, "kernel_info_reply", kernelInfo());
      case "complete_request": {
        const r = engine.complete(String(c.code ?? ""), Number(c.cursor_pos ?? 0));
        return simple(msg, "complete_reply", { status: "ok", matches: r.candidates, cursor_start: r.start, cursor_end: r.end, metadata: {} });
      }
      case "inspect_request": {
        const text = engine.inspect(String(c.code ?? ""), Number(c.cursor_pos ?? 0));
        return simple(msg, "inspect_reply", { status: "ok", found: text !== null, data: text ? { "text/plain": text } : {}, metadata: {} });
      }
      case "is_complete_request":
        return simple(msg, "is_complete_reply", engine.isComplete(String(c.code ?? "")));
      case "comm_info_request":
        return simple(msg, "comm_info_reply", { status: "ok", comms: {} });
      case "history_request":
        return simple(msg, "history_reply", { status: "ok", history: [] });
      case "comm_open":
        // No comm targets: close it right away so the frontend does not wait.
        publish("comm_close", { comm_id: c.comm_id, data: {} }, msg);
        return;
      case "comm_msg":
      case "comm_close":
        return;
      default:
        return simple(msg, msg.header.msg_type.replace(/_request$/, "_reply"), { status: "error", ename: "NotImplemented", evalue: `packetwalk does not handle ${msg.header.msg_type}`, traceback: [] });
    }
  }

  async function simple(msg: Message, replyType: string, content: unknown, sock: ZMQ.Router = shell): Promise<void> {
    publish("status", { execution_state: "busy" }, msg);
    await replyOn(sock, replyType, content, msg);
    publish("status", { execution_state: "idle" }, msg);
  }

  async function shutdown(msg: Message, sock: ZMQ.Router): Promise<void> {
    const restart = Boolean((msg.content as { restart?: boolean }).restart);
    await replyOn(sock, "shutdown_reply", { status: "ok", restart }, msg);
    stopping = true;
    engine.interrupt();
    waker.wake?.();
  }

  const log = (text: string) => realStderr(`[packetwalk kernel] ${text}\n`);

  // Shell: read continuously into the queue; one worker executes in order.
  void (async () => {
    for await (const frames of shell) {
      const d = decodeFrames(frames as Buffer[], key);
      if (!d.ok) {
        log(`dropped a shell message: ${d.error}`);
        continue;
      }
      if (d.message.header.msg_type === "shutdown_request") {
        await shutdown(d.message, shell);
        continue;
      }
      queue.push(d.message);
      waker.wake?.();
    }
  })();

  // Control: answered at once, even while a cell runs.
  void (async () => {
    for await (const frames of control) {
      const d = decodeFrames(frames as Buffer[], key);
      if (!d.ok) {
        log(`dropped a control message: ${d.error}`);
        continue;
      }
      const msg = d.message;
      switch (msg.header.msg_type) {
        case "interrupt_request":
          interrupt();
          await replyOn(control, "interrupt_reply", { status: "ok" }, msg);
          break;
        case "shutdown_request":
          await shutdown(msg, control);
          break;
        case "kernel_info_request":
          await replyOn(control, "kernel_info_reply", kernelInfo(), msg);
          break;
        default:
          await replyOn(control, msg.header.msg_type.replace(/_request$/, "_reply"), { status: "error", ename: "NotImplemented", evalue: msg.header.msg_type, traceback: [] }, msg);
      }
    }
  })();

  // Heartbeat: echo.
  void (async () => {
    for await (const frames of hb) await hb.send(frames).catch(() => {});
  })();

  publish("status", { execution_state: "starting" }, null);

  while (!stopping) {
    const next = queue.shift();
    if (!next) {
      await new Promise<void>((r) => (waker.wake = r));
      waker.wake = null;
      continue;
    }
    try {
      await handleShell(next);
    } catch (e) {
      log(`error handling ${next.header.msg_type}: ${(e as Error).stack ?? e}`);
    }
  }

  await iopubChain;
  await new Promise((r) => setTimeout(r, 50));
  process.off("SIGINT", interrupt);
  process.stdout.write = realStdout as typeof process.stdout.write;
  process.stderr.write = realStderr as typeof process.stderr.write;
  engine.close();
  for (const s of [iopub, shell, control, stdin, hb]) s.close();
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
  void os;
  return info;
}
