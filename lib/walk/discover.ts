/**
 * Discovery from the cluster itself: the gateway's route for the floating IP (Junos `show route … |
 * display json` via `cli -c`) and which compute node owns each fabric IP (`vif --list`: the vhost0
 * interface's address, with the inventory's own addresses as a fallback).
 */
import { parseJunosRoute, parseVif } from "../vrouter";
import type { JunosRouteRow, VifRow } from "../vrouter/types";
import { nodesOf, once, type WalkContext } from "./context";
import { evidenceOf, derived, step } from "./exec";
import type { Evidence } from "./types";

/** What the gateway said about the floating IP. */
export interface GatewayRoute {
  node: string | null;
  vrf: string | null;
  route: JunosRouteRow | null;
  evidence: Evidence[];
  /** Why the route is missing (null when found). */
  problem: string | null;
  /** True when the gateway could not be asked at all. */
  unreachable: boolean;
}

/**
 * Asks the gateway for the FIP route: finds the VRF with `show route FIP/32 exact` unless `gatewayVrf` is
 * given, then `show route table VRF.inet.0 FIP/32 detail | display json`. Sets the discovery fields.
 *
 * @example
 * const g = await gatewayRoute(ctx);
 * g.route?.protocolNextHop; // "10.169.25.20"
 */
export function gatewayRoute(ctx: WalkContext): Promise<GatewayRoute> {
  return once(ctx, "gatewayRoute", async () => {
    const gw = nodesOf(ctx, "gateway")[0];
    const fip = ctx.params.fip;
    const evidence: Evidence[] = [];
    if (!gw) return { node: null, vrf: null, route: null, evidence, problem: "no gateway node in the inventory", unreachable: true };
    ctx.discovery.gatewayNode = gw.name;
    let vrf = ctx.params.gatewayVrf ?? null;
    if (!vrf) {
      // `exact`: without it Junos answers with the longest covering route of every table (a default route
      // in inet.0 would name a table that does not hold the floating IP at all).
      const cmd = `show route ${fip}/32 exact`;
      const r = await junos(ctx, gw.name, cmd);
      const tables = [...r.stdout.matchAll(/^(\S+)\.inet\.0:/gm)].map((m) => m[1]).filter((t) => t !== "inet" && t !== "inet6");
      evidence.push(evidenceOf(`routing instances holding ${fip}/32`, r, tables.map((t) => ({ table: `${t}.inet.0` }))));
      if (!r.ok) return { node: gw.name, vrf: null, route: null, evidence, problem: `${gw.name}: ${r.error}`, unreachable: r.unreachable };
      vrf = tables[0] ?? null;
      // Junos prints nothing at all (no table header) when no table has a matching route.
      if (!vrf) return { node: gw.name, vrf: null, route: null, evidence, problem: `${gw.name} has no route for ${fip}/32 in any routing instance (\`${cmd}\` ${printed(r.stdout, "no routing table")})`, unreachable: false };
    }
    ctx.discovery.gatewayVrf = vrf;
    const cmd = `show route table ${vrf}.inet.0 ${fip}/32 detail | display json`;
    const r = await junos(ctx, gw.name, cmd);
    const parsed = r.ok ? parseJunosRoute(r.stdout) : null;
    const rows = parsed?.rows ?? [];
    evidence.push(evidenceOf(`gateway route for ${fip}/32`, r, rows));
    if (!r.ok || !parsed) return { node: gw.name, vrf, route: null, evidence, problem: `${gw.name}: ${r.error}`, unreachable: r.unreachable };
    const route = rows.find((x) => x.active && x.prefix.startsWith(`${fip}/`)) ?? rows.find((x) => x.prefix.startsWith(`${fip}/`)) ?? null;
    if (!route) {
      // Empty output, or a reply without a route table, is "no route"; anything else unreadable is said as such.
      const problem =
        rows.length === 0 && parsed.errors.length > 0
          ? `${gw.name} showed no readable route for ${fip}/32 in ${vrf}.inet.0: \`${cmd}\` printed ${JSON.stringify(parsed.errors[0].text.trim() || parsed.errors[0].message)}`
          : `${gw.name} has no route for ${fip}/32 in ${vrf}.inet.0 (${rows.length > 0 ? `only the covering route ${[...new Set(rows.map((x) => x.prefix))].join(", ")} matched` : `\`${cmd}\` ${printed(r.stdout, "no route")}`})`;
      return { node: gw.name, vrf, route: null, evidence, problem, unreachable: false };
    }
    ctx.discovery.protocolNextHop = route.protocolNextHop;
    ctx.discovery.gatewayLabel = route.label;
    ctx.discovery.gatewayTunnel = route.tunnelType;
    return { node: gw.name, vrf, route, evidence, problem: null, unreachable: false };
  });
}

/** How an answer without the expected content reads in a reason: `printed nothing` or `printed no route`. */
function printed(stdout: string, none: string): string {
  return stdout.trim() === "" ? "printed nothing" : `printed ${none}`;
}

/**
 * Runs a Junos operational command: `cli -c "<command>"` from the router's shell, or the bare command
 * when the SSH login lands in the Junos CLI itself (no `cli` binary: exit 127 / "not found").
 *
 * @example
 * const r = await junos(ctx, "gateway", "show route 101.101.101.1/32");
 */
export async function junos(ctx: WalkContext, node: string, command: string) {
  const r = await step(ctx, node, ["cli", "-c", command]);
  if (r.ok || r.unreachable || !(r.exitCode === 127 || /not found|unknown command/i.test(r.stderr + r.stdout))) return r;
  return step(ctx, node, [command]);
}

/** Fabric IP → node, with the evidence and the nodes that did not answer. */
export interface FabricMap {
  byIp: Record<string, string>;
  /** Node → its vhost0 / fabric IP. */
  byNode: Record<string, string>;
  /** Node → its `vif --list` rows (reused by later stages). */
  vifs: Record<string, VifRow[]>;
  unreachable: Record<string, string>;
  evidence: Evidence[];
}

/**
 * Asks every compute node for its interfaces (`vif --list`) and maps the vhost0 address to the node.
 * A node that does not answer is mapped from the inventory (its SSH host, or the address map key that
 * points at its SSH endpoint) when that is an IPv4 address, and listed in `unreachable`.
 *
 * @example
 * (await fabricMap(ctx)).byIp["10.169.25.21"]; // "cent333"
 */
export function fabricMap(ctx: WalkContext): Promise<FabricMap> {
  return once(ctx, "fabricMap", async () => {
    const computes = nodesOf(ctx, "compute");
    const out: FabricMap = { byIp: {}, byNode: {}, vifs: {}, unreachable: {}, evidence: [] };
    const results = await Promise.all(computes.map((n) => step(ctx, n.name, ["vif", "--list"], { vrouter: true })));
    const rows: { node: string; ip: string; interface: string; source: string }[] = [];
    computes.forEach((n, i) => {
      const r = results[i];
      if (r.ok) {
        const vifs = parseVif(r.stdout).rows;
        out.vifs[n.name] = vifs;
        const host = vifs.find((v) => v.type === "Host" && v.ipAddr && v.ipAddr !== "0.0.0.0") ?? vifs.find((v) => v.osName === "vhost0");
        if (host?.ipAddr) {
          out.byIp[host.ipAddr] = n.name;
          out.byNode[n.name] = host.ipAddr;
          rows.push({ node: n.name, ip: host.ipAddr, interface: `${host.name} ${host.osName ?? ""}`.trim(), source: "vif --list" });
        }
        return;
      }
      out.unreachable[n.name] = r.error ?? "no answer";
      const guess = inventoryAddress(ctx, n.name);
      if (guess) {
        out.byIp[guess] = n.name;
        out.byNode[n.name] = guess;
        rows.push({ node: n.name, ip: guess, interface: "", source: `inventory (node did not answer: ${r.error})` });
      }
    });
    out.evidence.push(derived("compute nodes by fabric IP", rows, null, "vif --list (each compute node)"));
    ctx.discovery.fabricIps = { ...out.byIp };
    return out;
  });
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * The IPv4 address the inventory knows a node by: its SSH host, or the address-map key that maps onto
 * its SSH endpoint (`"10.169.25.21:22": "127.0.0.1:40022"`).
 *
 * @example
 * inventoryAddress(ctx, "cent333"); // "10.169.25.21"
 */
export function inventoryAddress(ctx: WalkContext, node: string): string | null {
  const n = ctx.inventory.nodes.find((x) => x.name === node);
  if (!n?.ssh) return null;
  const target = `${n.ssh.host}:${n.ssh.port ?? 22}`;
  for (const [k, v] of Object.entries(ctx.inventory.addressMap ?? {})) {
    const ip = k.replace(/:\d+$/, "");
    if (v === target && IPV4.test(ip) && k.endsWith(":22")) return ip;
  }
  if (IPV4.test(n.ssh.host) && !n.ssh.host.startsWith("127.")) return n.ssh.host;
  return null;
}
