/**
 * Renders routes as TF vRouter `rt --dump <vrf>` and `rt --get <prefix/len> --vrf <vrf>` print them
 * (`utils/rt.c`: legend, `vRouter inet4 routing table 0/<vrf>/unicast`, fixed-width rows).
 */
import { lookupRoute, type ComputeState, type Route } from "../model";

const LEGEND = "Flags: L=Label Valid, P=Proxy ARP, T=Trap ARP, F=Flood ARP, Ml=MAC-IP learnt route\n";

function header(vrf: number): string {
  return (
    LEGEND +
    `vRouter inet4 routing table 0/${vrf}/unicast\n` +
    "Destination           PPL        Flags        Label         Nexthop    Stitched MAC(Index)\n"
  );
}

/**
 * Renders one route row.
 *
 * @example
 * renderRouteRow({ vrf: 2, prefix: "10.99.225.17", plen: 32, ppl: 32, flags: "LP", label: 38, nh: 51 });
 * // "10.99.225.17/32        32           LP         38             51        -\n"
 */
export function renderRouteRow(r: Route): string {
  const pfx = `${r.prefix}/${String(r.plen).padEnd(2)}`;
  let out = pfx.padEnd(21);
  out += String(r.ppl).padStart(4);
  out += " ".repeat(8) + r.flags.padStart(5) + " ".repeat(6);
  out += r.label !== null ? String(r.label).padStart(5) : "    -";
  out += " ".repeat(8) + String(r.nh).padStart(7) + " ".repeat(8);
  out += r.mac ? `${r.mac.mac}(${r.mac.index})` : "-";
  return out + "\n";
}

/**
 * Renders `rt --dump <vrf>` (an unknown VRF prints the header and no rows, as the tool does).
 *
 * @example
 * renderRtDump(model.computes.get("cent222")!, 2);
 */
export function renderRtDump(c: ComputeState, vrf: number): string {
  return header(vrf) + (c.routes.get(vrf) ?? []).map(renderRouteRow).join("");
}

/**
 * Renders `rt --get <addr>/<plen> --vrf <vrf>`: the `Match` line, the header and the longest-prefix
 * match (no row when nothing matches).
 *
 * @example
 * renderRtGet(model.computes.get("cent222")!, 2, "10.99.225.17", 32);
 */
export function renderRtGet(c: ComputeState, vrf: number, addr: string, plen: number): string {
  const r = lookupRoute(c, vrf, addr);
  const hit = r && r.plen <= plen ? r : undefined;
  return `Match ${addr}/${plen} in vRouter inet4 table 0/${vrf}/unicast\n\n` + header(vrf) + (hit ? renderRouteRow(hit) : "");
}
