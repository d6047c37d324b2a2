/**
 * Next-layer tables (gopacket's `enums.go` + `ports.go`): EtherType, IP protocol, UDP/TCP port and
 * link type → layer id. A layer never names its successor; it looks its own next-protocol field up
 * here. Tables are dense typed arrays, so a lookup is one indexed load.
 *
 * @module
 */
import {
  LAYER_CHDLC, LAYER_ETHERNET, LAYER_GRE, LAYER_JUNIPER, LAYER_NULL, LAYER_PPP, LAYER_HTTP, LAYER_ICMP, LAYER_ICMPV6, LAYER_IPV4, LAYER_IPV6, LAYER_MPLS,
  LAYER_RAW_IP, LAYER_SLL, LAYER_SLL2, LAYER_TCP, LAYER_UDP, LAYER_VLAN, LAYER_VXLAN,
} from "./layer-ids";
import * as lt from "./link-types";

/** EtherTypes the default registry knows. */
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_MPLS = 0x8847;
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;
/** Transparent Ethernet bridging (GRE carrying Ethernet; also what VXLAN carries). */
export const ETHERTYPE_TEB = 0x6558;

/** IP protocol numbers the default registry knows. */
export const IPPROTO_ICMP = 1;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_GRE = 47;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_MPLS = 137;

/** vRouter MPLSoUDP destination ports: IANA 6635 (R3.2+) and the legacy 51234. */
export const MPLSOUDP_PORTS: readonly number[] = [6635, 51234];
/** VXLAN UDP port (IANA). */
export const VXLAN_PORTS: readonly number[] = [4789];
/** TCP ports whose payload is tried as HTTP/1.x. */
export const HTTP_PORTS: readonly number[] = [80, 8080, 8000, 8008, 8081, 8085, 8888];

/** The next-layer tables used by a decode context. */
export interface Registry {
  /** EtherType → layer id (Ethernet, VLAN, SLL, GRE protocol type). */
  readonly etherTypes: Uint8Array;
  /** IP protocol / IPv6 next header → layer id. */
  readonly ipProtocols: Uint8Array;
  /** UDP port → layer id (destination tried first, then source). */
  readonly udpPorts: Uint8Array;
  /** TCP port → layer id (destination tried first, then source). */
  readonly tcpPorts: Uint8Array;
  /** Link type (pcap LINKTYPE_*) → first layer id. */
  readonly linkTypes: Uint8Array;
  /** IP version nibble → layer id (raw IP and MPLS payload by version). */
  readonly ipVersions: Uint8Array;
  /** PPP protocol → layer id (0x0021 IPv4, 0x0057 IPv6, 0x0281/0x0283 MPLS). */
  readonly pppProtocols: Uint8Array;
  /** BSD address family (loopback/null link types) → layer id. */
  readonly addressFamilies: Uint8Array;
}

/** PPP protocol numbers the default registry knows. */
export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;
export const PPP_MPLS = 0x0281;
export const PPP_MPLS_MULTICAST = 0x0283;

/** BSD address families: IPv4 everywhere, IPv6 on Linux, NetBSD/OpenBSD, FreeBSD and Darwin. */
export const AF_INET = 2;
export const AF_INET6_VALUES: readonly number[] = [10, 24, 28, 30];

/** Options for {@link createRegistry}. */
export interface RegistryOptions {
  /** UDP ports carrying MPLSoUDP. Default `[6635, 51234]`. */
  mplsUdpPorts?: readonly number[];
  /** UDP ports carrying VXLAN. Default `[4789]`. */
  vxlanPorts?: readonly number[];
  /** TCP ports tried as HTTP. Default {@link HTTP_PORTS}. */
  httpPorts?: readonly number[];
}

/**
 * Builds a registry with the default tables and the given port choices.
 *
 * @example
 * const reg = createRegistry({ mplsUdpPorts: [6635, 51234, 60000] });
 * reg.udpPorts[60000]; // LAYER_MPLS
 */
export function createRegistry({
  mplsUdpPorts = MPLSOUDP_PORTS,
  vxlanPorts = VXLAN_PORTS,
  httpPorts = HTTP_PORTS,
}: RegistryOptions = {}): Registry {
  const reg: Registry = {
    etherTypes: new Uint8Array(65536),
    ipProtocols: new Uint8Array(256),
    udpPorts: new Uint8Array(65536),
    tcpPorts: new Uint8Array(65536),
    linkTypes: new Uint8Array(1024),
    ipVersions: new Uint8Array(16),
    pppProtocols: new Uint8Array(65536),
    addressFamilies: new Uint8Array(256),
  };
  registerEtherType(reg, ETHERTYPE_IPV4, LAYER_IPV4);
  registerEtherType(reg, ETHERTYPE_IPV6, LAYER_IPV6);
  registerEtherType(reg, ETHERTYPE_VLAN, LAYER_VLAN);
  registerEtherType(reg, ETHERTYPE_QINQ, LAYER_VLAN);
  registerEtherType(reg, ETHERTYPE_QINQ_OLD, LAYER_VLAN);
  registerEtherType(reg, ETHERTYPE_MPLS, LAYER_MPLS);
  registerEtherType(reg, ETHERTYPE_MPLS_MULTICAST, LAYER_MPLS);
  registerEtherType(reg, ETHERTYPE_TEB, LAYER_ETHERNET);

  reg.ipProtocols[IPPROTO_ICMP] = LAYER_ICMP;
  reg.ipProtocols[IPPROTO_IPIP] = LAYER_IPV4;
  reg.ipProtocols[IPPROTO_TCP] = LAYER_TCP;
  reg.ipProtocols[IPPROTO_UDP] = LAYER_UDP;
  reg.ipProtocols[IPPROTO_IPV6] = LAYER_IPV6;
  reg.ipProtocols[IPPROTO_GRE] = LAYER_GRE;
  reg.ipProtocols[IPPROTO_ICMPV6] = LAYER_ICMPV6;
  reg.ipProtocols[IPPROTO_MPLS] = LAYER_MPLS;

  for (const p of mplsUdpPorts) registerUdpPort(reg, p, LAYER_MPLS);
  for (const p of vxlanPorts) registerUdpPort(reg, p, LAYER_VXLAN);
  for (const p of httpPorts) registerTcpPort(reg, p, LAYER_HTTP);

  reg.linkTypes[lt.LINKTYPE_ETHERNET] = LAYER_ETHERNET;
  reg.linkTypes[lt.LINKTYPE_LINUX_SLL] = LAYER_SLL;
  reg.linkTypes[lt.LINKTYPE_LINUX_SLL2] = LAYER_SLL2;
  reg.linkTypes[lt.LINKTYPE_RAW] = LAYER_RAW_IP;
  reg.linkTypes[lt.DLT_RAW_12] = LAYER_RAW_IP;
  reg.linkTypes[lt.DLT_RAW_14] = LAYER_RAW_IP;
  reg.linkTypes[lt.LINKTYPE_IPV4] = LAYER_IPV4;
  reg.linkTypes[lt.LINKTYPE_IPV6] = LAYER_IPV6;
  reg.linkTypes[lt.LINKTYPE_NULL] = LAYER_NULL;
  reg.linkTypes[lt.LINKTYPE_LOOP] = LAYER_NULL;
  reg.linkTypes[lt.LINKTYPE_PPP] = LAYER_PPP;
  reg.linkTypes[lt.LINKTYPE_PPP_HDLC] = LAYER_PPP;
  reg.linkTypes[lt.LINKTYPE_C_HDLC] = LAYER_CHDLC;
  for (const j of lt.JUNIPER_LINK_TYPES) reg.linkTypes[j] = LAYER_JUNIPER;

  reg.pppProtocols[PPP_IPV4] = LAYER_IPV4;
  reg.pppProtocols[PPP_IPV6] = LAYER_IPV6;
  reg.pppProtocols[PPP_MPLS] = LAYER_MPLS;
  reg.pppProtocols[PPP_MPLS_MULTICAST] = LAYER_MPLS;
  reg.addressFamilies[AF_INET] = LAYER_IPV4;
  for (const af of AF_INET6_VALUES) reg.addressFamilies[af] = LAYER_IPV6;

  reg.ipVersions[4] = LAYER_IPV4;
  reg.ipVersions[6] = LAYER_IPV6;
  return reg;
}

/** Maps an EtherType to a layer id (gopacket `EthernetTypeMetadata[t].DecodeWith`).
 * @example registerEtherType(reg, 0x8847, LAYER_MPLS) */
export function registerEtherType(reg: Registry, etherType: number, layer: number): void {
  reg.etherTypes[etherType & 0xffff] = layer;
}

/** Maps a UDP port to a layer id (gopacket `RegisterUDPPortLayerType`).
 * @example registerUdpPort(reg, 51234, LAYER_MPLS) */
export function registerUdpPort(reg: Registry, port: number, layer: number): void {
  reg.udpPorts[port & 0xffff] = layer;
}

/** Maps a TCP port to a layer id.
 * @example registerTcpPort(reg, 8080, LAYER_HTTP) */
export function registerTcpPort(reg: Registry, port: number, layer: number): void {
  reg.tcpPorts[port & 0xffff] = layer;
}

/** The registry used when no options are given (MPLSoUDP 6635/51234, VXLAN 4789, HTTP on 80 & co).
 * @example decodeFrame(bytes, LINKTYPE_ETHERNET, { registry: defaultRegistry }) */
export const defaultRegistry: Registry = createRegistry();
