/**
 * `clearOutput`: clears the output of the running cell, as IPython's `clear_output`. In packetwalk's
 * kernel it sends a `clear_output` message; outside a kernel (scripts, the CLI) there is nothing to clear.
 */
import { currentSink } from "./sink";

/**
 * Clears the current cell's output. With `wait: true` the frontend clears only when the next output
 * arrives (no flicker in loops that redraw).
 *
 * @example
 * import { clearOutput } from "packetwalk";
 * for (let i = 0; i < 10; i++) { clearOutput({ wait: true }); console.log(`step ${i}`); await sleep(100); }
 */
export function clearOutput(opts: { wait?: boolean } = {}): void {
  currentSink().clear?.(opts.wait ?? false);
}
