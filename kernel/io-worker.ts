/**
 * The kernel's socket thread: a worker thread that owns every ZeroMQ socket of the connection file, so
 * that what user code does on the main thread (a synchronous loop, a blocking call) cannot stop it:
 * - the heartbeat is echoed here;
 * - messages the main thread sends (statuses, `execute_input`, streams written by a running cell) are
 *   posted to this thread synchronously and leave at once, even while the cell's synchronous code runs;
 * - `interrupt_request` on control is answered here and raises SIGINT in the process, which breaks a
 *   synchronous cell (tslab runs cells with `breakOnSigint`) as well as an awaiting one;
 * - `kernel_info_request` is answered here until the main thread has loaded the engine (start-up);
 * - a `shutdown_request` the main thread does not act on within {@link SHUTDOWN_GRACE_MS} (a cell stuck in
 *   synchronous code) is followed by SIGINTs, then by the end of the process (SIGKILL);
 * - the process that started the kernel is watched (Jupyter's convention: `JPY_PARENT_PID`, else the
 *   parent pid changing): when it is gone the main thread is told to shut down, and the process ends
 *   if it does not.
 * The main thread (server.ts) decodes and handles requests; this thread only verifies what it answers
 * itself.
 */
import { parentPort, workerData } from "node:worker_threads";
import type * as ZMQ from "zeromq";
import { startHeartbeat } from "./heartbeat";
import { kernelInfo } from "./kernel-info";
import { channelAddress, ConnectionInfo, decodeFrames, encodeFrames, Message, newMessage } from "./protocol/wire";

/** What the main thread gives the worker. */
export interface IoWorkerData {
  info: ConnectionInfo;
  /** The pid to watch (`JPY_PARENT_PID`), or null to watch for the parent pid changing. */
  parentPid: number | null;
  /** The parent pid at start (for the change check). */
  ppid: number;
  /** How often the parent is checked, ms. */
  parentPollMs: number;
}

/** Messages between the threads. */
export type ToWorker =
  | { type: "send"; channel: "shell" | "control" | "stdin" | "iopub"; frames: Uint8Array[] }
  | { type: "engine-ready" }
  | { type: "close" };
export type FromWorker =
  | { type: "bound" }
  | { type: "bind-failed"; error: string }
  | { type: "recv"; channel: "shell" | "control" | "stdin"; frames: Uint8Array[] }
  | { type: "parent-gone" }
  | { type: "log"; text: string }
  | { type: "closed" };

/** After a shutdown request (or the parent's end), how long the main thread has to act before SIGINT. */
export const SHUTDOWN_GRACE_MS = 2000;
/** SIGINTs (one a second) before the process is ended with SIGKILL. */
const INTERRUPTS_BEFORE_KILL = 5;

function main(): void {
  const port = parentPort;
  if (!port) return;
  const data = workerData as IoWorkerData;
  const key = data.info.key ?? "";
  const post = (m: FromWorker) => port.postMessage(m);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zmq = require("zeromq") as typeof ZMQ;
  const sockets = {
    iopub: new zmq.Publisher(),
    shell: new zmq.Router(),
    control: new zmq.Router(),
    stdin: new zmq.Router(),
  };
  type Out = keyof typeof sockets;
  const sending: Record<Out, Promise<void>> = { iopub: Promise.resolve(), shell: Promise.resolve(), control: Promise.resolve(), stdin: Promise.resolve() };
  const send = (channel: Out, frames: Uint8Array[]) => {
    sending[channel] = sending[channel].then(() => sockets[channel].send(frames as Buffer[])).catch(() => {});
  };
  const sendMessage = (channel: Out, m: Message) => send(channel, encodeFrames(m, key));
  const fallbacks: NodeJS.Timeout[] = [];
  let engineReady = false;
  let closing = false;
  let shutdownTimer: NodeJS.Timeout | null = null;

  /**
   * The main thread has not shut down: SIGINT (a signal that lands while it is still compiling is only
   * seen once the loop turns, so it is sent again every second), then the end of the process.
   */
  const escalate = (attempt: number) => {
    if (closing) return;
    if (attempt >= INTERRUPTS_BEFORE_KILL) return process.kill(process.pid, "SIGKILL");
    process.kill(process.pid, "SIGINT");
    const t = setTimeout(() => escalate(attempt + 1), 1000);
    if (shutdownTimer) shutdownTimer = t;
    fallbacks.push(t);
  };

  /** Answers what this thread answers itself; true when it did. */
  const answerHere = (channel: "shell" | "control" | "stdin", m: Message): boolean => {
    const type = m.header.msg_type;
    if (channel === "control" && type === "interrupt_request") {
      sendMessage("control", newMessage("interrupt_reply", { status: "ok" }, m));
      process.kill(process.pid, "SIGINT");
      return true;
    }
    if (!engineReady && type === "kernel_info_request" && channel !== "stdin") {
      const status = (state: string) => sendMessage("iopub", newMessage("status", { execution_state: state }, m, { identities: [] }));
      if (channel === "shell") status("busy");
      sendMessage(channel, newMessage("kernel_info_reply", kernelInfo(), m));
      if (channel === "shell") status("idle");
      return true;
    }
    if (type === "shutdown_request" && !shutdownTimer) {
      // The main thread answers; if it is stuck in synchronous code, break it, then end the process.
      shutdownTimer = setTimeout(() => escalate(0), SHUTDOWN_GRACE_MS);
    }
    return false;
  };

  const read = async (channel: "shell" | "control" | "stdin") => {
    try {
      for await (const frames of sockets[channel]) {
        const d = decodeFrames(frames as Buffer[], key);
        if (d.ok && answerHere(channel, d.message)) continue;
        post({ type: "recv", channel, frames: frames as Buffer[] });
      }
    } catch {
      // closed
    }
  };

  let hb: { close(): void } | null = null;
  let parentTimer: NodeJS.Timeout | null = null;
  port.on("message", (m: ToWorker) => {
    if (m.type === "send") send(m.channel, m.frames);
    else if (m.type === "engine-ready") engineReady = true;
    else if (m.type === "close" && !closing) {
      closing = true;
      if (shutdownTimer) clearTimeout(shutdownTimer);
      if (parentTimer) clearInterval(parentTimer);
      for (const t of fallbacks) clearTimeout(t);
      void Promise.all(Object.values(sending)).then(async () => {
        await new Promise((r) => setTimeout(r, 20));
        hb?.close();
        for (const s of Object.values(sockets)) s.close();
        post({ type: "closed" });
      });
    }
  });

  const bindAll = async () => {
    hb = await startHeartbeat(zmq, channelAddress(data.info, "hb"));
    await Promise.all((Object.keys(sockets) as Out[]).map((c) => sockets[c].bind(channelAddress(data.info, c))));
  };
  bindAll().then(
    () => {
      post({ type: "bound" });
      for (const c of ["shell", "control", "stdin"] as const) void read(c);
    },
    (e: unknown) => post({ type: "bind-failed", error: (e as Error).message }),
  );

  parentTimer = setInterval(() => {
    if (closing || !parentGone(data)) return;
    if (parentTimer) clearInterval(parentTimer);
    post({ type: "log", text: "the process that started the kernel is gone: shutting down" });
    post({ type: "parent-gone" });
    fallbacks.push(setTimeout(() => escalate(0), SHUTDOWN_GRACE_MS));
  }, data.parentPollMs);
  parentTimer.unref();
}

/**
 * Whether the process that started the kernel is gone: `parentPid` no longer exists, or (without one)
 * this process was re-parented.
 *
 * @example
 * parentGone({ parentPid: null, ppid: process.ppid }); // false
 */
export function parentGone(d: Pick<IoWorkerData, "parentPid" | "ppid">): boolean {
  if (d.parentPid) {
    try {
      process.kill(d.parentPid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ESRCH";
    }
  }
  return process.ppid !== d.ppid;
}

main();
