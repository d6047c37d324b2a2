/**
 * A full GC, then a pause for V8's concurrent sweeping of it to finish, so it does not run on the second
 * core while the next measurement runs (works without --expose-gc).
 */
import * as v8 from "node:v8";
import * as vm from "node:vm";

/**
 * Collects garbage now and waits `ms` for the sweeping to end.
 *
 * @example
 * await settle(); // then time the next phase
 */
export async function settle(ms = 300): Promise<void> {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as unknown;
    if (typeof gc === "function") (gc as () => void)();
  } catch {
    // No GC hook on this runtime: the next phase may then pay for the previous one's garbage.
  }
  await new Promise((resolve) => setTimeout(resolve, ms));
}
