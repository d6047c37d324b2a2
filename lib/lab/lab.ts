/**
 * `startLab()`: the embedded lab, in-process. It builds the model from a topology, starts the pod
 * servers, the floating IP listener with its haproxy, the tool socket, one SSH server per node, and
 * returns the inventory the rest of packetwalk uses to reach it. Only 127.0.0.1 is ever bound or
 * contacted; cluster addresses exist only as text and in the address map.
 */
import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { startPodServers } from "./backends";
import { writeNodeBin } from "./bindir";
import { runTool, type NodeRole, type ToolResult, type ToolStream } from "./commands";
import { Fabric } from "./fabric";
import { generateLabKey, writeIdentity, type LabKey } from "./keys";
import { makeLabDir } from "./workdir";
import { FAULTS, type FaultName } from "./model";
import { Haproxy, type ProxyLogEntry, type ProxyOptions } from "./proxy";
import { startSshNodeServer, type SshNodeServer } from "./sshd";
import { LabState } from "./state";
import { tcpdumpProvider, startCapture, type CaptureHandle } from "./tcpdump";
import { startToolServer, type ToolServer } from "./toolserver";
import { loadTopology, vrfOf, type Topology } from "./topology";
import { endpointsOf } from "./model";
import { DrillSession, planDrill, type DrillLevel } from "./drill";
import { startKubeApi, type KubeApiServer } from "./kube/server";
import { AGENT, agentPodName } from "./kube/objects";
import { LAB_KUBE_CONTEXT, writeLabKubeconfig } from "./kube/kubeconfig";

/** Options of {@link startLab}. */
export interface LabOptions {
  /** A topology file path, a built-in name (`default`, `large`), or a topology object. Default `default`. */
  topology?: string | object;
  /** Faults switched on from the start. */
  faults?: string[];
  /** Working directory for keys, tool sockets and node dirs. Default: a fresh `pwlab-<pid>-*` dir in the OS temp dir (see `makeLabDir`: dirs of dead labs are swept at start). */
  dir?: string;
  /** SSH user name (any user name is accepted when undefined). Default `root`. */
  user?: string;
  /** How long closed flows stay in the tables (ms). Default 2000. */
  flowLingerMs?: number;
  /** haproxy timeouts and limits. */
  proxy?: ProxyOptions;
  /** Fixed local port for the FIP listener (0 = ephemeral, default). */
  fipPort?: number;
  /** Diagnostics. */
  log?: (line: string) => void;
  /** Start the SSH servers (default true; the bench turns them off). */
  ssh?: boolean;
  /**
   * Run a drill: faults chosen from the seed and level and hidden (`faults` is then refused). The
   * answer stays in this process; `drill check|reveal|status|task` on the control socket grade it.
   */
  drill?: { seed: number; level: DrillLevel };
  /** Start the Kubernetes API (`kube/`) and write its kubeconfig into the lab dir (default true). */
  kube?: boolean;
}

/** SSH coordinates of one node in the inventory. */
export interface LabInventoryNode {
  name: string;
  role: NodeRole;
  fabricInterface: string;
  ssh: { host: string; port: number; user: string; identityFile: string; hostKey: string[] };
  vrouter?: { via: "direct" };
}

/** The scenario values a walk needs. */
export interface LabScenario {
  topology: string;
  namespace: string;
  fip: string;
  fipPort: number;
  hostHeader: string;
  clientIp: string;
  gatewayLoopback: string;
  gatewayVrf: string;
  ingressPodIp: string;
  activeIngressNode: string;
  standbyIngressNode?: string;
  services: { name: string; ip: string; port: number; targetPort: number; backends: { name: string; ip: string; node: string }[] }[];
  /** First service of the first rule (the reference scenario's `webservice`). */
  serviceIp: string;
  servicePort: number;
  backendPods: { name: string; ip: string; node: string }[];
  nodes: Record<string, { fabricIp: string; podVrf: number; fipVrf: number }>;
  vrfs: { pod: number; fip: number };
  labels: { gatewayToNode: number; nodeToGateway: number; service: number | null };
  rpfNh: number;
  faults: string[];
}

/** The inventory `packetwalk lab` prints. */
export interface LabInventory {
  nodes: LabInventoryNode[];
  addressMap: Record<string, string>;
  hostKeyPolicy: "strict";
  scenario: LabScenario;
  lab: { dir: string; pid: number; toolSocket: string };
  /** Present when the lab runs a drill: its seed and level (the faults are not in the inventory). */
  drill?: { seed: number; level: DrillLevel };
  /** The lab's Kubernetes API: the kubeconfig the lab wrote (admin context current). Absent with `kube: false`. */
  kubernetes?: { kubeconfig: string; context: string };
}

/** A running lab. */
export interface Lab extends EventEmitter {
  readonly inventory: LabInventory;
  readonly state: LabState;
  readonly fabric: Fabric;
  readonly proxy: Haproxy;
  readonly dir: string;
  readonly identityFile: string;
  /** `127.0.0.1:<port>` of the floating IP listener. */
  readonly fipAddress: { host: string; port: number };
  /** Switches a fault on or off while the lab runs. */
  setFault(name: string, on: boolean): void;
  /** The faults currently on. */
  faults(): FaultName[];
  /** Runs a node utility in-process (what `ssh node <cmd>` would print for a single tool). */
  tool(node: string, argv: string[]): ToolResult;
  /** Writes a pcap of a node interface (`any` for all) to `file` until `stop()`. */
  capture(node: string, iface: string, file: string): CaptureHandle;
  /** The Kubernetes API server (`kube/server.ts`), unless started with `kube: false`. */
  readonly kube: KubeApiServer | undefined;
  /**
   * Writes a kubeconfig for the lab's Kubernetes API (contexts `packetwalk-lab` (admin),
   * `packetwalk-lab-viewer`, `packetwalk-lab-tenant`, `packetwalk-lab-expired`). Throws without the API.
   */
  writeKubeconfig(file: string): void;
  /** Stops everything and removes the temp dir (if the lab created it). */
  stop(): Promise<void>;
}

/** Removes the lab's temp dir; never throws (a file still being written is retried, then left). */
function removeDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch {
    /* left behind: harmless, in the OS temp dir */
  }
}

/** The pseudo node name of the lab's control commands on the tool socket. */
export const CONTROL_NODE = "@lab";

/**
 * Runs a lab control command (`fault NAME on|off`, `faults`, `scenario`), as sent over the tool socket
 * by `packetwalk lab fault ...`.
 *
 * @example
 * control(state, ["fault", "backend-down", "on"], () => {}); // { stdout: "backend-down on\n", stderr: "", code: 0 }
 */
export function control(state: LabState, argv: string[], onFault: (name: string, on: boolean) => void): ToolResult {
  const [cmd, name, sw] = argv;
  if (cmd === "drill") {
    if (!state.drill) return { stdout: "", stderr: "this lab is not a drill (start one with packetwalk drill)\n", code: 3 };
    return state.drill.control(argv.slice(1));
  }
  if (state.drill && (cmd === "faults" || cmd === "fault")) {
    return { stdout: "", stderr: "this lab runs a drill: its faults are hidden and cannot be switched (packetwalk drill reveal shows them)\n", code: 2 };
  }
  if (cmd === "faults") return { stdout: FAULTS.map((f) => `${f} ${state.hasFault(f) ? "on" : "off"}\n`).join(""), stderr: "", code: 0 };
  if (cmd === "scenario") return { stdout: JSON.stringify(scenarioOf(state), null, 2) + "\n", stderr: "", code: 0 };
  if (cmd === "fault" && name && (sw === "on" || sw === "off")) {
    try {
      state.setFault(name, sw === "on");
    } catch (e) {
      return { stdout: "", stderr: `${(e as Error).message}\n`, code: 2 };
    }
    onFault(name, sw === "on");
    return { stdout: `${name} ${sw}\n`, stderr: "", code: 0 };
  }
  return { stdout: "", stderr: "usage: fault NAME on|off | faults | scenario\n", code: 2 };
}

function roleOf(t: Topology, node: string): NodeRole {
  if (node === t.internetHost.name) return "internet-host";
  if (node === t.gateway.name) return "gateway";
  return "compute";
}

/**
 * The scenario block of the inventory, from the state.
 *
 * @example
 * scenarioOf(state).fip; // "101.101.101.1"
 */
export function scenarioOf(state: LabState): LabScenario {
  const t = state.topology;
  const m = state.model;
  const A = m.computes.get(m.activeIngress)!;
  const services = t.services.map((s) => ({
    name: s.name, ip: s.ip, port: s.port, targetPort: s.targetPort,
    backends: endpointsOf(t, s.name).map((p) => ({ name: p.name, ip: p.ip, node: p.node })),
  }));
  const firstSvc = services.find((s) => s.name === t.ingress.rules[0]?.service) ?? services[0];
  const podVrf = vrfOf(t, "pod", A.name);
  const svcRoute = A.routes.get(podVrf)?.find((r) => r.prefix === firstSvc?.ip && r.plen === 32);
  const nodes: LabScenario["nodes"] = {};
  for (const c of t.computes) nodes[c.name] = { fabricIp: c.fabricIp, podVrf: vrfOf(t, "pod", c.name), fipVrf: vrfOf(t, "fip", c.name) };
  return {
    topology: t.name,
    namespace: t.namespace,
    fip: t.ingress.fip,
    fipPort: t.ingress.port,
    hostHeader: t.ingress.rules[0]?.host ?? "",
    clientIp: t.internetHost.ip,
    gatewayLoopback: t.gateway.loopback,
    gatewayVrf: t.gateway.vrf,
    ingressPodIp: t.ingress.vip,
    activeIngressNode: m.activeIngress,
    standbyIngressNode: m.activeIngress === t.ingress.active ? t.ingress.standby : t.ingress.active,
    services,
    serviceIp: firstSvc?.ip ?? "",
    servicePort: firstSvc?.port ?? 0,
    backendPods: firstSvc?.backends ?? [],
    nodes,
    vrfs: { pod: podVrf, fip: vrfOf(t, "fip", A.name) },
    labels: { gatewayToNode: m.gateway.pushLabel, nodeToGateway: t.gateway.returnLabel, service: svcRoute?.label ?? null },
    rpfNh: A.gatewayTunnelNh,
    faults: state.drill ? [] : state.activeFaults(),
  };
}

/**
 * Starts the lab. Everything listens on 127.0.0.1 ephemeral ports unless told otherwise.
 *
 * @example
 * const lab = await startLab({ topology: "default" });
 * console.log(lab.inventory.addressMap["101.101.101.1:80"]); // "127.0.0.1:41234"
 * lab.setFault("backend-down", true);
 * await lab.stop();
 */
export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const topology = loadTopology(opts.topology);
  if (opts.drill && opts.faults?.length) throw new Error("a drill chooses its own faults: give a seed and a level, not faults");
  const plan = opts.drill ? planDrill(opts.drill.seed, opts.drill.level) : undefined;
  if (plan) opts = { ...opts, faults: plan.faults };
  for (const f of opts.faults ?? []) if (!(FAULTS as readonly string[]).includes(f)) throw new Error(`unknown fault ${f} (known: ${FAULTS.join(", ")})`);
  const state = new LabState(topology);
  for (const f of opts.faults ?? []) state.setFault(f, true);
  if (plan) {
    state.drill = new DrillSession(plan, (f) => {
      state.setFault(f, false);
      emitter.emit("repaired", f);
    });
  }
  const log = (l: string) => {
    try {
      opts.log?.(l);
    } catch {
      /* never */
    }
  };
  const ownDir = !opts.dir;
  const dir = opts.dir ?? makeLabDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const cleanups: (() => Promise<void> | void)[] = [];
  const emitter = new EventEmitter();
  try {
    const fabric = new Fabric(state, { lingerMs: opts.flowLingerMs });
    cleanups.push(() => fabric.stop());
    // Pods.
    const pods = await startPodServers(topology.pods, topology.ingress.vip);
    cleanups.push(() => pods.close());
    // haproxy behind the FIP listener.
    const proxy = new Haproxy(fabric, (p) => pods.ports.get(p.name), opts.proxy);
    proxy.on("log", (e: ProxyLogEntry) => emitter.emit("request", e));
    const fipServer = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (sock) => {
      try {
        proxy.handle(sock);
      } catch (e) {
        log(`fip: ${(e as Error).message}`);
        sock.destroy();
      }
    });
    fipServer.on("error", (e) => log(`fip listener: ${e.message}`));
    fipServer.maxConnections = 100_000;
    const fipPort = await new Promise<number>((resolve, reject) => {
      fipServer.once("error", reject);
      fipServer.listen({ port: opts.fipPort ?? 0, host: "127.0.0.1", backlog: 4096 }, () => resolve((fipServer.address() as net.AddressInfo).port));
    });
    cleanups.push(() => new Promise<void>((r) => fipServer.close(() => r())));
    cleanups.push(() => proxy.stop()); // runs before the listener's close (cleanups run in reverse)
    const addressMap: Record<string, string> = { [`${topology.ingress.fip}:${topology.ingress.port}`]: `127.0.0.1:${fipPort}` };
    // Tools.
    const tcpdump = tcpdumpProvider(fabric);
    const handler = (node: string, argv: string[]): ToolResult | ToolStream => {
      if (node === CONTROL_NODE) return control(state, argv, (n, on) => emitter.emit("fault", n, on));
      const known = node === topology.internetHost.name || node === topology.gateway.name || state.model.computes.has(node);
      if (!known) return { stdout: "", stderr: `lab: unknown node ${node}\n`, code: 2 };
      return runTool(state, node, roleOf(topology, node), argv, tcpdump);
    };
    const toolSock = path.join(dir, "tools.sock");
    const toolServer: ToolServer = await startToolServer(toolSock, handler);
    cleanups.push(() => toolServer.close());
    // Keys and SSH.
    const client: LabKey = generateLabKey("packetwalk-lab-client");
    const identityFile = path.join(dir, "id_ed25519");
    writeIdentity(identityFile, client);
    const user = opts.user ?? "root";
    const nodeNames = [topology.internetHost.name, topology.gateway.name, ...topology.computes.map((c) => c.name)];
    // A closed loopback port: where the Internet host's curl goes for any address the lab does not map.
    const deadPort = await new Promise<number>((resolve, reject) => {
      const probe = net.createServer();
      probe.once("error", reject);
      probe.listen(0, "127.0.0.1", () => {
        const p = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const curlMap: Record<string, string> = { ...addressMap };
    for (const r of topology.ingress.rules) curlMap[`${r.host}:${topology.ingress.port}`] = `127.0.0.1:${fipPort}`;
    const nodes: LabInventoryNode[] = [];
    const nodeEnvs = new Map<string, { env: Record<string, string>; cwd: string }>();
    const sshServers: SshNodeServer[] = [];
    for (const name of nodeNames) {
      const role = roleOf(topology, name);
      const hostKey = generateLabKey(`packetwalk-lab ${name}`);
      const bin = writeNodeBin(dir, name, role, role === "internet-host" ? curlMap : {});
      const home = path.join(dir, "nodes", name, "home");
      fs.mkdirSync(home, { recursive: true });
      // One environment for both doors: SSH's `sh -c` and the Kubernetes API's exec in the agent container.
      const env: Record<string, string> = {
        PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, HOME: home, USER: user, LOGNAME: user, SHELL: "/bin/sh", LANG: "C.UTF-8",
        HOSTNAME: name, PWLAB_NODE: name, PWLAB_SOCK: toolSock, PWLAB_ADDRMAP: JSON.stringify(curlMap), PWLAB_DEADPORT: String(deadPort),
      };
      nodeEnvs.set(name, { env, cwd: home });
      let port = 0;
      if (opts.ssh !== false) {
        const srv = await startSshNodeServer({
          node: name, hostKey: hostKey.privateKey, clientPublicKey: client.publicKeyLine, user,
          env, cwd: home, log,
        });
        sshServers.push(srv);
        cleanups.push(() => srv.close());
        port = srv.port;
      }
      const fabricInterface =
        role === "internet-host" ? topology.internetHost.fabricInterface : role === "gateway" ? topology.gateway.fabricInterface : topology.computes.find((c) => c.name === name)!.fabricInterface;
      const node: LabInventoryNode = {
        name, role, fabricInterface,
        ssh: { host: "127.0.0.1", port, user, identityFile, hostKey: [hostKey.publicKeyLine, hostKey.fingerprint] },
      };
      if (role === "compute") node.vrouter = { via: "direct" };
      nodes.push(node);
      const mgmt = role === "internet-host" ? topology.internetHost.ip : role === "gateway" ? topology.gateway.loopback : topology.computes.find((c) => c.name === name)!.fabricIp;
      if (port) addressMap[`${mgmt}:22`] = `127.0.0.1:${port}`;
    }
    // The Kubernetes API: exec runs in the agent pod's containers with the node's environment.
    let kube: KubeApiServer | undefined;
    let kubeconfigFile: string | undefined;
    const kubeconfigOf = (k: KubeApiServer) => ({ url: k.url, caCert: k.caCert, users: k.users, namespace: topology.namespace });
    if (opts.kube !== false) {
      kube = await startKubeApi({
        state, log,
        execEnv: (target) => {
          const ne = nodeEnvs.get(target.node);
          if (target.namespace !== AGENT.namespace || !ne || target.pod !== agentPodName(target.node)) {
            return { error: `the packetwalk lab runs processes only in the vRouter agent pods (${AGENT.namespace}/${AGENT.daemonSet}-*); ${target.namespace}/${target.pod} has none` };
          }
          if (target.container === AGENT.container) return ne;
          // The node manager's container has no vRouter utilities on its PATH.
          return { env: { ...ne.env, PATH: "/usr/local/bin:/usr/bin:/bin" }, cwd: ne.cwd };
        },
      });
      const k = kube;
      cleanups.push(() => k.close());
      kubeconfigFile = path.join(dir, "kubeconfig");
      writeLabKubeconfig(kubeconfigFile, kubeconfigOf(k));
    }
    const inventory: LabInventory = {
      nodes, addressMap, hostKeyPolicy: "strict", scenario: scenarioOf(state),
      lab: { dir, pid: process.pid, toolSocket: toolSock },
      ...(plan ? { drill: { seed: plan.seed, level: plan.level } } : {}),
      ...(kubeconfigFile ? { kubernetes: { kubeconfig: kubeconfigFile, context: LAB_KUBE_CONTEXT } } : {}),
    };
    state.on("fault", () => {
      inventory.scenario = scenarioOf(state);
    });
    let stopped = false;
    const lab = Object.assign(emitter, {
      inventory, state, fabric, proxy, dir, identityFile, kube,
      fipAddress: { host: "127.0.0.1", port: fipPort },
      writeKubeconfig: (file: string) => {
        if (!kube) throw new Error("this lab was started without its Kubernetes API (kube: false)");
        writeLabKubeconfig(file, kubeconfigOf(kube));
      },
      setFault: (name: string, on: boolean) => {
        state.setFault(name, on);
        emitter.emit("fault", name, on);
      },
      faults: () => state.activeFaults(),
      tool: (node: string, argv: string[]): ToolResult => {
        const r = handler(node, argv);
        if ("start" in r) return { stdout: "", stderr: `${argv[0]}: streaming tools need a stream (use ssh or lab.capture)\n`, code: 2 };
        return r;
      },
      capture: (node: string, iface: string, file: string) => startCapture(fabric, node, iface, file),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        for (const c of cleanups.reverse()) {
          try {
            await Promise.race([c(), new Promise<void>((r) => setTimeout(r, 3000).unref())]);
          } catch {
            /* keep stopping */
          }
        }
        if (ownDir) removeDir(dir);
      },
    }) as Lab;
    log(`lab started: fip 127.0.0.1:${fipPort}, ${sshServers.length} ssh servers${kube ? `, Kubernetes API ${kube.url}` : ""}`);
    return lab;
  } catch (e) {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        /* ignore */
      }
    }
    if (ownDir) removeDir(dir);
    throw e;
  }
}
