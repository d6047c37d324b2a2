/**
 * Renders the Internet host's `ip route` (iproute2 format) from the topology.
 */
import { ipv4Network } from "../../ipv4";
import type { Topology } from "../topology";

/**
 * `ip route` on the Internet host: a default route to the gateway and the connected subnet.
 *
 * @example
 * renderIpRoute(topo);
 * // "default via 15.15.15.1 dev eth0 proto static \n15.15.15.0/24 dev eth0 proto kernel scope link src 15.15.15.2 \n"
 */
export function renderIpRoute(t: Topology): string {
  const h = t.internetHost;
  const net = ipv4Network(h.ip, h.prefixLen) ?? h.ip;
  return (
    `default via ${h.gatewayIp} dev ${h.fabricInterface} proto static \n` +
    `${net}/${h.prefixLen} dev ${h.fabricInterface} proto kernel scope link src ${h.ip} \n`
  );
}
