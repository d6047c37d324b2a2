/**
 * `parseIpRoute`: outputs of iproute2 on Linux, captured from a real kernel (a network namespace with
 * veth pairs, routes added with `ip route add …`; the sandbox host's own tables), byte for byte
 * including iproute2's trailing spaces and the tab before `nexthop`.
 */
import { describe, expect, it } from "vitest";
import { lookupRoute, parseIpRoute } from "../../lib/vrouter";

// `ip route` (main table): default via with proto/src/metric, kernel routes, linkdown, metrics with
// lock, blackhole / unreachable, a multipath route, a host route, onlink.
const MAIN =
  "default via 10.1.0.1 dev d0 proto dhcp src 10.1.0.2 metric 100 \n" +
  "10.1.0.0/24 dev d0 proto kernel scope link src 10.1.0.2 \n" +
  "10.2.0.0/24 dev d1 proto kernel scope link src 10.2.0.2 \n" +
  "10.3.0.0/24 dev d2 proto kernel scope link src 10.3.0.2 linkdown \n" +
  "10.50.0.0/16 via 10.2.0.1 dev d1 metric 20 mtu lock 1400 advmss 1360 \n" +
  "blackhole 10.66.0.0/16 \n" +
  "unreachable 10.77.0.0/16 \n" +
  "172.16.0.0/12 proto static \n" +
  "\tnexthop via 10.1.0.1 dev d0 weight 1 \n" +
  "\tnexthop via 10.2.0.1 dev d1 weight 2 \n" +
  "192.168.7.7 dev d1 scope link \n" +
  "192.168.8.0/24 via 10.1.0.9 dev d0 onlink \n" +
  "192.168.9.0/24 via 10.3.0.1 dev d2 linkdown \n";

// `ip -6 route`: kernel routes, a multipath route, unreachable, link-local on two devices, default with pref.
const V6 =
  "2001:db8:1::/64 dev d0 proto kernel metric 256 pref medium\n" +
  "2001:db8:5::/64 metric 1024 pref medium\n" +
  "\tnexthop via 2001:db8:1::1 dev d0 weight 1 \n" +
  "\tnexthop via 2001:db8:1::3 dev d0 weight 1 \n" +
  "unreachable 2001:db8:dead::/48 dev lo metric 1024 pref medium\n" +
  "fe80::/64 dev d1 proto kernel metric 256 pref medium\n" +
  "fe80::/64 dev d0 proto kernel metric 256 pref medium\n" +
  "default via 2001:db8:1::1 dev d0 metric 1024 pref high\n";

describe("parseIpRoute", () => {
  it("reads the main table: default via, proto kernel scope link src, dev, metric, metrics, flags", () => {
    const r = parseIpRoute(MAIN);
    expect(r.kind).toBe("ip-route");
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows.map((x) => [x.line, x.type, x.destination, x.prefix])).toEqual([
      [1, "unicast", "default", "0.0.0.0/0"],
      [2, "unicast", "10.1.0.0/24", "10.1.0.0/24"],
      [3, "unicast", "10.2.0.0/24", "10.2.0.0/24"],
      [4, "unicast", "10.3.0.0/24", "10.3.0.0/24"],
      [5, "unicast", "10.50.0.0/16", "10.50.0.0/16"],
      [6, "blackhole", "10.66.0.0/16", "10.66.0.0/16"],
      [7, "unreachable", "10.77.0.0/16", "10.77.0.0/16"],
      [8, "unicast", "172.16.0.0/12", "172.16.0.0/12"],
      [11, "unicast", "192.168.7.7", "192.168.7.7/32"],
      [12, "unicast", "192.168.8.0/24", "192.168.8.0/24"],
      [13, "unicast", "192.168.9.0/24", "192.168.9.0/24"],
    ]);
    expect(r.rows[0]).toEqual({
      line: 1, family: "inet", type: "unicast", destination: "default", prefix: "0.0.0.0/0", address: "0.0.0.0", prefixLen: 0,
      via: "10.1.0.1", dev: "d0", table: null, proto: "dhcp", scope: null, src: "10.1.0.2", metric: 100, pref: null,
      flags: "", metrics: null, mtu: null, nexthops: null, options: null, extra: null,
    });
    expect(r.rows[1]).toMatchObject({ via: null, dev: "d0", proto: "kernel", scope: "link", src: "10.1.0.2", metric: null, prefixLen: 24 });
    expect(r.rows[3]).toMatchObject({ flags: "linkdown" });
    expect(r.rows[4]).toMatchObject({ via: "10.2.0.1", dev: "d1", metric: 20, metrics: "mtu lock 1400 advmss 1360", mtu: 1400 });
    expect(r.rows[5]).toMatchObject({ type: "blackhole", via: null, dev: null });
    expect(r.rows[7]).toMatchObject({ proto: "static", via: "10.1.0.1", dev: "d0", nexthops: "via 10.1.0.1 dev d0 weight 1; via 10.2.0.1 dev d1 weight 2" });
    expect(r.rows[8]).toMatchObject({ prefixLen: 32, scope: "link" });
    expect(r.rows[9]).toMatchObject({ flags: "onlink" });
  });

  it("reads `ip -6 route`: IPv6 prefixes, pref, multipath, unreachable via lo, the default route's family", () => {
    const r = parseIpRoute(V6);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows.map((x) => [x.family, x.type, x.prefix, x.dev, x.metric, x.pref])).toEqual([
      ["inet6", "unicast", "2001:db8:1::/64", "d0", 256, "medium"],
      ["inet6", "unicast", "2001:db8:5::/64", "d0", 1024, "medium"],
      ["inet6", "unreachable", "2001:db8:dead::/48", "lo", 1024, "medium"],
      ["inet6", "unicast", "fe80::/64", "d1", 256, "medium"],
      ["inet6", "unicast", "fe80::/64", "d0", 256, "medium"],
      ["inet6", "unicast", "::/0", "d0", 1024, "high"],
    ]);
    expect(r.rows[1].nexthops).toBe("via 2001:db8:1::1 dev d0 weight 1; via 2001:db8:1::3 dev d0 weight 1");
    expect(r.rows[5]).toMatchObject({ destination: "default", address: "::", prefixLen: 0, via: "2001:db8:1::1" });
  });

  it("tells a multipath default route's family from its first next hop, or from an `ip -6 route` prompt", () => {
    const v6 = parseIpRoute("default metric 1024 pref medium\n\tnexthop via 2001:db8:1::1 dev d0 weight 1 \n\tnexthop via 2001:db8:1::3 dev d0 weight 1 \n");
    expect(v6.rows[0]).toMatchObject({ family: "inet6", prefix: "::/0", via: "2001:db8:1::1", metric: 1024 });
    const v4 = parseIpRoute("default \n\tnexthop via 10.1.0.1 dev d0 weight 1 \n\tnexthop via 10.1.0.3 dev d0 weight 1 \n");
    expect(v4.rows[0]).toMatchObject({ family: "inet", prefix: "0.0.0.0/0", via: "10.1.0.1", nexthops: "via 10.1.0.1 dev d0 weight 1; via 10.1.0.3 dev d0 weight 1" });
    // An old kernel's `ip -6 route`: a default with no address on its line.
    const old = "$ ip -6 route\nunreachable default dev lo proto kernel metric 4294967295 error -101 pref medium\n";
    expect(parseIpRoute(old).rows[0]).toMatchObject({ family: "inet6", type: "unreachable", prefix: "::/0", metric: 4294967295, options: "error -101" });
    expect(parseIpRoute(old).commands).toEqual([{ line: 1, prompt: "$", command: "ip -6 route", tool: "ip-route" }]);
    expect(parseIpRoute("unreachable default dev lo metric 1024\n", { family: "inet6" }).rows[0].prefix).toBe("::/0");
  });

  it("reads `ip route show table all` (local/broadcast/multicast types, table) and `ip -d route` (unicast printed)", () => {
    const all =
      "default via 192.0.2.1 dev eth0 \n" +
      "192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2 \n" +
      "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 \n" +
      "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 \n" +
      "local fe80::fc:ff:fe00:1 dev eth0 table local proto kernel metric 0 pref medium\n" +
      "multicast ff00::/8 dev eth0 table local proto kernel metric 256 pref medium\n";
    const r = parseIpRoute(all);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.type, x.prefix, x.table, x.scope])).toEqual([
      ["unicast", "0.0.0.0/0", null, null],
      ["unicast", "192.0.2.0/24", null, "link"],
      ["local", "127.0.0.0/8", "local", "host"],
      ["broadcast", "127.255.255.255/32", "local", "link"],
      ["local", "fe80::fc:ff:fe00:1/128", "local", null],
      ["multicast", "ff00::/8", "local", null],
    ]);
    const d = parseIpRoute("unicast default via 192.0.2.1 dev eth0 proto boot scope global \nunicast 192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2 \n");
    expect(d.rows.map((x) => [x.type, x.prefix, x.proto, x.scope])).toEqual([
      ["unicast", "0.0.0.0/0", "boot", "global"],
      ["unicast", "192.0.2.0/24", "kernel", "link"],
    ]);
  });

  it("reads `ip route get` with its cache line", () => {
    const r = parseIpRoute("10.50.1.1 via 10.2.0.1 dev d1 src 10.2.0.2 uid 0 \n    cache mtu lock 1400 advmss 1360 \n");
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ prefix: "10.50.1.1/32", via: "10.2.0.1", src: "10.2.0.2", options: "uid 0 cache", metrics: "mtu lock 1400 advmss 1360", mtu: 1400 });
    expect(parseIpRoute("local 127.0.0.1 dev lo src 127.0.0.1 uid 0 \n    cache <local> \n").rows[0]).toMatchObject({ type: "local", options: "uid 0 cache <local>" });
  });

  it("keeps nhid / encap / expires as options, and unknown words in extra with a warning", () => {
    const r = parseIpRoute(
      "10.123.0.0/16 nhid 12 encap mpls 100/200 via 10.1.0.1 dev d0 \n" +
        "2001:db8:9::/64 dev eth0 proto ra metric 100 expires 86390sec pref medium\n" +
        "10.9.0.0/16 via 10.1.0.1 dev d0 frobnicate \n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.options, x.via, x.extra])).toEqual([
      ["nhid 12 encap mpls 100/200", "10.1.0.1", null],
      ["expires 86390sec", null, null],
      [null, "10.1.0.1", "frobnicate"],
    ]);
    expect(r.warnings).toEqual([{ line: 3, column: 33, message: "unknown word `frobnicate` kept in extra", text: "frobnicate" }]);
  });

  it("never throws: garbage becomes errors with line and column, rows before it stay; other commands' output is skipped", () => {
    const r = parseIpRoute("default via 10.0.0.1 dev eth0 \nRTNETLINK answers: Network is unreachable\n  10.0.0.0/33 dev x\n");
    expect(r.rows).toHaveLength(1);
    expect(r.errors.map((e) => [e.line, e.column])).toEqual([[2, 1], [3, 3]]);
    for (const bad of ["", "\n\n", "\u0000\u0001", "via", "default via", "blackhole", "1.2.3.4/", "::::/1", 42 as unknown as string, null as unknown as string]) {
      expect(() => parseIpRoute(bad)).not.toThrow();
    }
    const t = parseIpRoute("# ip addr\n1: lo: <LOOPBACK,UP> mtu 65536\n# ip route\ndefault via 15.15.15.1 dev eth0 proto static \n");
    expect(t.rows.map((x) => x.via)).toEqual(["15.15.15.1"]);
    expect(t.errors).toEqual([]);
    expect(t.warnings.map((w) => w.message)).toEqual(["skipped 1 line(s) of `ip addr` output: not ip route"]);
  });

  it("feeds lookupRoute: the longest prefix wins, whatever the order, for IPv4 and IPv6", () => {
    const rows = parseIpRoute(MAIN).rows;
    expect(lookupRoute(rows, "101.101.101.1")?.destination).toBe("default");
    expect(lookupRoute(rows, "10.50.3.4")?.via).toBe("10.2.0.1");
    expect(lookupRoute(rows, "10.66.1.1")?.type).toBe("blackhole");
    expect(lookupRoute(rows, "192.168.7.7")?.prefixLen).toBe(32);
    expect(lookupRoute([...rows].reverse(), "10.1.0.77")?.prefix).toBe("10.1.0.0/24");
    const v6 = parseIpRoute(V6).rows;
    expect(lookupRoute(v6, "2001:db8:5::9")?.nexthops).toMatch(/^via 2001:db8:1::1/);
    expect(lookupRoute(v6, "2001:db8:77::1")?.destination).toBe("default");
    // Families never mix: an IPv4 address is not covered by ::/0.
    expect(lookupRoute(v6, "10.0.0.1")).toBeNull();
  });
});
