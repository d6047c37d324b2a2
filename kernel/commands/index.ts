/**
 * The `packetwalk` commands: name and one-line summary; `commands/NAME.ts` is the module. Only the
 * command that runs is loaded, so `packetwalk --help` and a light command do not pay for the others' dependencies
 * (the lab, SSH, the capture decoder, the notebook runner).
 */
import type { Command } from "./types";

/** One command in the list; its module is `commands/NAME.ts`. */
export interface CommandEntry {
  name: string;
  /** One line for `packetwalk --help`. */
  summary: string;
}

/** Whether this runs from the TypeScript sources (vitest) rather than from dist/. */
const FROM_SOURCES = __filename.endsWith(".ts");

/**
 * Loads the command module `commands/NAME` and returns the command it default-exports. Compiled, with
 * `require` (the CLI's path stays off Node's ESM loader); from the sources, with `import()`, because
 * `require` cannot load `.ts` files there.
 *
 * @example
 * const parse = await loadCommand("parse");
 * await parse.run(["flow", "flows.txt"], io);
 */
export async function loadCommand(name: string): Promise<Command> {
  if (!COMMANDS.some((c) => c.name === name)) throw new Error(`no packetwalk command ${JSON.stringify(name)}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = (FROM_SOURCES ? await import(`./${name}.ts`) : require(`./${name}.js`)) as { default: Command };
  return mod.default;
}

/**
 * The commands, in `packetwalk --help` order.
 *
 * @example
 * COMMANDS.map((c) => c.name); // ["walk", "lab", …]
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "walk", summary: "walk a request through the cluster stage by stage (embedded lab by default) and run the runbook notebooks into out/" },
  { name: "drill", summary: "start a drill (the lab with hidden faults from a seed), grade a diagnosis, reveal the answer" },
  { name: "discover", summary: "read the Kubernetes API (nodes, vRouter agent pods, ingresses, services, endpoints) and write an inventory" },
  { name: "lab", summary: "start the embedded lab (a simulated Contrail cluster on 127.0.0.1) and print its inventory" },
  { name: "run", summary: "execute a notebook headless with parameters; write the executed .ipynb and HTML" },
  { name: "kernel", summary: "install, list or remove the Jupyter kernelspec; start the kernel" },
  { name: "probe", summary: "probe a service: held TCP session (telnet-style) or curl-like HTTP request, with the client port" },
  { name: "flows", summary: "poll vRouter flow tables at 5 Hz over SSH and print the flow entries seen" },
  { name: "exec", summary: "run a command on inventory nodes over SSH (fan-out with all or a comma list)" },
  { name: "parse", summary: "parse saved vRouter utility output (flow, nh, rt, mpls, vif, junos-route) into a table or JSON" },
  { name: "capture", summary: "decode a pcap/pcapng capture through MPLSoGRE/MPLSoUDP/VXLAN to TCP and HTTP" },
  { name: "note", summary: "add a timestamped note (about a stage or a piece of evidence) to an investigation" },
  { name: "pack", summary: "pack an investigation folder into one .tar/.tar.gz file to send" },
  { name: "share", summary: "a redacted copy of an investigation and its notebooks and reports, safe to send (--redact)" },
];
