/**
 * What a kernel reused for another notebook forgets: helpers that keep state between cells (the target
 * a notebook opened last, open SSH connections, a lab a notebook started) register here, and the
 * kernel's reset (`packetwalk_reset_request`, what the headless runner sends between notebooks) runs
 * them, so the next notebook starts as in a fresh kernel. Kept on `globalThis` so every copy of the
 * module shares one list.
 */
const HOOKS = Symbol.for("packetwalk.kernelReset.hooks");

function hooks(): Set<() => void | Promise<void>> {
  const g = globalThis as Record<symbol, unknown>;
  return ((g[HOOKS] as Set<() => void | Promise<void>> | undefined) ??= new Set()) as Set<() => void | Promise<void>>;
}

/**
 * Registers what to forget (or close) when the kernel is reset for another notebook; returns the
 * function that unregisters it.
 *
 * @example
 * const off = onKernelReset(() => { current = null; });
 */
export function onKernelReset(fn: () => void | Promise<void>): () => void {
  hooks().add(fn);
  return () => hooks().delete(fn);
}

/**
 * Runs every registered reset (each at most `timeoutMs`; a failing one does not stop the others).
 * Returns the errors, as text.
 *
 * @example
 * const problems = await resetKernelState(); // [] when every helper let go cleanly
 */
export async function resetKernelState(timeoutMs = 5000): Promise<string[]> {
  const problems: string[] = [];
  await Promise.all(
    [...hooks()].map(async (fn) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(fn),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not finish within ${timeoutMs} ms`)), timeoutMs);
            timer.unref?.();
          }),
        ]);
      } catch (e) {
        problems.push((e as Error)?.message ?? String(e));
      } finally {
        if (timer) clearTimeout(timer);
      }
    }),
  );
  return problems;
}
