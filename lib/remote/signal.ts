/** AbortSignal helpers for the remote layer. */
import { setMaxListeners } from "node:events";

/**
 * A signal that aborts when `signal` does (with its reason), with room for `maxListeners` listeners,
 * for fan-outs where every node's wait listens at once (Node warns past 10).
 *
 * @example
 * const s = followSignal(io.signal, 64);
 */
export function followSignal(signal: AbortSignal, maxListeners: number): AbortSignal {
  const ac = new AbortController();
  setMaxListeners(maxListeners, ac.signal);
  if (signal.aborted) ac.abort(signal.reason);
  else signal.addEventListener("abort", () => ac.abort(signal.reason), { once: true });
  return ac.signal;
}
