/**
 * Makes `import … from "packetwalk"` work in any notebook, whatever folder it sits in:
 * - at run time, Node's resolver maps `packetwalk` and `packetwalk/…` to this package;
 * - at type-check time, tslab's TypeScript (Node10 resolution, rooted at the notebook's folder) sees a
 *   virtual `<cwd>/node_modules/packetwalk` that forwards to this package, so types and completion work.
 */
import Module from "node:module";
import * as path from "node:path";

const PATCHED = Symbol.for("packetwalk.resolve.patched");

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;

/**
 * Maps a module request to this package when it names `packetwalk`; `null` otherwise.
 *
 * @example
 * mapPacketwalkRequest("packetwalk", "/opt/pw");            // "/opt/pw"
 * mapPacketwalkRequest("packetwalk/dist/lib/x", "/opt/pw"); // "/opt/pw/dist/lib/x"
 * mapPacketwalkRequest("arquero", "/opt/pw");               // null
 */
export function mapPacketwalkRequest(request: string, root: string): string | null {
  if (request === "packetwalk") return root;
  if (request.startsWith("packetwalk/")) return path.join(root, request.slice("packetwalk/".length));
  return null;
}

/**
 * Installs the run-time half: `require("packetwalk")` resolves to `root` from any module.
 *
 * @example
 * hookRuntimeResolution("/opt/packetwalk");
 * require("packetwalk").show("hello");
 */
export function hookRuntimeResolution(root: string): void {
  const M = Module as unknown as { _resolveFilename: ResolveFilename } & Record<symbol, unknown>;
  if (M[PATCHED]) return;
  const original = M._resolveFilename;
  M._resolveFilename = function (request, parent, isMain, options) {
    const mapped = mapPacketwalkRequest(request, root);
    return original.call(this, mapped ?? request, parent, isMain, options);
  };
  M[PATCHED] = true;
}

/**
 * Maps a path under `<cwd>/node_modules/packetwalk/` to the same path under `root`; other paths are
 * returned unchanged.
 *
 * @example
 * forwardVirtualPath("/nb/node_modules/packetwalk/dist/lib/index.d.ts", "/nb", "/opt/pw");
 * // "/opt/pw/dist/lib/index.d.ts"
 */
export function forwardVirtualPath(p: string, cwd: string, root: string): string {
  const rel = path.relative(path.join(cwd, "node_modules", "packetwalk"), p);
  if (rel === "" ) return root;
  if (rel.startsWith("..") || path.isAbsolute(rel)) return p;
  return path.join(root, rel);
}

interface TsSys {
  readFile(p: string, enc?: string): string | undefined;
  fileExists(p: string): boolean;
  directoryExists(p: string): boolean;
  realpath?(p: string): string;
  getDirectories(p: string): string[];
  readDirectory(...args: unknown[]): string[];
}

/**
 * Installs the type-check half on tslab's bundled TypeScript: file-system calls under the virtual
 * `<cwd>/node_modules/packetwalk` read this package instead. Must run before tslab's converter is made.
 *
 * @example
 * hookTypeResolution(process.cwd(), "/opt/packetwalk");
 */
export function hookTypeResolution(cwd: string, root: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("@tslab/typescript-for-tslab") as { sys: TsSys } & Record<symbol, unknown>;
  if (ts[PATCHED]) return;
  const sys = ts.sys;
  const fwd = (p: string) => forwardVirtualPath(p, cwd, root);
  const readFile = sys.readFile.bind(sys);
  const fileExists = sys.fileExists.bind(sys);
  const directoryExists = sys.directoryExists.bind(sys);
  const getDirectories = sys.getDirectories.bind(sys);
  const readDirectory = sys.readDirectory.bind(sys);
  sys.readFile = (p, enc) => readFile(fwd(p), enc);
  sys.fileExists = (p) => fileExists(fwd(p));
  sys.directoryExists = (p) => directoryExists(fwd(p));
  sys.getDirectories = (p) => getDirectories(fwd(p));
  sys.readDirectory = (p: unknown, ...rest: unknown[]) => readDirectory(fwd(p as string), ...rest);
  if (sys.realpath) {
    const realpath = sys.realpath.bind(sys);
    // Keep virtual paths virtual, so imports inside packetwalk's .d.ts resolve under the virtual root.
    sys.realpath = (p) => (fwd(p) !== p ? p : realpath(p));
  }
  ts[PATCHED] = true;
}
