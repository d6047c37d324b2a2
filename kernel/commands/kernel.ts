/** `packetwalk kernel install|list|uninstall|start`. */
import { installKernelSpec, kernelsDirFor, listKernelSpecs, uninstallKernelSpec } from "../kernelspec";
import { defineDispatcher, readCommandArgs, UsageError } from "./args";

const usage = `usage:
  packetwalk kernel install [--user | --prefix DIR] [--name NAME]
  packetwalk kernel list [--prefix DIR]
  packetwalk kernel uninstall [--user | --prefix DIR] [--name NAME]
  packetwalk kernel start CONNECTION_FILE     (what Jupyter runs)`;

const SPEC_OPTIONS = { user: { type: "boolean" }, prefix: { type: "string" }, name: { type: "string" } } as const;

const command = defineDispatcher({
  name: "kernel",
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === "start") {
      const file = rest.find((a) => !a.startsWith("-")) ?? rest[rest.indexOf("--connection-file") + 1];
      if (!file) throw new UsageError("missing CONNECTION_FILE", { prog: "packetwalk kernel start" });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { readConnectionFile, serveKernel } = require("../server") as typeof import("../server");
      await serveKernel(readConnectionFile(file), { cwd: io.cwd });
      return 0;
    }
    const opts = readCommandArgs(rest, { options: SPEC_OPTIONS, positionals: false, prog: `packetwalk kernel ${sub ?? ""}` }).values;
    if (opts.user && opts.prefix) throw new UsageError("--user and --prefix exclude each other", { usage: false });
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
          throw new UsageError("");
      }
    } catch (e) {
      if (e instanceof UsageError) throw e;
      io.stderr.write(`packetwalk kernel ${sub}: ${(e as Error).message}\n`);
      return 1;
    }
  },
});
export default command;
