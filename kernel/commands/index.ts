/**
 * The `packetwalk` commands: name, one-line summary, and how to load the module. Only the command that
 * runs is loaded, so `packetwalk --help` and a light command do not pay for the others' dependencies
 * (the lab, SSH, the capture decoder, the notebook runner).
 */
import type { Command } from "./types";

/** One command in the list. */
export interface CommandEntry {
  name: string;
  /** One line for `packetwalk --help`. */
  summary: string;
  /** Loads the command module (on first use). */
  load(): Promise<Command>;
}

/**
 * The command a module default-exports. `import()` of a compiled CommonJS module gives its whole
 * `module.exports` as `default`; of a source module (vitest), the default export itself.
 */
async function commandOf(module: Promise<{ default: unknown }>): Promise<Command> {
  const d = (await module).default as Command | { default: Command };
  return "run" in d ? d : d.default;
}

/**
 * The commands, in `packetwalk --help` order.
 *
 * @example
 * const parse = await COMMANDS.find((c) => c.name === "parse")!.load();
 * await parse.run(["flow", "flows.txt"], io);
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "walk",
    summary: "walk a request through the cluster stage by stage (embedded lab by default) and run the runbook notebooks into out/",
    load: () => commandOf(import("./walk.js")),
  },
  {
    name: "lab",
    summary: "start the embedded lab (a simulated Contrail cluster on 127.0.0.1) and print its inventory",
    load: () => commandOf(import("./lab.js")),
  },
  {
    name: "run",
    summary: "execute a notebook headless with parameters; write the executed .ipynb and HTML",
    load: () => commandOf(import("./run.js")),
  },
  {
    name: "kernel",
    summary: "install, list or remove the Jupyter kernelspec; start the kernel",
    load: () => commandOf(import("./kernel.js")),
  },
  {
    name: "probe",
    summary: "probe a service: held TCP session (telnet-style) or curl-like HTTP request, with the client port",
    load: () => commandOf(import("./probe.js")),
  },
  {
    name: "flows",
    summary: "poll vRouter flow tables at 5 Hz over SSH and print the flow entries seen",
    load: () => commandOf(import("./flows.js")),
  },
  {
    name: "exec",
    summary: "run a command on inventory nodes over SSH (fan-out with all or a comma list)",
    load: () => commandOf(import("./exec.js")),
  },
  {
    name: "parse",
    summary: "parse saved vRouter utility output (flow, nh, rt, mpls, vif, junos-route) into a table or JSON",
    load: () => commandOf(import("./parse.js")),
  },
  {
    name: "capture",
    summary: "decode a pcap/pcapng capture through MPLSoGRE/MPLSoUDP/VXLAN to TCP and HTTP",
    load: () => commandOf(import("./capture.js")),
  },
];
