/** `packetwalk kernel install|list|uninstall|start`. */
import { parseArgs } from "node:util";
import { installKernelSpec, kernelsDirFor, listKernelSpecs, uninstallKernelSpec } from "../kernelspec";
import type { Command } from "./types";

const usage = `usage:
  packetwalk kernel install [--user | --prefix DIR] [--name NAME]
  packetwalk kernel list [--prefix DIR]
  packetwalk kernel uninstall [--user | --prefix DIR] [--name NAME]
  packetwalk kernel start CONNECTION_FILE     (what Jupyter runs)`;

const command: Command = {
  name: "kernel",
  summary: "install, list or remove the Jupyter kernelspec; start the kernel",
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === "start") {
      const file = rest.find((a) => !a.startsWith("-")) ?? rest[rest.indexOf("--connection-file") + 1];
      if (!file) {
        io.stderr.write(`packetwalk kernel start: missing CONNECTION_FILE\n${usage}\n`);
        return 2;
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { readConnectionFile, serveKernel } = require("../server") as typeof import("../server");
      await serveKernel(readConnectionFile(file), { cwd: io.cwd });
      return 0;
    }
    let opts;
    try {
      opts = parseArgs({ args: rest, options: { user: { type: "boolean" }, prefix: { type: "string" }, name: { type: "string" } }, allowPositionals: false }).values;
    } catch (e) {
      io.stderr.write(`packetwalk kernel ${sub ?? ""}: ${(e as Error).message}\n${usage}\n`);
      return 2;
    }
    if (opts.user && opts.prefix) {
      io.stderr.write("packetwalk kernel: --user and --prefix exclude each other\n");
      return 2;
    }
    try {
      switch (sub) {
        case "install": {
          const dir = installKernelSpec({ prefix: opts.prefix, name: opts.name }, io.env);
          io.stdout.write(`installed kernelspec ${opts.name ?? "packetwalk"} in ${dir}\n`);
          return 0;
        }
        case "uninstall": {
          const dir = uninstallKernelSpec({ prefix: opts.prefix, name: opts.name }, io.env);
          if (!dir) {
            io.stderr.write(`no kernelspec ${opts.name ?? "packetwalk"} in ${kernelsDirFor({ prefix: opts.prefix }, io.env)}\n`);
            return 1;
          }
          io.stdout.write(`removed ${dir}\n`);
          return 0;
        }
        case "list": {
          const specs = listKernelSpecs(opts.prefix ? [kernelsDirFor({ prefix: opts.prefix }, io.env)] : [], io.env);
          if (!specs.length) io.stdout.write("no packetwalk kernelspec installed (run: packetwalk kernel install)\n");
          for (const s of specs) io.stdout.write(`${s.name.padEnd(16)} ${s.dir}${s.current ? "" : "  (another packetwalk install)"}\n`);
          return 0;
        }
        default:
          io.stderr.write(`${usage}\n`);
          return 2;
      }
    } catch (e) {
      io.stderr.write(`packetwalk kernel ${sub}: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
export default command;
