/**
 * Turns a socket's events into a queue the probes can `await` one at a time, with a per-wait timeout and
 * an AbortSignal, so protocol code reads top to bottom and no listener or timer outlives the probe.
 */
import type * as net from "node:net";

/** One socket event, stamped with milliseconds since the probe started. */
export type SocketEvent =
  | { type: "connect"; t: number }
  | { type: "secure"; t: number }
  | { type: "data"; t: number; data: Buffer }
  | { type: "end"; t: number }
  | { type: "error"; t: number; error: Error }
  | { type: "close"; t: number }
  | { type: "timeout"; t: number }
  | { type: "aborted"; t: number };

/**
 * Queues the events of `socket`; `next()` resolves with the oldest one.
 *
 * @example
 * const q = new SocketEventQueue(socket, () => performance.now() - t0);
 * const ev = await q.next({ timeoutMs: 1000, signal });
 */
export class SocketEventQueue {
  private readonly events: SocketEvent[] = [];
  private waiter: ((e: SocketEvent) => void) | null = null;
  private readonly detachers: Array<() => void> = [];

  constructor(
    socket: net.Socket,
    private readonly now: () => number,
    connectEvent: "connect" | "secureConnect" = "connect",
  ) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const on = (name: string, f: (...a: any[]) => void) => {
      socket.on(name, f);
      this.detachers.push(() => socket.off(name, f));
    };
    on(connectEvent, () => this.push({ type: connectEvent === "connect" ? "connect" : "secure", t: this.now() }));
    on("data", (data: Buffer) => this.push({ type: "data", t: this.now(), data }));
    on("end", () => this.push({ type: "end", t: this.now() }));
    on("error", (error: Error) => this.push({ type: "error", t: this.now(), error }));
    on("close", () => this.push({ type: "close", t: this.now() }));
  }

  /** Stops listening (an `error` listener stays so a late error cannot crash the process). */
  detach(socket: net.Socket): void {
    for (const d of this.detachers.splice(0)) d();
    socket.on("error", () => {});
  }

  private push(e: SocketEvent): void {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(e);
    } else this.events.push(e);
  }

  /** Resolves with the next event, or a `timeout` / `aborted` pseudo-event. */
  next(opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<SocketEvent> {
    const queued = this.events.shift();
    if (queued) return Promise.resolve(queued);
    if (opts.signal?.aborted) return Promise.resolve({ type: "aborted", t: this.now() });
    return new Promise<SocketEvent>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (e: SocketEvent) => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        this.waiter = null;
        resolve(e);
      };
      const onAbort = () => done({ type: "aborted", t: this.now() });
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      if (opts.timeoutMs !== undefined && Number.isFinite(opts.timeoutMs)) {
        timer = setTimeout(() => done({ type: "timeout", t: this.now() }), Math.max(0, opts.timeoutMs));
      }
      this.waiter = done;
    });
  }
}
