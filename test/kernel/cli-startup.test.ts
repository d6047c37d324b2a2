/**
 * The CLI's light paths load no heavy module: `--help`, `parse --help` and `capture --help` stay off
 * the parsers, arquero, the capture decoder, TypeScript and ZeroMQ (timings are in `npm run bench`).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { KINDS as DETECT_KINDS } from "../../lib/vrouter/detect";
import { KINDS, isKind } from "../../lib/vrouter/kinds";
import { requireBuilt, ROOT } from "./helpers";

function modulesLoadedBy(args: string[]): string[] {
  const script = `const { main } = require(${JSON.stringify(path.join(ROOT, "dist", "kernel", "cli.js"))});
const sink = { write: () => true };
main(${JSON.stringify(args)}, { stdout: sink, stderr: sink, stdin: process.stdin, signal: new AbortController().signal, env: process.env, cwd: process.cwd() })
  .then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache))));`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[];
}

describe("CLI start-up", () => {
  it("kinds.ts lists the same kinds as detect.ts", () => {
    expect(KINDS).toEqual(DETECT_KINDS);
    expect(isKind("nh")).toBe(true);
    expect(isKind("nope")).toBe(false);
  });

  for (const args of [["--help"], ["parse", "--help"], ["capture", "--help"], ["parse", "nope"]]) {
    it(`packetwalk ${args.join(" ")} loads no parser, arquero, decoder, TypeScript or ZeroMQ`, () => {
      requireBuilt();
      const heavy = modulesLoadedBy(args).filter((m) =>
        /node_modules[\\/](arquero|typescript|@tslab|tslab|zeromq|vega|vega-lite|ssh2)[\\/]|lib[\\/]vrouter[\\/](detect|flow|table)\.js|lib[\\/]capture[\\/](read|decode)/.test(m),
      );
      expect(heavy).toEqual([]);
    });
  }
});
