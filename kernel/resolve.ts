/**
 * Makes `import … from "packetwalk"` — and from the kernel's own dependencies (arquero, vega-lite, vega,
 * yaml, ssh2) — work in any notebook, whatever folder it sits in:
 * - at run time, Node's resolver maps `packetwalk` and `packetwalk/…` to this package, and a dependency
 *   the notebook's folder does not provide resolves from this package's folder;
 * - at type-check time, tslab's TypeScript (Node10 resolution, rooted at the notebook's folder) sees a
 *   virtual `<cwd>/node_modules/packetwalk` that forwards to this package, and virtual
 *   `<cwd>/node_modules/NAME` (and `@types/NAME`) for each dependency the folder lacks, forwarding to the
 *   copy this package uses, so types and completion work.
 * A notebook folder with its own `node_modules/NAME` keeps its own copy.
 */
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";

/** The packages a notebook imports by name without installing them: the kernel's own dependencies. */
export const NOTEBOOK_DEPENDENCIES = ["arquero", "vega-lite", "vega", "yaml", "ssh2"] as const;

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
  const deps = new Set<string>(NOTEBOOK_DEPENDENCIES);
  M._resolveFilename = function (request, parent, isMain, options) {
    const mapped = mapPacketwalkRequest(request, root);
    try {
      return original.call(this, mapped ?? request, parent, isMain, options);
    } catch (e) {
      // The notebook's folder does not have it: a kernel dependency resolves from this package.
      if (mapped || !deps.has(packageName(request))) throw e;
      return original.call(this, request, parent, isMain, { paths: [root] });
    }
  };
  M[PATCHED] = true;
}

/**
 * The package a module request names: `"vega-lite/build/x"` → `"vega-lite"`, `"@types/ssh2"` →
 * `"@types/ssh2"`; relative and absolute requests give `""`.
 *
 * @example
 * packageName("arquero/dist/types"); // "arquero"
 */
export function packageName(request: string): string {
  if (request.startsWith(".") || path.isAbsolute(request)) return "";
  const parts = request.split("/");
  return request.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * Where this package's copy of each notebook dependency (and its `@types/NAME`, when there is one)
 * lives: `root/node_modules/NAME`, or the nearest `node_modules/NAME` above `root` (hoisted installs).
 *
 * @example
 * dependencyDirs("/opt/pw").get("arquero"); // "/opt/pw/node_modules/arquero"
 */
export function dependencyDirs(root: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of NOTEBOOK_DEPENDENCIES.flatMap((n) => [n, `@types/${n}`])) {
    for (let dir = root; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, "node_modules", name);
      if (fs.existsSync(path.join(candidate, "package.json"))) {
        found.set(name, candidate);
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  return found;
}

/**
 * Maps a path under `<cwd>/node_modules/NAME/` to this package's copy of NAME when the notebook's folder
 * has none (`local` says whether it has); other paths are returned unchanged.
 *
 * @example
 * forwardDependencyPath("/nb/node_modules/yaml/dist/index.d.ts", "/nb", new Map([["yaml", "/opt/pw/node_modules/yaml"]]), () => false);
 * // "/opt/pw/node_modules/yaml/dist/index.d.ts"
 */
export function forwardDependencyPath(p: string, cwd: string, deps: Map<string, string>, local: (dir: string) => boolean): string {
  const rel = path.relative(path.join(cwd, "node_modules"), p);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return p;
  const name = packageName(rel.split(path.sep).join("/"));
  const target = deps.get(name);
  if (!target || local(path.join(cwd, "node_modules", name))) return p;
  return path.join(target, path.relative(name, rel));
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
  const deps = dependencyDirs(root);
  const hasLocal = new Map<string, boolean>();
  const local = (dir: string) => {
    let v = hasLocal.get(dir);
    if (v === undefined) hasLocal.set(dir, (v = fs.existsSync(dir)));
    return v;
  };
  const fwd = (p: string) => {
    const pw = forwardVirtualPath(p, cwd, root);
    return pw !== p ? pw : forwardDependencyPath(p, cwd, deps, local);
  };
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
    // Keep packetwalk's virtual paths virtual, so imports inside its .d.ts resolve under the virtual
    // root; a dependency's are made real, so its own imports (vega → vega-typings) resolve where it lives.
    sys.realpath = (p) => {
      if (forwardVirtualPath(p, cwd, root) !== p) return p;
      const dep = forwardDependencyPath(p, cwd, deps, local);
      return realpath(dep);
    };
  }
  ts[PATCHED] = true;
}
