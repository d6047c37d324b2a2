/**
 * A Jupyter client for one kernel process: starts it with a fresh connection file on loopback ports,
 * sends `execute_request`s and collects their iopub output as nbformat outputs. The headless runner and
 * the benchmark use it; it drives packetwalk's kernel or plain tslab alike.
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type * as ZMQ from "zeromq";
import { ConnectionInfo, decodeFrames, encodeFrames, Message, newMessage } from "../protocol/wire";
import type { Output } from "./notebook";

/** How to start a kernel: an argv in which `{connection_file}` is replaced. */
export interface KernelCommand {
  argv: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** The outcome of one execute request. */
export interface ExecuteOutcome {
  status: "ok" | "error" | "aborted" | "timeout" | "dead";
  executionCount: number | null;
  outputs: Output[];
  /** When the kernel said busy / replied, epoch ms. */
  started: number;
  finished: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Writes a connection file on five free loopback ports with a random key.
 *
 * @example
 * const { file, info } = await writeConnectionFile();
 */
export async function writeConnectionFile(dir = os.tmpdir()): Promise<{ file: string; info: ConnectionInfo }> {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort());
  const [shell_port, iopub_port, stdin_port, control_port, hb_port] = [...ports];
  const info: ConnectionInfo = {
    transport: "tcp",
    ip: "127.0.0.1",
    shell_port,
    iopub_port,
    stdin_port,
    control_port,
    hb_port,
    key: randomBytes(16).toString("hex"),
    signature_scheme: "hmac-sha256",
  };
  const file = path.join(dir, `packetwalk-kernel-${randomUUID()}.json`);
  fs.writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
  return { file, info };
}

/** How long a cell's timeout waits for the kernel's busy before counting from the send. */
const BUSY_WAIT_MS = 30_000;

interface Pending {
  outputs: Output[];
  reply: Message | null;
  idle: boolean;
  busyAt: number;
  done: () => void;
  onOutput?: (o: Output, all: Output[]) => void;
}

/**
 * A running kernel and a client connected to it.
 *
 * @example
 * const k = await KernelClient.start({ argv: ["node", "dist/kernel/start.js", "{connection_file}"] });
 * const r = await k.execute("1 + 1");
 * await k.shutdown();
 */
export class KernelClient {
  readonly info: ConnectionInfo;
  readonly process: ChildProcess;
  /** The kernel's stderr, kept for error reports. */
  stderr = "";
  private readonly session = randomUUID();
  private readonly shell: ZMQ.Dealer;
  private readonly control: ZMQ.Dealer;
  private readonly iopub: ZMQ.Subscriber;
  private readonly pending = new Map<string, Pending>();
  private readonly replies = new Map<string, (m: Message) => void>();
  private exited = false;
  private exitInfo: { code: number | null; signal: string | null } | null = null;
  private readonly file: string;
  /** display_id → outputs showing it (across all cells), for update_display_data. */
  private readonly displays = new Map<string, { data: Record<string, unknown>; metadata: Record<string, unknown> }[]>();

  private constructor(file: string, info: ConnectionInfo, proc: ChildProcess, zmq: typeof ZMQ) {
    this.file = file;
    this.info = info;
    this.process = proc;
    this.shell = new zmq.Dealer({ routingId: `pw-${this.session.slice(0, 8)}` });
    this.control = new zmq.Dealer();
    this.iopub = new zmq.Subscriber();
    this.iopub.subscribe();
    const addr = (p: number) => `tcp://${info.ip}:${p}`;
    this.shell.connect(addr(info.shell_port));
    this.control.connect(addr(info.control_port));
    this.iopub.connect(addr(info.iopub_port));
    proc.stderr?.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-20000);
    });
    proc.on("exit", (code, signal) => {
      this.exited = true;
      this.exitInfo = { code, signal };
      for (const p of this.pending.values()) p.done();
    });
    void this.readLoop(this.shell);
    void this.readLoop(this.control);
    void this.iopubLoop();
  }

  /** Starts a kernel process and waits until it answers `kernel_info_request` and publishes on iopub. */
  static async start(cmd: KernelCommand, opts: { startupTimeoutMs?: number } = {}): Promise<KernelClient> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const zmq = require("zeromq") as typeof ZMQ;
    const { file, info } = await writeConnectionFile();
    const argv = cmd.argv.map((a) => a.replace("{connection_file}", file));
    const proc = spawn(argv[0], argv.slice(1), { cwd: cmd.cwd, env: cmd.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout?.resume();
    const client = new KernelClient(file, info, proc, zmq);
    const deadline = Date.now() + (opts.startupTimeoutMs ?? 60_000);
    // Ask until the kernel answers and its iopub reaches us (the subscriber may join late).
    while (Date.now() < deadline) {
      if (client.exited) throw new Error(`the kernel exited during start-up: ${client.stderr.trim().slice(-2000) || "(no stderr)"}`);
      const req = newMessage("kernel_info_request", {}, undefined, { session: client.session });
      let sawIopub = false;
      const p: Pending = { outputs: [], reply: null, idle: false, busyAt: 0, done: () => {} };
      const idle = new Promise<void>((r) => (p.done = r));
      client.pending.set(req.header.msg_id, p);
      const reply = client.request(client.shell, req, 1000);
      const ok = await reply.then(() => true, () => false);
      if (ok) sawIopub = await Promise.race([idle.then(() => p.idle), sleep(500).then(() => false)]);
      client.pending.delete(req.header.msg_id);
      if (ok && sawIopub) return client;
    }
    await client.kill();
    throw new Error(`the kernel did not answer within ${opts.startupTimeoutMs ?? 60_000} ms: ${client.stderr.trim().slice(-2000)}`);
  }

  private request(sock: ZMQ.Dealer, msg: Message<unknown>, timeoutMs: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.replies.delete(msg.header.msg_id);
        reject(new Error(`no reply to ${msg.header.msg_type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.replies.set(msg.header.msg_id, (m) => {
        clearTimeout(t);
        resolve(m);
      });
      sock.send(encodeFrames({ ...msg, identities: [] }, this.info.key)).catch((e: Error) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  private async readLoop(sock: ZMQ.Dealer): Promise<void> {
    try {
      for await (const frames of sock) {
        const d = decodeFrames(frames as Buffer[], this.info.key);
        if (!d.ok) continue;
        const parent = d.message.parent_header.msg_id;
        if (!parent) continue;
        const p = this.pending.get(parent);
        if (p && d.message.header.msg_type === "execute_reply") {
          p.reply = d.message;
          if (p.idle) p.done();
        }
        this.replies.get(parent)?.(d.message);
        this.replies.delete(parent);
      }
    } catch {
      // socket closed
    }
  }

  private async iopubLoop(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const d = decodeFrames(frames as Buffer[], this.info.key);
        if (!d.ok) continue;
        this.onIopub(d.message);
      }
    } catch {
      // socket closed
    }
  }

  private onIopub(m: Message): void {
    const c = m.content as Record<string, unknown>;
    const type = m.header.msg_type;
    if (type === "update_display_data") {
      const id = (c.transient as { display_id?: string } | undefined)?.display_id;
      for (const o of (id && this.displays.get(id)) || []) {
        o.data = c.data as Record<string, unknown>;
        o.metadata = (c.metadata as Record<string, unknown>) ?? {};
      }
      return;
    }
    const p = this.pending.get(m.parent_header.msg_id ?? "");
    if (!p) return;
    let out: Output | null = null;
    switch (type) {
      case "status":
        if (c.execution_state === "busy") p.busyAt = Date.now();
        if (c.execution_state === "idle") {
          p.idle = true;
          if (p.reply || m.parent_header.msg_type !== "execute_request") p.done();
        }
        return;
      case "stream": {
        const last = p.outputs[p.outputs.length - 1];
        if (last && last.output_type === "stream" && last.name === c.name) {
          last.text += String(c.text);
          p.onOutput?.(last, p.outputs);
          return;
        }
        out = { output_type: "stream", name: c.name as "stdout" | "stderr", text: String(c.text) };
        break;
      }
      case "display_data": {
        const o = { output_type: "display_data" as const, data: c.data as Record<string, unknown>, metadata: (c.metadata as Record<string, unknown>) ?? {} };
        const id = (c.transient as { display_id?: string } | undefined)?.display_id;
        if (id) this.displays.set(id, [...(this.displays.get(id) ?? []), o]);
        out = o;
        break;
      }
      case "execute_result":
        out = { output_type: "execute_result", execution_count: (c.execution_count as number) ?? null, data: c.data as Record<string, unknown>, metadata: (c.metadata as Record<string, unknown>) ?? {} };
        break;
      case "error":
        out = { output_type: "error", ename: String(c.ename), evalue: String(c.evalue), traceback: (c.traceback as string[]) ?? [] };
        break;
      case "clear_output":
        p.outputs.length = 0;
        return;
      default:
        return;
    }
    p.outputs.push(out);
    p.onOutput?.(out, p.outputs);
  }

  /**
   * Executes code; resolves when the kernel has replied and gone idle, or the timeout passed (counted
   * from the kernel's busy for this request; then the kernel is interrupted, and killed if it does not
   * answer the interrupt within 10 s).
   */
  async execute(code: string, opts: { stopOnError?: boolean; timeoutMs?: number; onOutput?: (o: Output, all: Output[]) => void } = {}): Promise<ExecuteOutcome> {
    const started = Date.now();
    if (this.exited) return { status: "dead", executionCount: null, outputs: [], started, finished: started };
    const req = newMessage(
      "execute_request",
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: opts.stopOnError ?? true },
      undefined,
      { session: this.session },
    );
    const p: Pending = { outputs: [], reply: null, idle: false, busyAt: 0, done: () => {}, onOutput: opts.onOutput };
    const finished = new Promise<void>((r) => (p.done = r));
    this.pending.set(req.header.msg_id, p);
    await this.shell.send(encodeFrames(req, this.info.key));
    let timedOut = false;
    if (opts.timeoutMs && opts.timeoutMs > 0) {
      // The clock starts when the kernel says busy (the cell started): a kernel still loading its
      // engine (it answers kernel_info before) does not eat a cell's time. Without a busy, from the send.
      const limit = opts.timeoutMs;
      let over = false;
      void finished.then(() => (over = true));
      const inTime = await new Promise<boolean>((resolve) => {
        const tick = () => {
          // Done only when both the reply (shell) and idle (iopub) arrived: under load idle can come
          // first, and a cell read then would have no reply and look like a dead kernel.
          if (over) return resolve(true);
          const from = p.busyAt || started + BUSY_WAIT_MS;
          if (Date.now() - from > limit) return resolve(false);
          setTimeout(tick, 25);
        };
        tick();
      });
      if (!inTime) {
        timedOut = true;
        this.interrupt();
        const answered = await Promise.race([finished.then(() => true), sleep(10_000).then(() => false)]);
        if (!answered) await this.kill();
      }
    } else {
      await finished;
    }
    this.pending.delete(req.header.msg_id);
    const rc = p.reply?.content as { status?: string; execution_count?: number } | undefined;
    let status: ExecuteOutcome["status"] = this.exited && !rc ? "dead" : (rc?.status as ExecuteOutcome["status"]) ?? "dead";
    if (timedOut) status = "timeout";
    // Timed from our send to the reply: iopub's busy can arrive after the shell reply.
    return { status, executionCount: rc?.execution_count ?? null, outputs: p.outputs, started, finished: Date.now() };
  }

  /** Asks for completions at `cursorPos` (`complete_request`); resolves to the reply's content. */
  async complete(code: string, cursorPos: number): Promise<{ matches: string[]; cursor_start: number; cursor_end: number; status: string }> {
    const r = await this.request(this.shell, newMessage("complete_request", { code, cursor_pos: cursorPos }, undefined, { session: this.session }), 30_000);
    return r.content as { matches: string[]; cursor_start: number; cursor_end: number; status: string };
  }

  /** Asks for the documentation at `cursorPos` (`inspect_request`); resolves to the reply's content. */
  async inspect(code: string, cursorPos: number): Promise<{ found: boolean; data: Record<string, string>; status: string }> {
    const r = await this.request(this.shell, newMessage("inspect_request", { code, cursor_pos: cursorPos, detail_level: 0 }, undefined, { session: this.session }), 30_000);
    return r.content as { found: boolean; data: Record<string, string>; status: string };
  }

  /**
   * Makes this kernel fresh for another notebook without a new process (packetwalk's kernel only:
   * `packetwalk_reset_request`): the cells' names, declarations and execution count are forgotten,
   * and the targets, connections and labs notebooks left open are closed; TypeScript and packetwalk's
   * loaded modules stay. Rejects when the kernel does not answer within `timeoutMs` or cannot reset.
   *
   * @example
   * await k.reset(); // the next execute() starts at execution count 1, with no names defined
   */
  async reset(timeoutMs = 30_000): Promise<void> {
    if (this.exited) throw new Error("the kernel is dead");
    const r = await this.request(this.shell, newMessage("packetwalk_reset_request", {}, undefined, { session: this.session }), timeoutMs);
    const c = r.content as { status?: string; evalue?: string; problems?: string[] };
    if (c.status !== "ok") throw new Error(`the kernel cannot reset: ${c.evalue ?? c.status}`);
    this.displays.clear();
    this.notebooks++;
    this.resetProblems = c.problems ?? [];
  }

  /** How many notebooks this kernel was reset for (0: fresh since it started). */
  notebooks = 0;
  /** Whether a notebook ran on it (the runner resets it before the next). */
  used = false;
  /** What the last reset could not close cleanly. */
  resetProblems: string[] = [];

  /** How the process ended (null while it runs), for a dead kernel's message. */
  get exitStatus(): { code: number | null; signal: string | null } | null {
    return this.exitInfo;
  }

  /** Sends SIGINT (the kernelspecs' interrupt_mode is "signal"). */
  interrupt(): void {
    if (!this.exited) this.process.kill("SIGINT");
  }

  /** Whether the kernel process is gone. */
  get dead(): boolean {
    return this.exited;
  }

  /** Asks the kernel to shut down; kills it if it has not exited within 5 s. */
  async shutdown(): Promise<void> {
    if (!this.exited) {
      await this.request(this.control, newMessage("shutdown_request", { restart: false }, undefined, { session: this.session }), 5000).catch(() => {});
      await Promise.race([new Promise((r) => this.process.once("exit", r)), sleep(5000)]);
    }
    await this.kill();
  }

  /** Kills the process and closes the sockets. */
  async kill(): Promise<void> {
    if (!this.exited) {
      this.process.kill("SIGKILL");
      await Promise.race([new Promise((r) => this.process.once("exit", r)), sleep(2000)]);
    }
    for (const s of [this.shell, this.control, this.iopub]) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
    fs.rmSync(this.file, { force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
