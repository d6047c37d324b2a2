/**
 * pcap / pcapng link types (https://www.tcpdump.org/linktypes.html) this package decodes.
 * @module
 */

/** BSD loopback (DLT_NULL): a 4-byte address family in the writer's byte order. */
export const LINKTYPE_NULL = 0;
/** Ethernet (DLT_EN10MB). */
export const LINKTYPE_ETHERNET = 1;
/** PPP (DLT_PPP): the PPP protocol field, maybe after `ff 03`. */
export const LINKTYPE_PPP = 9;
/** DLT_RAW as most platforms number it in memory; some writers put it in files. */
export const DLT_RAW_12 = 12;
/** DLT_RAW as OpenBSD numbers it. */
export const DLT_RAW_14 = 14;
/** PPP in HDLC-like framing (DLT_PPP_SERIAL, RFC 1662); Cisco HDLC framing is met here too. */
export const LINKTYPE_PPP_HDLC = 50;
/** Raw IP, version from the first nibble (LINKTYPE_RAW). */
export const LINKTYPE_RAW = 101;
/** Cisco HDLC (DLT_C_HDLC). */
export const LINKTYPE_C_HDLC = 104;
/** OpenBSD loopback (DLT_LOOP): a 4-byte address family, big-endian. */
export const LINKTYPE_LOOP = 108;
/** Linux cooked capture v1 (`tcpdump -i any` before libpcap 1.10). */
export const LINKTYPE_LINUX_SLL = 113;
/** Juniper multilink PPP (MLPPP PIC / LSQ). */
export const LINKTYPE_JUNIPER_MLPPP = 130;
/** Juniper ATM2 PIC. */
export const LINKTYPE_JUNIPER_ATM2 = 135;
/** Juniper ATM1 PIC. */
export const LINKTYPE_JUNIPER_ATM1 = 137;
/** Juniper PPPoE PIC (Ethernet after the pseudo-header). */
export const LINKTYPE_JUNIPER_PPPOE = 167;
/** Juniper Ethernet (`monitor traffic interface ge-… write-file`). */
export const LINKTYPE_JUNIPER_ETHER = 178;
/** Juniper PPP (a 2-byte cookie, then PPP). */
export const LINKTYPE_JUNIPER_PPP = 179;
/** Juniper Frame Relay (not decoded past the pseudo-header). */
export const LINKTYPE_JUNIPER_FRELAY = 180;
/** Juniper Cisco HDLC. */
export const LINKTYPE_JUNIPER_CHDLC = 181;
/** Raw IPv4. */
export const LINKTYPE_IPV4 = 228;
/** Raw IPv6. */
export const LINKTYPE_IPV6 = 229;
/** Linux cooked capture v2 (`tcpdump -i any`, libpcap ≥ 1.10). */
export const LINKTYPE_LINUX_SLL2 = 276;

/** The Juniper link types whose frames start with the "MGC" pseudo-header. */
export const JUNIPER_LINK_TYPES: readonly number[] = [
  LINKTYPE_JUNIPER_MLPPP, LINKTYPE_JUNIPER_ATM2, LINKTYPE_JUNIPER_ATM1, LINKTYPE_JUNIPER_PPPOE, LINKTYPE_JUNIPER_ETHER,
  LINKTYPE_JUNIPER_PPP, LINKTYPE_JUNIPER_FRELAY, LINKTYPE_JUNIPER_CHDLC,
];

const NAMES: Record<number, string> = {
  [LINKTYPE_NULL]: "null", [LINKTYPE_ETHERNET]: "ethernet", [LINKTYPE_PPP]: "ppp", [DLT_RAW_12]: "raw", [DLT_RAW_14]: "raw",
  [LINKTYPE_PPP_HDLC]: "ppp-hdlc", [LINKTYPE_RAW]: "raw", [LINKTYPE_C_HDLC]: "c-hdlc", [LINKTYPE_LOOP]: "loop",
  [LINKTYPE_LINUX_SLL]: "linux-sll", [LINKTYPE_JUNIPER_MLPPP]: "juniper-mlppp", [LINKTYPE_JUNIPER_ATM2]: "juniper-atm2",
  [LINKTYPE_JUNIPER_ATM1]: "juniper-atm1", [LINKTYPE_JUNIPER_PPPOE]: "juniper-pppoe", [LINKTYPE_JUNIPER_ETHER]: "juniper-ether",
  [LINKTYPE_JUNIPER_PPP]: "juniper-ppp", [LINKTYPE_JUNIPER_FRELAY]: "juniper-frelay", [LINKTYPE_JUNIPER_CHDLC]: "juniper-chdlc",
  [LINKTYPE_IPV4]: "ipv4", [LINKTYPE_IPV6]: "ipv6", [LINKTYPE_LINUX_SLL2]: "linux-sll2",
  // a few others met in the field, named for the warning
  6: "ieee802-5", 10: "fddi", 105: "ieee802-11", 127: "ieee802-11-radiotap", 140: "mtp2", 147: "user0", 220: "usb-linux-mmapped",
};

/**
 * Name of a link type, for messages.
 * @example linkTypeName(113) // "linux-sll"
 */
export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `linktype-${linkType}`;
}
