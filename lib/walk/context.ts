/**
 * The walk context: inventory, runner, parameters, the cancellation signal, what was discovered so far,
 * and memoised steps, so stage checks can run in any order (each one asks for what it needs).
 */
import { withInterrupt } from "../cancel";
import type { Investigation } from "../investigation/reader";
import { RecordingRunner } from "../investigation/recording-runner";
import { ReplayRunner } from "../investigation/replay-runner";
import type { InvestigationWriter } from "../investigation/writer";
import type { Inventory, InventoryNode } from "../remote/inventory";
import type { CommandRunner } from "../remote/runner";
import { checkHostHeader, checkIpAddress, checkJunosInstance, checkPort } from "../remote/values";
import type { Discovery, WalkOptions, WalkParams } from "./types";

/** The shared state of one walk. */
export interface WalkContext {
  inventory: Inventory;
  runner: CommandRunner;
  params: Required<Pick<WalkParams, "fip" | "fipPort" | "hostHeader" | "path" | "probes">> & WalkParams;
  signal: AbortSignal;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  pollIntervalMs: number;
  capture: boolean;
  discovery: Discovery;
  /** Nodes found unreachable, with the reason (later steps on them fail fast). */
  dead: Map<string, string>;
  /** Memoised steps by key. */
  memo: Map<string, Promise<unknown>>;
  /** The investigation this walk records into (its runner records every command too), or null. */
  record: InvestigationWriter | null;
  /** The recording this walk replays (its runner answers from it), or null. */
  replay: Investigation | null;
}

/**
 * An empty discovery record.
 *
 * @example
 * emptyDiscovery().activeNode; // null
 */
export function emptyDiscovery(): Discovery {
  return {
    gatewayNode: null, gatewayVrf: null, protocolNextHop: null, gatewayLabel: null, gatewayTunnel: null, fabricIps: {},
    activeNode: null, clientIp: null, clientPort: null, ingressPodIp: null, ingressPodPort: null, fipVrf: null, podVrf: null,
    rpfNh: null, serviceIp: null, servicePort: null, ingressPort: null, serviceLabel: null, serviceTunnel: null,
    backendNode: null, backendPodIp: null, backendPodPort: null, backendVif: null,
  };
}

/**
 * Builds a walk context (what `runWalk` does first; a per-stage notebook builds one and calls a check).
 *
 * @example
 * const ctx = createContext({ inventory, runner, fip: "101.101.101.1", fipPort: 80, hostHeader: "www.juniper.net" });
 * show(await checkGateway(ctx));
 */
export function createContext(opts: WalkOptions & { runner?: CommandRunner }): WalkContext {
  const problems = checkWalkParams(opts);
  if (problems.length > 0) throw new WalkParamError(problems);
  const base = opts.runner ?? (opts.replay ? new ReplayRunner(opts.replay) : undefined);
  if (!base) throw new TypeError("createContext: give a runner (or a recording to replay)");
  // A runner that already records (a notebook target's) is not wrapped twice.
  const runner = opts.record && !(base instanceof RecordingRunner) ? new RecordingRunner(base, opts.record, { viaOf: (n) => opts.inventory.nodes.find((x) => x.name === n)?.vrouter?.via }) : base;
  return {
    inventory: opts.inventory,
    runner,
    params: { ...opts, path: opts.path ?? "/", probes: Math.max(1, opts.probes ?? 1) },
    signal: withInterrupt(opts.signal),
    commandTimeoutMs: opts.commandTimeoutMs ?? 8000,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
    firstByteTimeoutMs: opts.firstByteTimeoutMs ?? 6000,
    pollIntervalMs: opts.pollIntervalMs ?? 200,
    capture: opts.capture ?? true,
    discovery: emptyDiscovery(),
    dead: new Map(),
    memo: new Map(),
    record: opts.record ?? null,
    replay: opts.replay ?? null,
  };
}

/** One walk parameter that cannot be used, and why. */
export interface WalkParamProblem {
  /** The parameter's name (`fip`, `gatewayVrf` …). */
  param: string;
  message: string;
}

/**
 * Walk parameters that would reach a router or node command in a form it could misread: refused
 * before anything runs, each naming its parameter (the CLI exits 2 with them).
 *
 * @example
 * try { createContext({ ...opts, gatewayVrf: "x | save /var/tmp/x" }); }
 * catch (e) { (e as WalkParamError).problems[0].param; } // "gatewayVrf"
 */
export class WalkParamError extends TypeError {
  readonly problems: WalkParamProblem[];
  constructor(problems: WalkParamProblem[]) {
    super(problems.map((p) => `${p.param}: ${p.message}`).join("; "));
    this.name = "WalkParamError";
    this.problems = problems;
  }
}

/**
 * Checks the walk's parameters against what each claims to be: the FIP an address, the port a port,
 * the Host header a host name, the gateway VRF a Junos routing-instance name, the paths URL paths, the
 * nodes inventory names. Every value that ends up in the gateway's Junos command or a node's shell
 * passes through here first. Returns every problem (empty when all is well).
 *
 * @example
 * checkWalkParams({ fip: "101.101.101.1 | save /var/tmp/x", fipPort: 80, hostHeader: "www.juniper.net" })
 * // [{ param: "fip", message: "expected an IPv4 or IPv6 address, got \"101.101.101.1 | save /var/tmp/x\"" }]
 */
export function checkWalkParams(p: Partial<WalkParams>): WalkParamProblem[] {
  const out: WalkParamProblem[] = [];
  const add = (param: string, message: string | null): void => {
    if (message) out.push({ param, message });
  };
  add("fip", checkIpAddress(String(p.fip ?? "")));
  add("fipPort", checkPort(Number(p.fipPort)));
  add("hostHeader", checkHostHeader(String(p.hostHeader ?? "")));
  if (p.gatewayVrf !== undefined && p.gatewayVrf !== "") add("gatewayVrf", checkJunosInstance(p.gatewayVrf));
  for (const key of ["path", "largePath"] as const) {
    const v = p[key];
    if (v !== undefined && v !== "" && !/^\/?[A-Za-z0-9._~!$&'()*+,;=:@%\/-]*(\?[A-Za-z0-9._~!$&'()*+,;=:@%\/?-]*)?$/.test(v)) {
      add(key, `expected a URL path (RFC 3986 characters, no spaces or controls), got ${JSON.stringify(v)}`);
    }
  }
  if (p.probes !== undefined && !(Number.isInteger(p.probes) && p.probes >= 1 && p.probes <= 1000)) add("probes", `expected a whole number of probes 1-1000, got ${JSON.stringify(p.probes)}`);
  for (const n of p.nodes ?? []) if (!/^[A-Za-z0-9_.-]+$/.test(n)) add("nodes", `expected inventory node names, got ${JSON.stringify(n)}`);
  return out;
}

/**
 * Runs `fn` once per key in this context; later callers share the promise.
 *
 * @example
 * const fabric = await once(ctx, "fabric", () => discoverFabric(ctx));
 */
export function once<T>(ctx: WalkContext, key: string, fn: () => Promise<T>): Promise<T> {
  let p = ctx.memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = fn();
    ctx.memo.set(key, p);
  }
  return p;
}

/**
 * The inventory nodes of a role (restricted to `params.nodes` when given).
 *
 * @example
 * nodesOf(ctx, "compute").map((n) => n.name); // ["cent222", "cent333"]
 */
export function nodesOf(ctx: WalkContext, role: InventoryNode["role"]): InventoryNode[] {
  const only = ctx.params.nodes;
  return ctx.inventory.nodes.filter((n) => n.role === role && (!only || only.includes(n.name)));
}

/**
 * The inventory node called `name`, if any.
 *
 * @example
 * nodeByName(ctx, "cent222")?.fabricInterface; // "ens3"
 */
export function nodeByName(ctx: WalkContext, name: string): InventoryNode | undefined {
  return ctx.inventory.nodes.find((n) => n.name === name);
}
