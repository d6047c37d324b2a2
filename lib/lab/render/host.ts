/**
 * Renders the Internet host's `ip route` (iproute2 format) from the topology.
 */
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
  const parts = h.ip.split(".").map(Number);
  const mask = h.prefixLen === 0 ? 0 : (0xffffffff << (32 - h.prefixLen)) >>> 0;
  const n = (((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0) & mask;
  const net = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
  return (
    `default via ${h.gatewayIp} dev ${h.fabricInterface} proto static \n` +
    `${net}/${h.prefixLen} dev ${h.fabricInterface} proto kernel scope link src ${h.ip} \n`
  );
}
