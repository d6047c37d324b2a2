/**
 * Cooperative cancellation for notebook work. A Jupyter interrupt (SIGINT or `interrupt_request`)
 * calls {@link interruptAll}, which aborts the signal every helper is listening to — sockets close, SSH
 * channels close, timers clear — and starts a fresh one, so the kernel keeps its state and the next
 * cell runs normally. Helpers take an optional `signal` and combine it with {@link interruptSignal}
 * through {@link withInterrupt}.
 */

import { setMaxListeners } from "node:events";

const STATE = Symbol.for("packetwalk.cancel.state");

/** A controller whose signal any number of concurrent helpers may listen to (32 nodes at once is normal). */
function newController(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}

interface CancelState {
  controller: AbortController;
  interrupts: number;
}

function state(): CancelState {
  const g = globalThis as Record<symbol, unknown>;
  let s = g[STATE] as CancelState | undefined;
  if (!s) {
    s = { controller: newController(), interrupts: 0 };
    g[STATE] = s;
  }
  return s;
}

/** The reason an interrupted helper sees (`signal.reason`). */
export class InterruptedError extends Error {
  constructor(message = "interrupted") {
    super(message);
    this.name = "InterruptedError";
  }
}

/**
 * The signal of the current interrupt generation: aborted by the next interrupt.
 *
 * @example
 * socket.on("close", …);
 * interruptSignal().addEventListener("abort", () => socket.destroy());
 */
export function interruptSignal(): AbortSignal {
  return state().controller.signal;
}

/**
 * Aborts all in-flight helper work and starts a new generation. Called by the kernel on interrupt.
 *
 * @example
 * process.on("SIGINT", () => interruptAll());
 */
export function interruptAll(reason = "interrupted by the user"): number {
  const s = state();
  const old = s.controller;
  s.controller = newController();
  s.interrupts++;
  old.abort(new InterruptedError(reason));
  return s.interrupts;
}

/**
 * Combines a caller's signal (if any) with the interrupt signal: aborted when either aborts.
 *
 * @example
 * async function probeX(opts: { signal?: AbortSignal } = {}) {
 *   const signal = withInterrupt(opts.signal);
 *   …
 * }
 */
export function withInterrupt(signal?: AbortSignal): AbortSignal {
  const i = interruptSignal();
  return signal ? AbortSignal.any([signal, i]) : i;
}

/** A time limit as a signal, with the means to drop it early. */
export interface Deadline {
  /** Aborts when the time is up (reason: a `TimeoutError` DOMException) or when a parent signal aborts (its reason). */
  readonly signal: AbortSignal;
  /** Cancels the timer and forgets the parents (call when the work ended before its time). */
  clear(): void;
}

/**
 * A signal that aborts after `ms` (never for `Infinity`), or as soon as any of `parents` aborts. Use it instead of
 * `AbortSignal.any([signal, AbortSignal.timeout(ms)])`: Node 20 garbage-collects a timeout signal whose
 * only holder is an `AbortSignal.any` composite, and the time limit then never fires (`flows --for 3`
 * polled until interrupted). Here the timer holds the controller, so the limit always ends what it limits.
 * The timer does not keep the process alive on its own.
 *
 * @example
 * const d = deadline(3000, io.signal);
 * try { await poller.run({ signal: d.signal, onSnapshot }); } finally { d.clear(); }
 */
export function deadline(ms: number, ...parents: (AbortSignal | undefined)[]): Deadline {
  const ac = new AbortController();
  const cleanups: (() => void)[] = [];
  const clear = (): void => {
    for (const c of cleanups.splice(0)) c();
  };
  const abort = (reason: unknown): void => {
    clear();
    if (!ac.signal.aborted) ac.abort(reason);
  };
  for (const p of parents) {
    if (!p) continue;
    if (p.aborted) {
      abort(p.reason);
      return { signal: ac.signal, clear };
    }
    const onAbort = (): void => abort(p.reason);
    p.addEventListener("abort", onAbort, { once: true });
    cleanups.push(() => p.removeEventListener("abort", onAbort));
  }
  // No limit (Infinity) means none; past setTimeout's 2^31-1 ms the timer would fire at once, so clamp.
  if (Number.isFinite(ms)) {
    const timer = setTimeout(() => abort(new DOMException(`the ${ms} ms time limit is up`, "TimeoutError")), Math.min(Math.max(0, ms), 2 ** 31 - 1));
    timer.unref?.();
    cleanups.push(() => clearTimeout(timer));
  }
  return { signal: ac.signal, clear };
}

/**
 * Sleeps `ms` milliseconds, resolving early (with `false`) when `signal` aborts.
 *
 * @example
 * if (!(await sleep(200, signal))) return collected; // aborted
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Races a promise against a signal: rejects with `makeError()` as soon as the signal aborts (or at once
 * when it already has), else settles as the promise does. The promise itself is not cancelled; the
 * caller stops the underlying work.
 *
 * @example
 * const addr = await raceAbort(dns.promises.lookup(host), signal, () => new Error("aborted"));
 */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined, makeError: () => unknown): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(makeError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(makeError());
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
