/**
 * The walk context: inventory, runner, parameters, the cancellation signal, what was discovered so far,
 * and memoised steps, so stage checks can run in any order (each one asks for what it needs).
 */
import { withInterrupt } from "../cancel";
import type { Inventory, InventoryNode } from "../remote/inventory";
import type { CommandRunner } from "../remote/runner";
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
export function createContext(opts: WalkOptions & { runner: CommandRunner }): WalkContext {
  return {
    inventory: opts.inventory,
    runner: opts.runner,
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
  };
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
