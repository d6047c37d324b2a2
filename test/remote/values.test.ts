import { describe, expect, it } from "vitest";
import { checkHostHeader, checkInterfaceName, checkJunosInterfaceName, checkIpAddress, checkJunosInstance, checkPort } from "../../lib/remote/values";
import { HOSTILE } from "./helpers/hostile";

describe("values on their way into node and router commands", () => {
  it("takes addresses that are addresses, and nothing else", () => {
    for (const ok of ["101.101.101.1", "10.47.255.238", "::1", "2001:db8::1", "fe80::1"]) expect(checkIpAddress(ok)).toBeNull();
    for (const bad of ["101.101.101.1 | save /var/tmp/x", "101.101.101.1/32", "101.101.101.1:80", "256.1.1.1", "www.juniper.net", "fe80::1%eth0", ...HOSTILE]) {
      expect(checkIpAddress(bad)).toMatch(/^expected an IPv4 or IPv6 address, got /);
    }
  });

  it("takes Junos routing-instance names by Junos' own rules", () => {
    for (const ok of ["k8s-ns-user-1-public", "_contrail_k8s-ns-user-1-public-l3-5", "VRF_A", "a".repeat(128)]) expect(checkJunosInstance(ok)).toBeNull();
    for (const bad of ["x | save /var/tmp/x", "a.inet.0", "a b", "", "a".repeat(129), "vrf;", ...HOSTILE]) {
      expect(checkJunosInstance(bad)).toMatch(/^expected a Junos routing-instance name/);
    }
    expect(checkJunosInstance("master")).toMatch(/reserved by Junos/);
    expect(checkJunosInstance("BGP")).toMatch(/reserved by Junos/);
  });

  it("takes interface names the OS allows", () => {
    for (const ok of ["eth0", "vhost0", "bond0.100", "tapeth0-038fdd", "veth@if3", "a".repeat(15)]) expect(checkInterfaceName(ok)).toBeNull();
    for (const bad of ["", ".", "..", "eth0; id", "a/b", "eth0:1", "a".repeat(16), ...HOSTILE.filter((h) => !/^[A-Za-z0-9_.@+-]{1,15}$/.test(h))]) {
      expect(checkInterfaceName(bad)).toMatch(/^expected an interface name/);
    }
  });

  it("takes Junos interface names on the gateway", () => {
    for (const ok of ["ge-0/0/1", "ge-0/0/1.0", "xe-0/0/0:2", "et-1/0/3.100", "gr-1/0/0.32779", "ae0", "lo0.0", "irb.10", "fxp0"]) expect(checkJunosInterfaceName(ok)).toBeNull();
    for (const bad of ["ge-0/0/1 | save /x", "GE-0/0/1", "ge-0/0", "ge-0/0/1.", "", ...HOSTILE]) expect(checkJunosInterfaceName(bad)).toMatch(/^expected a Junos interface name/);
  });

  it("takes ports and Host headers", () => {
    expect(checkPort(80)).toBeNull();
    for (const bad of [0, 65536, 1.5, NaN, -1]) expect(checkPort(bad)).toMatch(/port number/);
    for (const ok of ["www.juniper.net", "www.juniper.net:8080", "101.101.101.1", "[2001:db8::1]:80"]) expect(checkHostHeader(ok)).toBeNull();
    for (const bad of ["a\r\nX-Evil: 1", "a b", "", "a\"b", "a|b"]) expect(checkHostHeader(bad)).toMatch(/Host header/);
  });
});
