/**
 * `packetwalk lab [--topology FILE] [--fault NAME]... [--inventory-out FILE] [--kubeconfig-out FILE]`
 * `packetwalk lab fault NAME on|off [--inventory FILE]`, `packetwalk lab faults [--inventory FILE]`
 *
 * Starts the embedded lab (a simulated Contrail cluster on 127.0.0.1: SSH servers per node, the floating
 * IP with haproxy and backend pods) in the foreground, prints the inventory JSON the rest of packetwalk
 * uses to reach it (and writes it to --inventory-out), and stops cleanly when `io.signal` aborts. The
 * `fault`/`faults` subcommands switch faults of a running lab through its control socket.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LabInventory } from "../../lib/lab/lab";
import { FAULTS } from "../../lib/lab/model";
import { defineDispatcher, readCommandArgs, UsageError } from "./args";
import type { CommandIO } from "./types";

const usage = `usage: packetwalk lab [--topology FILE|default|large] [--fault NAME]... [--inventory-out FILE]
                      [--kubeconfig-out FILE] [--flow-linger MS] [--fip-port PORT]
       packetwalk lab fault NAME on|off [--inventory FILE]
       packetwalk lab faults [--inventory FILE]
  Starts the embedded lab: a simulated Contrail cluster (internet-host, gateway, compute nodes) reached
  over real SSH on 127.0.0.1, with the floating IP, haproxy and backend pods as real sockets. Prints the
  inventory (JSON) and writes it to --inventory-out; runs until Ctrl-C. The lab's Kubernetes API
  (HTTPS on 127.0.0.1) is described by a kubeconfig written to --kubeconfig-out (contexts
  packetwalk-lab = admin, packetwalk-lab-viewer, packetwalk-lab-tenant, packetwalk-lab-expired).
  Faults: ${FAULTS.join(", ")}.
  "lab fault" switches a fault of the running lab named by --inventory (or $PACKETWALK_INVENTORY).
  Exit status: 0 stopped cleanly, 1 the lab failed, 2 usage error.`;

const CONTROL_OPTIONS = { inventory: { type: "string", short: "i" } } as const;

const LAB_OPTIONS = {
  topology: { type: "string", short: "t" },
  fault: { type: "string", multiple: true, short: "f" },
  "inventory-out": { type: "string", short: "o" },
  "kubeconfig-out": { type: "string" },
  "flow-linger": { type: "string" },
  "fip-port": { type: "string" },
} as const;

async function controlCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = readCommandArgs(argv, { options: CONTROL_OPTIONS });
  const invFile = parsed.values.inventory ?? io.env.PACKETWALK_INVENTORY;
  if (!invFile) throw new UsageError("--inventory FILE (or $PACKETWALK_INVENTORY) is needed to reach the running lab", { usage: false });
  let inv: Partial<LabInventory>;
  try {
    inv = JSON.parse(fs.readFileSync(path.resolve(io.cwd, invFile), "utf8"));
  } catch (e) {
    io.stderr.write(`packetwalk lab: cannot read ${invFile}: ${(e as Error).message}\n`);
    return 2;
  }
  const sock = inv.lab?.toolSocket;
  if (!sock) {
    io.stderr.write(`packetwalk lab: ${invFile} is not a lab inventory (no lab.toolSocket)\n`);
    return 2;
  }
  const [sub, ...rest] = parsed.positionals;
  const req = sub === "faults" ? ["faults"] : ["fault", ...rest];
  if (sub === "fault" && (rest.length !== 2 || !["on", "off"].includes(rest[1]))) {
    throw new UsageError("usage: packetwalk lab fault NAME on|off", { usage: false });
  }
  const { controlLab } = await import("../../lib/lab/drill-client.js");
  const r = await controlLab(sock, req);
  io.stdout.write(r.stdout);
  io.stderr.write(r.stderr);
  return r.code === 0 ? 0 : r.code === 2 ? 2 : 1;
}

const command = defineDispatcher({
  name: "lab",
  usage,
  async run(argv, io) {
    if (argv[0] === "fault" || argv[0] === "faults") return controlCommand(argv, io);
    const v = readCommandArgs(argv, { options: LAB_OPTIONS, positionals: false }).values;
    const faults = v.fault ?? [];
    const bad = faults.filter((f) => !(FAULTS as readonly string[]).includes(f));
    if (bad.length) throw new UsageError(`unknown fault ${bad.join(", ")} (known: ${FAULTS.join(", ")})`, { usage: false });
    const linger = v["flow-linger"] !== undefined ? Number(v["flow-linger"]) : undefined;
    const fipPort = v["fip-port"] !== undefined ? Number(v["fip-port"]) : undefined;
    if ((linger !== undefined && !(linger >= 0)) || (fipPort !== undefined && !(Number.isInteger(fipPort) && fipPort >= 0 && fipPort < 65536))) {
      throw new UsageError("--flow-linger must be >= 0 ms and --fip-port a port number", { usage: false });
    }
    if (io.signal.aborted) return 0;
    const { startLab, control } = await import("../../lib/lab/lab.js");
    let lab;
    try {
      lab = await startLab({
        topology: v.topology === undefined || ["default", "large"].includes(v.topology) ? v.topology : path.resolve(io.cwd, v.topology),
        faults,
        flowLingerMs: linger,
        fipPort,
        log: (l) => io.stderr.write(`lab: ${l}\n`),
      });
    } catch (e) {
      io.stderr.write(`packetwalk lab: ${(e as Error).message}\n`);
      return /topology|fault/.test((e as Error).message) ? 2 : 1;
    }
    const write = () => {
      const json = JSON.stringify(lab.inventory, null, 2) + "\n";
      if (v["inventory-out"]) {
        try {
          fs.writeFileSync(path.resolve(io.cwd, v["inventory-out"]), json, { mode: 0o600 });
        } catch (e) {
          io.stderr.write(`packetwalk lab: cannot write ${v["inventory-out"]}: ${(e as Error).message}\n`);
        }
      }
      return json;
    };
    if (v["kubeconfig-out"]) {
      try {
        lab.writeKubeconfig(path.resolve(io.cwd, v["kubeconfig-out"]));
        io.stderr.write(`lab: Kubernetes API ${lab.kube?.url}; kubeconfig written to ${v["kubeconfig-out"]} (kubectl --kubeconfig ${v["kubeconfig-out"]} get pods -A)\n`);
      } catch (e) {
        io.stderr.write(`packetwalk lab: cannot write ${v["kubeconfig-out"]}: ${(e as Error).message}\n`);
        await lab.stop();
        return 1;
      }
    }
    io.stdout.write(write());
    lab.on("fault", (name: string, on: boolean) => {
      io.stderr.write(`lab: fault ${name} ${on ? "on" : "off"}\n`);
      write();
    });
    lab.on("request", (e: { clientPort: number; method: string; path: string; status: number; pod?: string; ingressPort?: number }) => {
      io.stderr.write(`lab: haproxy 15.15.15.2:${e.clientPort} "${e.method} ${e.path}" ${e.status}${e.pod ? ` -> ${e.pod} via :${e.ingressPort}` : ""}\n`);
    });
    io.stderr.write(
      `lab: running (fip ${lab.inventory.scenario.fip}:${lab.inventory.scenario.fipPort} -> ${lab.fipAddress.host}:${lab.fipAddress.port}); ` +
        `type "fault NAME on|off" or "faults" here; Ctrl-C stops\n`,
    );
    // Faults can also be switched by typing on stdin (when it is a terminal or a pipe that stays open).
    let pending = "";
    const onLine = (chunk: Buffer | string) => {
      pending += chunk.toString();
      let nl;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const words = pending.slice(0, nl).trim().split(/\s+/).filter(Boolean);
        pending = pending.slice(nl + 1);
        if (!words.length) continue;
        const r = control(lab.state, words, (name, on) => lab.emit("fault", name, on));
        io.stderr.write(r.stdout.replace(/^/gm, "lab: ").replace(/lab: $/, "") + r.stderr);
      }
    };
    io.stdin.on("data", onLine);
    io.stdin.on("error", () => undefined);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) return resolve();
      io.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    io.stdin.off("data", onLine);
    if ("pause" in io.stdin && typeof io.stdin.pause === "function") io.stdin.pause();
    await lab.stop();
    io.stderr.write("lab: stopped\n");
    return 0;
  },
});

export default command;
