/**
 * Kernelspecs without Python: `packetwalk kernel install|list|uninstall` write and read
 * `<dir>/share/jupyter/kernels/<name>/kernel.json` directly, in the folders Jupyter searches.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageRoot, packetwalkVersion } from "../lib/display/version";

/** Where to install: the user's data dir (default), or `<prefix>/share/jupyter/kernels`. */
export interface SpecLocation {
  user?: boolean;
  prefix?: string;
}

/**
 * The user's Jupyter kernels folder, honouring `JUPYTER_DATA_DIR` and `XDG_DATA_HOME` as Jupyter does.
 *
 * @example
 * userKernelsDir({ HOME: "/home/me" }); // "/home/me/.local/share/jupyter/kernels" on Linux
 */
export function userKernelsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return path.join(env.JUPYTER_DATA_DIR, "kernels");
  const home = env.HOME ?? os.homedir();
  if (process.platform === "darwin") return path.join(home, "Library", "Jupyter", "kernels");
  if (process.platform === "win32") return path.join(env.APPDATA ?? home, "jupyter", "kernels");
  return path.join(env.XDG_DATA_HOME ?? path.join(home, ".local", "share"), "jupyter", "kernels");
}

/**
 * Every folder Jupyter searches for kernelspecs, most specific first.
 *
 * @example
 * kernelSearchDirs(); // ["~/.local/share/jupyter/kernels", "/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels"]
 */
export function kernelSearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [userKernelsDir(env)];
  for (const p of (env.JUPYTER_PATH ?? "").split(path.delimiter).filter(Boolean)) dirs.push(path.join(p, "kernels"));
  dirs.push("/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels");
  return [...new Set(dirs)];
}

/**
 * The folder a kernelspec is written to.
 *
 * @example
 * kernelsDirFor({ prefix: "/tmp/jp" }); // "/tmp/jp/share/jupyter/kernels"
 */
export function kernelsDirFor(loc: SpecLocation, env: NodeJS.ProcessEnv = process.env): string {
  return loc.prefix ? path.join(path.resolve(loc.prefix), "share", "jupyter", "kernels") : userKernelsDir(env);
}

/** A kernel.json. */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal" | "message";
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/**
 * The kernel.json that starts this packetwalk install with the current Node.
 *
 * @example
 * kernelSpec("packetwalk").argv; // ["/usr/bin/node", "/opt/pw/dist/kernel/start.js", "{connection_file}"]
 */
export function kernelSpec(name = "packetwalk"): KernelSpec {
  return {
    argv: [process.execPath, path.join(packageRoot(), "dist", "kernel", "start.js"), "{connection_file}"],
    display_name: name === "packetwalk" ? "TypeScript (packetwalk)" : `TypeScript (packetwalk: ${name})`,
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { packetwalk_version: packetwalkVersion(), debugger: false },
  };
}

function checkName(name: string): string {
  if (!/^[a-zA-Z0-9._-]{1,64}$/.test(name)) throw new Error(`invalid kernel name ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-'`);
  return name;
}

/** The logo files a kernelspec carries (`kernel/logo/`: the SVG is the source, the PNGs rendered from it with resvg). */
export const KERNEL_LOGOS = ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"] as const;

/**
 * Writes the kernelspec (kernel.json and the logos); returns its folder.
 *
 * @example
 * installKernelSpec({ prefix: "/tmp/jp" }); // "/tmp/jp/share/jupyter/kernels/packetwalk"
 */
export function installKernelSpec(loc: SpecLocation & { name?: string } = {}, env: NodeJS.ProcessEnv = process.env): string {
  const name = checkName(loc.name ?? "packetwalk");
  const dir = path.join(kernelsDirFor(loc, env), name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelSpec(name), null, 2) + "\n");
  // Jupyter shows these in the launcher and the notebook's kernel indicator.
  for (const logo of KERNEL_LOGOS) fs.copyFileSync(path.join(packageRoot(), "kernel", "logo", logo), path.join(dir, logo));
  return dir;
}

/** One installed packetwalk kernelspec. */
export interface InstalledSpec {
  name: string;
  dir: string;
  spec: KernelSpec;
  /** Whether its argv starts this very install. */
  current: boolean;
}

/**
 * The packetwalk kernelspecs installed in the search folders (and `extraDirs`).
 *
 * @example
 * listKernelSpecs().map((s) => `${s.name} ${s.dir}`);
 */
export function listKernelSpecs(extraDirs: string[] = [], env: NodeJS.ProcessEnv = process.env): InstalledSpec[] {
  const found: InstalledSpec[] = [];
  const mine = path.join(packageRoot(), "dist", "kernel", "start.js");
  for (const base of [...extraDirs, ...kernelSearchDirs(env)]) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(base);
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(base, name, "kernel.json");
      try {
        const spec = JSON.parse(fs.readFileSync(file, "utf8")) as KernelSpec;
        const isPw = spec.argv?.some((a) => /[\\/]kernel[\\/]start\.js$/.test(a));
        if (isPw) found.push({ name, dir: path.join(base, name), spec, current: spec.argv[1] === mine });
      } catch {
        // not a kernelspec folder
      }
    }
  }
  return found;
}

/**
 * Removes a packetwalk kernelspec; returns the folder removed, or null when there was none.
 *
 * @example
 * uninstallKernelSpec({ prefix: "/tmp/jp" });
 */
export function uninstallKernelSpec(loc: SpecLocation & { name?: string } = {}, env: NodeJS.ProcessEnv = process.env): string | null {
  const name = checkName(loc.name ?? "packetwalk");
  const dir = path.join(kernelsDirFor(loc, env), name);
  if (!fs.existsSync(path.join(dir, "kernel.json"))) return null;
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}
