/**
 * Renders vRouter interfaces as TF vRouter `vif --list` / `vif --get <idx>` print them (`utils/vif.c`,
 * R4.1+ layout with `Mcast Vrf`, the 27-flag legend four per line).
 */
import type { ComputeState, Vif } from "../model";

const FLAGS: [string, string][] = [
  ["P", "Policy"], ["X", "Cross Connect"], ["S", "Service Chain"], ["Mr", "Receive Mirror"],
  ["Mt", "Transmit Mirror"], ["Tc", "Transmit Checksum Offload"], ["L3", "Layer 3"], ["L2", "Layer 2"],
  ["D", "DHCP"], ["Vp", "Vhost Physical"], ["Pr", "Promiscuous"], ["Vnt", "Native Vlan Tagged"],
  ["Mnp", "No MAC Proxy"], ["Dpdk", "DPDK PMD Interface"], ["Rfl", "Receive Filtering Offload"], ["Mon", "Interface is Monitored"],
  ["Uuf", "Unknown Unicast Flood"], ["Vof", "VLAN insert/strip offload"], ["Df", "Drop New Flows"], ["L", "MAC Learning Enabled"],
  ["Proxy", "MAC Requests Proxied Always"], ["Er", "Etree Root"], ["Mn", "Mirror without Vlan Tag"], ["HbsL", "HBS Left Intf"],
  ["HbsR", "HBS Right Intf"], ["Ig", "Igmp Trap Enabled"], ["Ml", "MAC-IP Learning Enabled"],
];

/**
 * The `vif` table header with its flag legend (4 flags per line).
 *
 * @example
 * renderVifHeader().startsWith("Vrouter Interface Table\n\nFlags: P=Policy, X=Cross Connect"); // true
 */
export function renderVifHeader(): string {
  let out = "Vrouter Interface Table\n\nFlags: ";
  FLAGS.forEach(([sym, desc], i) => {
    if (i) out += i % 4 ? ", " : "\n       ";
    out += `${sym}=${desc}`;
  });
  return out + "\n\n";
}

/**
 * Renders one interface record (and its trailing blank line).
 *
 * @example
 * renderVif(model.computes.get("cent333")!.vifs.get(3)!);
 */
export function renderVif(v: Vif): string {
  let out = `vif0/${v.idx}`.padEnd(12) + `OS: ${v.os}`;
  if (v.type === "Physical" && v.speed !== undefined) out += ` (Speed ${v.speed}, Duplex 1)`;
  if (v.nh) out += ` NH: ${v.nh}`;
  out += "\n";
  const sp = " ".repeat(12);
  out += `${sp}Type:${v.type} HWaddr:${v.mac} IPaddr:${v.ip}\n`;
  out += `${sp}Vrf:${v.vrf} Mcast Vrf:${v.mcastVrf} Flags:${v.flags || "NULL"} QOS:${v.qos} Ref:${v.ref}\n`;
  out += `${sp}RX packets:${v.rxPackets}  bytes:${v.rxBytes} errors:0\n`;
  out += `${sp}TX packets:${v.txPackets}  bytes:${v.txBytes} errors:0\n`;
  out += `${sp}Drops:${v.drops}\n`;
  return out + "\n";
}

/**
 * Renders `vif --list`.
 *
 * @example
 * renderVifList(model.computes.get("cent222")!);
 */
export function renderVifList(c: ComputeState): string {
  return renderVifHeader() + [...c.vifs.values()].sort((a, b) => a.idx - b.idx).map(renderVif).join("");
}

/**
 * Renders `vif --get <idx>`; `undefined` when the index does not exist.
 *
 * @example
 * renderVifGet(model.computes.get("cent333")!, 3);
 */
export function renderVifGet(c: ComputeState, idx: number): string | undefined {
  const v = c.vifs.get(idx);
  return v ? renderVifHeader() + renderVif(v) : undefined;
}
