import { describe, expect, it } from "vitest";
import { formatIpv4, formatIpv4Number, ipv4Network, parseIpv4 } from "../lib/ipv4";
import { ipv4Value } from "../lib/vrouter/flow/ipv4-bytes";

describe("lib/ipv4: the one home of IPv4 text ↔ number", () => {
  it("parses and formats dotted quads, refusing what is not one", () => {
    expect(parseIpv4("10.47.255.238")).toBe(0x0a2fffee);
    expect(parseIpv4("255.255.255.255")).toBe(0xffffffff);
    expect(parseIpv4("0.0.0.0")).toBe(0);
    for (const bad of ["10.47.255.256", "1.2.3", "1.2.3.4.5", "a.b.c.d", " 1.2.3.4", "1.2.3.4 ", "", "::1", "1..2.3"]) expect(parseIpv4(bad), bad).toBe(-1);
    expect(formatIpv4Number(0x0a2fffee)).toBe("10.47.255.238");
    expect(formatIpv4Number(0xffffffff)).toBe("255.255.255.255");
    expect(formatIpv4(Uint8Array.of(9, 10, 169, 25, 20), 1)).toBe("10.169.25.20");
    expect(ipv4Network("15.15.15.2", 24)).toBe("15.15.15.0");
    expect(ipv4Network("15.15.15.2", 0)).toBe("0.0.0.0");
    expect(ipv4Network("15.15.15.2", 33)).toBeNull();
  });

  it("agrees with the flow byte scanner's reader on every address it takes", () => {
    for (const t of ["10.47.255.238", "101.101.101.1", "0.0.0.0", "255.255.255.255", "1.2.3.4"]) expect(ipv4Value(t)).toBe(parseIpv4(t));
  });
});
