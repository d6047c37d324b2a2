import * as fs from "node:fs";
import * as path from "node:path";

let cached: string | undefined;

/**
 * The version in packetwalk's package.json, found by walking up from this module (works from `lib/`
 * sources and from `dist/lib/`).
 *
 * @example
 * packetwalkVersion(); // "0.1.0"
 */
export function packetwalkVersion(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, "package.json");
    try {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "packetwalk" && pkg.version) return (cached = pkg.version);
    } catch {
      // keep walking up
    }
    dir = path.dirname(dir);
  }
  return (cached = "0.0.0-unknown");
}

/**
 * The root directory of the packetwalk package (the folder holding its package.json).
 *
 * @example
 * path.join(packageRoot(), "notebooks"); // "/work/main/notebooks"
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "packetwalk") return dir;
    } catch {
      // keep walking up
    }
    dir = path.dirname(dir);
  }
  throw new Error(`packetwalk: cannot find the package root above ${__dirname}`);
}
