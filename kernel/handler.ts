/**
 * The Jupyter protocol handler: a message in, messages out. It knows message shapes and the rules of
 * the protocol, and nothing about sockets, signatures or processes (that is `server.ts`): requests come
 * in through {@link KernelHandler.receive}, and every message the kernel sends — iopub statuses and
 * outputs, shell and control replies — goes out as a value through the `send` callback, tagged with its
 * channel. It owns
 * - the execution queue: shell requests run one at a time, in order; control requests are answered at
 *   once, even while a cell runs;
 * - `stop_on_error`: with `true` (the default) a failing cell aborts the execute requests already queued
 *   and only those, as ipykernel does; with `false` it aborts nothing (tslab aborts every request that
 *   arrives within 200 ms, which breaks `nbconvert --execute --allow-errors`);
 * - interrupts (`interrupt_request`, or SIGINT through {@link KernelHandler.interrupt}): the engine aborts
 *   helpers' in-flight I/O and keeps kernel state;
 * - routing: streams and displays (with several MIME types and `display_id` updates) go to iopub with
 *   the request they belong to as parent;
 * - `execute_input`, `execute_result` and `error` messages, as nbclient and JupyterLab expect.
 *
 * - stdin: `input()` in a cell sends `input_request` on stdin when the request has `allow_stdin`, and its
 *   `input_reply` (through `receive("stdin", …)`) resolves it; otherwise it rejects naming `allow_stdin`;
 * - history: executed cells go to a {@link HistoryStore}, which answers `history_request`;
 * - `clear_output`, published like displays.
 */
import type { CellEngine, OutputTarget } from "./engine";
import type { HistoryQuery, HistoryStore } from "./history";
import { kernelInfo } from "./kernel-info";
import { Message, newMessage } from "./protocol/wire";

/** The five channels but the heartbeat. */
export type Channel = "shell" | "control" | "stdin" | "iopub";

/** The channels requests arrive on. */
export type RequestChannel = Exclude<Channel, "iopub">;

/** One message the kernel sends, and the channel it goes out on. */
export interface Outgoing {
  channel: Channel;
  message: Message<unknown>;
}

/** What an `execute_request` carries. */
interface ExecuteRequest {
  code?: string;
  silent?: boolean;
  store_history?: boolean;
  stop_on_error?: boolean;
  allow_stdin?: boolean;
}

/** How a shutdown ended the handler. */
export interface ShutdownOutcome {
  restart: boolean;
}

/** The handler's connections to the outside: where messages go, where diagnostics go. */
export interface HandlerOptions {
  /** Called once per outgoing message, in order. */
  send(out: Outgoing): void;
  /** Kernel diagnostics (not cell output), e.g. a request that threw. */
  log?(text: string): void;
  /** Where executed cells are kept for `history_request` (none: every history reply is empty). */
  history?: HistoryStore;
}

function replyType(msgType: string): string {
  return msgType.replace(/_request$/, "_reply");
}

function notImplemented(evalue: string): Record<string, unknown> {
  return { status: "error", ename: "NotImplemented", evalue, traceback: [] };
}

/**
 * The protocol handler. One per kernel.
 *
 * @example
 * const out: Outgoing[] = [];
 * const handler = new KernelHandler(engine, { send: (o) => out.push(o) });
 * handler.start(); // status: starting
 * handler.receive("shell", newMessage("kernel_info_request", {}));
 * await handler.settled();
 * out.map((o) => `${o.channel} ${o.message.header.msg_type}`);
 * // ["iopub status", "iopub status", "shell kernel_info_reply", "iopub status"]
 */
export class KernelHandler {
  /** Resolves once a `shutdown_request` was answered and the request that was running has ended. */
  readonly done: Promise<ShutdownOutcome>;
  private readonly queue: Message[] = [];
  private executionCount = 0;
  /** The request that output is attributed to: the last `execute_request` started (null before any). */
  private current: Message | null = null;
  private worker: Promise<void> | null = null;
  private stopping: ShutdownOutcome | null = null;
  private resolveDone!: (o: ShutdownOutcome) => void;
  /** The `input_request` waiting for its `input_reply`. */
  private pendingInput: { resolve(v: string): void; reject(e: Error): void } | null = null;

  constructor(
    private readonly engine: CellEngine,
    private readonly opts: HandlerOptions,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    engine.target = this.outputTarget();
  }

  /** Announces the kernel: `status: starting` on iopub. */
  start(): void {
    this.publish("status", { execution_state: "starting" }, null);
  }

  /**
   * Takes one decoded request. Shell requests are queued and run in order (a `shutdown_request` is
   * answered at once); control requests are answered at once; on stdin, `input_reply` answers the waiting `input()`.
   *
   * @example
   * handler.receive("control", newMessage("interrupt_request", {}));
   */
  receive(channel: RequestChannel, msg: Message): void {
    if (channel === "control") return this.controlRequest(msg);
    if (channel === "stdin") return this.inputReply(msg);
    if (msg.header.msg_type === "shutdown_request") return this.shutdown(msg, "shell");
    if (this.stopping) return;
    this.queue.push(msg);
    this.wake();
  }

  /**
   * Sends text the running cell wrote (patched `process.stdout`/`stderr`) as a `stream` message of the
   * current request. Returns false before any cell ran: the caller writes it to the real stream.
   *
   * @example
   * if (!handler.output("stdout", text)) realStdout(text);
   */
  output(name: "stdout" | "stderr", text: string): boolean {
    if (!this.current) return false;
    this.publish("stream", { name, text }, this.current);
    return true;
  }

  /**
   * Reports an uncaught exception or unhandled rejection on stderr of the current request (the kernel
   * keeps running).
   *
   * @example
   * process.on("uncaughtException", (e) => handler.uncaught("exception", e));
   */
  uncaught(kind: "exception" | "rejection", e: unknown): void {
    const what = kind === "exception" ? "uncaught exception" : "unhandled promise rejection";
    this.publish("stream", { name: "stderr", text: `${what}: ${(e as Error | undefined)?.stack ?? e}\n` }, this.current);
  }

  /**
   * Interrupts the running cell (SIGINT and `interrupt_request` both come here).
   *
   * @example
   * process.on("SIGINT", () => handler.interrupt());
   */
  interrupt(): void {
    this.engine.interrupt();
  }

  /**
   * Resolves when no request is running and none is queued.
   *
   * @example
   * handler.receive("shell", request);
   * await handler.settled();
   */
  async settled(): Promise<void> {
    while (this.worker) await this.worker;
  }

  private outputTarget(): OutputTarget {
    return {
      stream: (name, text) => this.publish("stream", { name, text }, this.current),
      clear: (wait) => this.publish("clear_output", { wait }, this.current),
      input: (prompt, password) => this.requestInput(prompt, password),
      display: (bundle, o) => {
        const content = { data: bundle.data, metadata: bundle.metadata, transient: o.displayId ? { display_id: o.displayId } : {} };
        this.publish(o.update ? "update_display_data" : "display_data", content, this.current);
      },
    };
  }

  /** Sends `input_request` on stdin for the running request; the `input_reply` resolves it. */
  private requestInput(prompt: string, password: boolean): Promise<string> {
    const req = this.current;
    if (!req || !(req.content as ExecuteRequest).allow_stdin) {
      return Promise.reject(new Error("input(): this client does not accept input (the execute request has allow_stdin false; nbconvert and the headless runner never do)"));
    }
    if (this.pendingInput) return Promise.reject(new Error("input(): another input() is waiting for its answer"));
    return new Promise<string>((resolve, reject) => {
      this.pendingInput = { resolve, reject };
      this.opts.send({ channel: "stdin", message: newMessage("input_request", { prompt, password }, req) });
    });
  }

  private inputReply(msg: Message): void {
    if (msg.header.msg_type !== "input_reply" || !this.pendingInput) return;
    const p = this.pendingInput;
    this.pendingInput = null;
    p.resolve(String((msg.content as { value?: unknown }).value ?? ""));
  }

  private publish(msgType: string, content: unknown, parent: Message | null): void {
    this.opts.send({ channel: "iopub", message: newMessage(msgType, content, parent ?? undefined, { identities: [] }) });
  }

  private reply(channel: "shell" | "control", req: Message, msgType: string, content: unknown): void {
    this.opts.send({ channel, message: newMessage(msgType, content, req) });
  }

  /** Starts the worker on the next microtask unless it runs already. */
  private wake(): void {
    if (this.worker) return;
    this.worker = Promise.resolve()
      .then(() => this.work())
      .finally(() => {
        this.worker = null;
        if (this.stopping) this.resolveDone(this.stopping);
        else if (this.queue.length) this.wake();
      });
  }

  private async work(): Promise<void> {
    for (let next = this.queue.shift(); next && !this.stopping; next = this.queue.shift()) {
      try {
        await this.shellRequest(next);
      } catch (e) {
        this.opts.log?.(`error handling ${next.header.msg_type}: ${(e as Error).stack ?? e}`);
      }
    }
  }

  /** One shell request, in queue order. */
  private async shellRequest(msg: Message): Promise<void> {
    const c = msg.content;
    switch (msg.header.msg_type) {
      case "execute_request":
        return this.execute(msg);
      case "kernel_info_request":
        return this.answer(msg, kernelInfo());
      case "complete_request": {
        const r = this.engine.complete(String(c.code ?? ""), Number(c.cursor_pos ?? 0));
        return this.answer(msg, { status: "ok", matches: r.candidates, cursor_start: r.start, cursor_end: r.end, metadata: {} });
      }
      case "inspect_request": {
        const text = this.engine.inspect(String(c.code ?? ""), Number(c.cursor_pos ?? 0));
        return this.answer(msg, { status: "ok", found: text !== null, data: text ? { "text/plain": text } : {}, metadata: {} });
      }
      case "is_complete_request":
        return this.answer(msg, this.engine.isComplete(String(c.code ?? "")));
      case "comm_info_request":
        return this.answer(msg, { status: "ok", comms: {} });
      case "history_request":
        return this.answer(msg, { status: "ok", history: this.opts.history?.query(c as HistoryQuery) ?? [] });
      case "comm_open":
        // No comm targets: close it right away so the frontend does not wait.
        this.publish("comm_close", { comm_id: c.comm_id, data: {} }, msg);
        return;
      case "comm_msg":
      case "comm_close":
        return;
      case "packetwalk_reset_request": {
        // packetwalk's own: the headless runner reuses this kernel for the next notebook. Queued like a
        // cell, so it runs after what was sent before it.
        if (!this.engine.reset) return this.answer(msg, notImplemented("this engine cannot reset"));
        const problems = await this.engine.reset();
        this.executionCount = 0;
        return this.answer(msg, { status: "ok", problems });
      }
      default:
        return this.answer(msg, notImplemented(`packetwalk does not handle ${msg.header.msg_type}`));
    }
  }

  /** A non-execute shell request: busy, the reply, idle. */
  private answer(msg: Message, content: unknown): void {
    this.publish("status", { execution_state: "busy" }, msg);
    this.reply("shell", msg, replyType(msg.header.msg_type), content);
    this.publish("status", { execution_state: "idle" }, msg);
  }

  private async execute(req: Message): Promise<void> {
    const content = req.content as ExecuteRequest;
    const { code = "", silent = false, store_history = true } = content;
    const stopOnError = content.stop_on_error !== false;
    this.current = req;
    this.publish("status", { execution_state: "busy" }, req);
    if (!silent && store_history) this.executionCount++;
    const count = this.executionCount;
    if (!silent) this.publish("execute_input", { code, execution_count: count }, req);
    const outcome = await this.engine.execute(code);
    if (this.pendingInput) {
      this.pendingInput.reject(new Error("input(): the cell ended before the answer came"));
      this.pendingInput = null;
    }
    if (!silent && store_history) {
      const text = outcome.result?.data["text/plain"];
      this.opts.history?.add(count, code, typeof text === "string" ? text : null);
    }
    if (outcome.status === "ok") {
      if (outcome.result && !silent) {
        this.publish("execute_result", { execution_count: count, data: outcome.result.data, metadata: outcome.result.metadata }, req);
      }
      this.reply("shell", req, "execute_reply", { status: "ok", execution_count: count, user_expressions: {}, payload: [] });
    } else {
      const err = outcome.error ?? { ename: "Error", evalue: "the cell failed", traceback: [] };
      this.publish("error", err, req);
      this.reply("shell", req, "execute_reply", { status: "error", execution_count: count, ...err });
      if (stopOnError) {
        // Let requests the server has already read reach the queue, then abort exactly what is queued now.
        await new Promise((r) => setImmediate(r));
        this.abortQueued();
      }
    }
    this.publish("status", { execution_state: "idle" }, req);
  }

  /** Aborts the queued execute requests; other queued requests stay, in order. */
  private abortQueued(): void {
    for (const queued of this.queue.splice(0)) {
      if (queued.header.msg_type !== "execute_request") {
        this.queue.push(queued);
        continue;
      }
      this.publish("status", { execution_state: "busy" }, queued);
      this.reply("shell", queued, "execute_reply", { status: "aborted", execution_count: null });
      this.publish("status", { execution_state: "idle" }, queued);
    }
  }

  /** Control requests are answered at once, even while a cell runs (no status messages). */
  private controlRequest(msg: Message): void {
    switch (msg.header.msg_type) {
      case "interrupt_request":
        this.interrupt();
        this.pendingInput?.reject(new Error("input(): interrupted"));
        this.pendingInput = null;
        return this.reply("control", msg, "interrupt_reply", { status: "ok" });
      case "shutdown_request":
        return this.shutdown(msg, "control");
      case "kernel_info_request":
        return this.reply("control", msg, "kernel_info_reply", kernelInfo());
      default:
        return this.reply("control", msg, replyType(msg.header.msg_type), notImplemented(msg.header.msg_type));
    }
  }

  /** Answers, stops taking shell requests, interrupts the running cell; `done` resolves when it ended. */
  private shutdown(msg: Message, channel: "shell" | "control"): void {
    const restart = Boolean((msg.content as { restart?: boolean }).restart);
    this.reply(channel, msg, "shutdown_reply", { status: "ok", restart });
    if (this.stopping) return;
    this.stopping = { restart };
    this.engine.interrupt();
    if (!this.worker) this.resolveDone(this.stopping);
  }
}
