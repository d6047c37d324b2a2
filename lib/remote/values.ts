/**
 * The one place where a value on its way into a node's or router's command is checked against what it
 * claims to be. Quoting (`quote.ts`) keeps a value to one shell word, but the program that receives it
 * can still read syntax in it: `x | save /var/tmp/x` is one word to the shell and a pipe to the Junos CLI.
 * So every parameter is validated for its kind before it is used; each check returns `null` when the
 * value is good, else a message saying what was expected (callers name the parameter and exit 2).
 */
import * as net from "node:net";

/**
 * Checks an IP address (IPv4 dotted quad or IPv6), no prefix, no port, no zone.
 *
 * @example
 * checkIpAddress("101.101.101.1")            // null
 * checkIpAddress("101.101.101.1 | save /x")  // "expected an IPv4 or IPv6 address, got …"
 */
export function checkIpAddress(value: string): string | null {
  return typeof value === "string" && !value.includes("%") && net.isIP(value) !== 0 ? null : `expected an IPv4 or IPv6 address, got ${JSON.stringify(value)}`;
}

/** Routing-instance names Junos reserves for itself (refused since Junos 9.0). */
const JUNOS_RESERVED = new Set(["master", "default", "bgp"]);

/**
 * Checks a Junos routing-instance (VRF) name: letters, digits, `-` and `_` only (Junos refuses special
 * characters in instance names since 9.0), not starting with `-`, at most 128 characters, not one of the reserved `master`,
 * `default`, `bgp`. Contrail's device manager names instances like `_contrail_k8s-ns-user-1-public-l3-5`.
 *
 * @example
 * checkJunosInstance("k8s-ns-user-1-public") // null
 * checkJunosInstance("x | save /var/tmp/x")  // "expected a Junos routing-instance name …"
 */
export function checkJunosInstance(value: string): string | null {
  if (typeof value !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/.test(value)) {
    return `expected a Junos routing-instance name (letters, digits, '-' and '_', not starting with '-', at most 128 characters), got ${JSON.stringify(value)}`;
  }
  if (JUNOS_RESERVED.has(value.toLowerCase())) return `${JSON.stringify(value)} is reserved by Junos and names no routing instance (leave it out to search every table)`;
  return null;
}

/**
 * Checks a network interface name as the nodes' OS (Linux) allows it: 1-15 characters from letters,
 * digits, `_ . @ + -`, not `.` or `..` (no `/`, `:`, whitespace or quotes).
 *
 * @example
 * checkInterfaceName("vhost0")   // null
 * checkInterfaceName("eth0; id") // "expected an interface name …"
 */
export function checkInterfaceName(value: string): string | null {
  return typeof value === "string" && /^[A-Za-z0-9_.@+-]{1,15}$/.test(value) && value !== "." && value !== ".."
    ? null
    : `expected an interface name (1-15 characters: letters, digits, '_', '.', '@', '+', '-'), got ${JSON.stringify(value)}`;
}

/**
 * Checks a Junos interface name: a media type and optional FPC/PIC/port (`ge-0/0/1`, `xe-0/0/0:2`,
 * `et-1/0/3`, `gr-1/0/0`), or a plain name (`ae0`, `lo0`, `irb`, `fxp0`), with an optional logical unit
 * (`.32779`).
 *
 * @example
 * checkJunosInterfaceName("ge-0/0/1.0") // null
 * checkJunosInterfaceName("ge-0/0/1 | save /x") // "expected a Junos interface name …"
 */
export function checkJunosInterfaceName(value: string): string | null {
  return typeof value === "string" && /^[a-z][a-z0-9]{0,15}(?:-\d{1,3}\/\d{1,3}\/\d{1,3}(?::\d{1,3})?)?(?:\.\d{1,5})?$/.test(value)
    ? null
    : `expected a Junos interface name (ge-0/0/1, ae0, lo0.0 …), got ${JSON.stringify(value)}`;
}

/**
 * Checks a TCP/UDP port number (1-65535, an integer).
 *
 * @example
 * checkPort(80)    // null
 * checkPort(70000) // "expected a port number 1-65535, got 70000"
 */
export function checkPort(value: number): string | null {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? null : `expected a port number 1-65535, got ${JSON.stringify(value)}`;
}

/**
 * Checks an HTTP Host header value (a DNS name or address, optionally `:port`): no spaces, controls,
 * quotes or characters outside RFC 3986's reg-name/IP-literal set.
 *
 * @example
 * checkHostHeader("www.juniper.net") // null
 * checkHostHeader("a\r\nX-Evil: 1")  // "expected a host name …"
 */
export function checkHostHeader(value: string): string | null {
  return typeof value === "string" && /^(?:[A-Za-z0-9._~!$&'()*+,;=-]{1,253}|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(value)
    ? null
    : `expected a host name or address (optionally :port) for the Host header, got ${JSON.stringify(value)}`;
}
