/**
 * The numbers every part of capture decoding reads: layer ids (gopacket's LayerType numbers) with their
 * names, tunnel codes, frame flags, problem codes with their messages, per-frame limits, MPLS payload
 * kinds and HTTP method codes. Plain constants with no imports, so the decode context, the registry,
 * the layer decoders, the fast decoder, the frame table and the filter all read them from here and
 * none of them has to import another to learn a number.
 *
 * Hot modules copy these into module-level consts (`const { LAYER_NONE } = ids`): see the README.
 *
 * @example
 * import { LAYER_NAMES, LAYER_MPLS } from "./layer-ids";
 * LAYER_NAMES[LAYER_MPLS]; // "mpls"
 * @module
 */

// ---------------------------------------------------------------------------------------------
// Layer ids (gopacket's LayerType numbers). The decoder for each id is chosen in `decode.ts`
// (the switch in `decodeLayers`), the layer that leads to it in `registry.ts`.
// ---------------------------------------------------------------------------------------------

/** No further layer: the rest is payload. */
export const LAYER_NONE = 0;
/** Ethernet II (IEEE 802.3 with EtherType). */
export const LAYER_ETHERNET = 1;
/** IEEE 802.1Q / 802.1ad VLAN tag. */
export const LAYER_VLAN = 2;
/** Linux cooked capture v1 (DLT_LINUX_SLL, 113). */
export const LAYER_SLL = 3;
/** Linux cooked capture v2 (DLT_LINUX_SLL2, 276). */
export const LAYER_SLL2 = 4;
/** Raw IP: IPv4 or IPv6 chosen by the version nibble (DLT_RAW). */
export const LAYER_RAW_IP = 5;
/** IPv4 (RFC 791). */
export const LAYER_IPV4 = 6;
/** IPv6 (RFC 8200). */
export const LAYER_IPV6 = 7;
/** GRE (RFC 2784, 2890). */
export const LAYER_GRE = 8;
/** MPLS label stack (RFC 3032). */
export const LAYER_MPLS = 9;
/** UDP (RFC 768). */
export const LAYER_UDP = 10;
/** VXLAN (RFC 7348). */
export const LAYER_VXLAN = 11;
/** TCP (RFC 9293). */
export const LAYER_TCP = 12;
/** ICMP for IPv4 (RFC 792). */
export const LAYER_ICMP = 13;
/** ICMPv6 (RFC 4443). */
export const LAYER_ICMPV6 = 14;
/** HTTP/1.x start line and headers. */
export const LAYER_HTTP = 15;
/** BSD loopback / null: a 4-byte address family (DLT_NULL 0 in host order, DLT_LOOP 108 big-endian). */
export const LAYER_NULL = 16;
/** PPP (RFC 1661), with or without the HDLC-like address/control bytes `ff 03` (RFC 1662). */
export const LAYER_PPP = 17;
/** Cisco HDLC: address, control, an EtherType. */
export const LAYER_CHDLC = 18;
/** Juniper's capture pseudo-header ("MGC", flags, extension TLVs) and the PIC's own cookie. */
export const LAYER_JUNIPER = 19;

/** Short names of the layers, indexed by id, as they appear in the `protocols` column. */
export const LAYER_NAMES: readonly string[] = [
  "", "eth", "vlan", "sll", "sll2", "raw", "ip", "ipv6", "gre", "mpls", "udp", "vxlan", "tcp", "icmp",
  "icmpv6", "http", "null", "ppp", "chdlc", "juniper",
];

/** Number of layer ids (one name each). */
export const LAYER_COUNT: number = LAYER_NAMES.length;

// ---------------------------------------------------------------------------------------------
// Tunnel types.
// ---------------------------------------------------------------------------------------------

/** No tunnel. */
export const TUNNEL_NONE = 0;
/** MPLS over GRE (IP protocol 47, GRE protocol type 0x8847). */
export const TUNNEL_MPLSOGRE = 1;
/** MPLS over UDP (RFC 7510; vRouter ports 6635 and legacy 51234). */
export const TUNNEL_MPLSOUDP = 2;
/** VXLAN (UDP 4789). */
export const TUNNEL_VXLAN = 3;
/** Plain GRE carrying IP or Ethernet. */
export const TUNNEL_GRE = 4;
/** MPLS directly over Ethernet or cooked capture. */
export const TUNNEL_MPLS = 5;
/** IP in IP (IP protocol 4 or 41). */
export const TUNNEL_IPIP = 6;

/** Tunnel names indexed by tunnel code, as used by the `tunnel` column and the filter language. */
export const TUNNEL_NAMES: readonly string[] = ["", "mplsogre", "mplsoudp", "vxlan", "gre", "mpls", "ipip"];

/** Display names indexed by tunnel code, for frame lists (`MPLSoGRE[20] a→b`). */
export const TUNNEL_LABELS: readonly string[] = ["", "MPLSoGRE", "MPLSoUDP", "VXLAN", "GRE", "MPLS", "IPIP"];

// ---------------------------------------------------------------------------------------------
// Frame status flags and problem codes.
// ---------------------------------------------------------------------------------------------

/** The frame ended before a header or a declared length did (snaplen, cut capture). */
export const FLAG_TRUNCATED = 1;
/** A header had an impossible value; decoding stopped there. */
export const FLAG_MALFORMED = 2;
/** Decoding stopped at a protocol we do not decode (not an error). */
export const FLAG_UNSUPPORTED = 4;

/** Problem codes recorded with {@link DecodeContext.fail}; messages in {@link PROBLEM_MESSAGES}. */
export const P_NONE = 0;
export const P_SHORT = 1;
export const P_IPV4_VERSION = 2;
export const P_IPV4_IHL = 3;
export const P_IPV4_TOTLEN = 4;
export const P_IPV6_VERSION = 5;
export const P_GRE_VERSION = 6;
export const P_MPLS_DEPTH = 7;
export const P_UDP_LENGTH = 8;
export const P_TCP_OFFSET = 9;
export const P_VXLAN_FLAGS = 10;
export const P_TOO_DEEP = 11;
export const P_LINKTYPE = 12;
export const P_VLAN_DEPTH = 13;
export const P_IP_DEPTH = 14;
export const P_JUNIPER_MAGIC = 15;

/** Human-readable problem messages indexed by problem code. */
export const PROBLEM_MESSAGES: readonly string[] = [
  "",
  "truncated header",
  "version is not 4",
  "header length below 20 bytes",
  "total length below header length",
  "version is not 6",
  "unsupported GRE version",
  "label stack deeper than 8 without bottom of stack",
  "length below 8 bytes",
  "data offset below 20 bytes",
  "I flag clear",
  "more than 24 layers",
  "unsupported link type",
  "more than 4 VLAN tags",
  "more than 4 IP headers",
  "no \"MGC\" magic",
];

/** Most layers decoded per frame; deeper frames are flagged malformed. */
export const MAX_LAYERS = 24;
/** Most IP headers recorded per frame. */
export const MAX_IPS = 4;
/** Most MPLS labels recorded per frame. */
export const MAX_LABELS = 8;

/** MPLS payload kinds in a label map (`DecodeOptions.mplsPayload`). */
export type MplsPayloadKind = "ip" | "ipv4" | "ipv6" | "ethernet";

/** Codes of {@link MplsPayloadKind} in {@link DecodeContext.labelKinds}. */
export const MPLS_KIND_GUESS = 0;
export const MPLS_KIND_IP = 1;
export const MPLS_KIND_IPV4 = 2;
export const MPLS_KIND_IPV6 = 3;
export const MPLS_KIND_ETHERNET = 4;

/** HTTP method codes (`DecodeContext.httpMethod`), indexed names in {@link HTTP_METHODS}. */
export const HTTP_METHODS: readonly string[] = [
  "", "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE",
];
