/**
 * pcap / pcapng link types (https://www.tcpdump.org/linktypes.html) this package decodes.
 * @module
 */

/** Ethernet (DLT_EN10MB). */
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW as most platforms number it in memory; some writers put it in files. */
export const DLT_RAW_12 = 12;
/** DLT_RAW as OpenBSD numbers it. */
export const DLT_RAW_14 = 14;
/** Raw IP, version from the first nibble (LINKTYPE_RAW). */
export const LINKTYPE_RAW = 101;
/** Linux cooked capture v1 (`tcpdump -i any` before libpcap 1.10). */
export const LINKTYPE_LINUX_SLL = 113;
/** Raw IPv4. */
export const LINKTYPE_IPV4 = 228;
/** Raw IPv6. */
export const LINKTYPE_IPV6 = 229;
/** Linux cooked capture v2 (`tcpdump -i any`, libpcap ≥ 1.10). */
export const LINKTYPE_LINUX_SLL2 = 276;

/**
 * Name of a link type, for messages.
 * @example linkTypeName(113) // "linux-sll"
 */
export function linkTypeName(linkType: number): string {
  switch (linkType) {
    case LINKTYPE_ETHERNET: return "ethernet";
    case DLT_RAW_12: case DLT_RAW_14: case LINKTYPE_RAW: return "raw";
    case LINKTYPE_LINUX_SLL: return "linux-sll";
    case LINKTYPE_LINUX_SLL2: return "linux-sll2";
    case LINKTYPE_IPV4: return "ipv4";
    case LINKTYPE_IPV6: return "ipv6";
    default: return `linktype-${linkType}`;
  }
}
