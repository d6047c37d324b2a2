/**
 * Loading a command's heavy modules only when the command does its work (not for `--help` or a usage
 * error): compiled, with `require` (the CLI stays off Node's ESM loader); from sources (vitest), with
 * `import()` of the `.ts` file.
 */
const FROM_SOURCES = __filename.endsWith(".ts");

/**
 * Loads `rel` (a path without extension, relative to `kernel/commands/`).
 *
 * @example
 * const { readCapture } = await loadModule<typeof import("../../lib/capture/read")>("../../lib/capture/read");
 */
export async function loadModule<T>(rel: string): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (FROM_SOURCES ? await import(`${rel}.ts`) : require(`${rel}.js`)) as T;
}
