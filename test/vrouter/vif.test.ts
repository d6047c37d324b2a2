import { describe, expect, it } from "vitest";
import { decodeVifFlags, parseVif } from "../../lib/vrouter/vif";
import { fixture } from "./helpers";

describe("parseVif", () => {
  it("S1 TF kernel vif --list: physical, vhost, agent, VLAN sub-interfaces without an OS name, stats", () => {
    const r = parseVif(fixture("s1-1.txt"));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows.map((x) => [x.name, x.osKind, x.osName, x.type, x.ipAddr, x.vrf, x.mcastVrf, x.flags, x.nh, x.drops])).toEqual([
      ["vif0/0", "OS", "eth0", "Physical", "0.0.0.0", 0, 65535, "TcL3L2VpEr", 4, 46004],
      ["vif0/1", "OS", "vhost0", "Host", "x.x.x.x", 0, 65535, "L3DErMn", 5, 4],
      ["vif0/2", "OS", "eth1", "Physical", "0.0.0.0", 0, 65535, "TcL3L2PrEr", 12, 0],
      ["vif0/3", "OS", "pkt0", "Agent", "0.0.0.0", 65535, 65535, "L3Er", null, 0],
      ["vif0/4", "", "6738b223-50a1-30b5-8d5e-b93a1151dc6f", "Virtual(Vlan)", "10.0.11.252", 2, 2, "PL3L2DErMn", 30, 0],
      ["vif0/5", "", "90b15d63-97ba-300a-b520-f85e6f58c951", "Virtual(Vlan)", "10.0.11.251", 2, 2, "PL3L2DErMn", 25, 0],
      ["vif0/6", "", "931312e4-b0e0-38ba-87d8-53d91696f831", "Virtual(Vlan)", "10.0.12.252", 3, 3, "PL3L2DErMn", 35, 0],
      ["vif0/7", "", "7852a425-f173-34d7-9998-24fe51179182", "Virtual(Vlan)", "10.0.12.251", 3, 3, "PL3L2DErMn", 29, 0],
      ["vif0/4350", "OS", "pkt3", "Stats", "0.0.0.0", 65535, 65535, "L3L2", null, 0],
      ["vif0/4351", "OS", "pkt1", "Stats", "0.0.0.0", 65535, 65535, "L3L2", null, 0],
    ]);
    expect(r.rows[0]).toMatchObject({ rxPackets: 91040837, rxBytes: 29732460214, rxErrors: 46004, txPackets: 106475, txBytes: 15589023, txErrors: 0, qos: -1, ref: 4, hwAddr: "50:6b:8d:9c:df:bb", flagsDecoded: "Tc L3 L2 Vp Er", l3: true, l2: true, policy: false });
    expect(r.rows[4]).toMatchObject({ vlanOuter: 1, vlanInner: 1, vlanMac: "50:6b:8d:92:f2:e7", bridgeIndex: 252, parentIndex: 2, flagNames: "Policy, Layer 3, Layer 2, DHCP, Etree Root, Mirror without Vlan Tag", policy: true, dhcp: true });
    expect(r.rows[5]).toMatchObject({ isid: 0, bmac: "50:6b:8d:e3:99:a4" });
  });

  it("S2 speed/duplex; S3 vif --get 0 with the 27-flag legend; S7 grep context", () => {
    const s2 = parseVif(fixture("s2-1.txt"));
    expect(s2.errors).toEqual([]);
    expect(s2.rows[0]).toMatchObject({ name: "vif0/0", osName: "ens3", speedMbps: 10000, duplex: 1, nh: 4 });
    expect(s2.rows[1]).toMatchObject({ ipAddr: "172.31.12.55", flags: "PL3DEr", flagsDecoded: "P L3 D Er" });
    const s3 = parseVif(fixture("s3-4.txt"));
    expect(s3.errors).toEqual([]);
    expect(s3.rows.map((x) => [x.name, x.osName, x.hwAddr, x.ref, x.rxBytes, x.txBytes, x.drops])).toEqual([["vif0/0", "ens3", "52:54:00:8e:10:34", 21, 1423041956, 8204809926, 21462]]);
    const s7 = parseVif(fixture("s7-1.txt"));
    expect(s7.errors).toEqual([]);
    expect(s7.rows.map((x) => [x.name, x.osName, x.ipAddr, x.vrf, x.flags, x.nh, x.rxPackets, x.txBytes, x.drops])).toEqual([["vif0/3", "tapf146a2c0-ae", "10.0.1.10", 2, "PL3L2DEr", 23, 4989, 340270, null]]);
    expect(s7.warnings.find((w) => w.line === 2)).toMatchObject({ column: 13, message: "indented line outside any interface record skipped (grep context?)" });
  });

  it("S10 R2.x (MTU, hex IPaddr) and DPDK vif --get 0 (PCI, device/port/queue counters, bond slaves)", () => {
    const old = parseVif(fixture("s10-1.txt"));
    expect(old.errors).toEqual([]);
    expect(old.rows.map((x) => [x.name, x.osName, x.ipAddr, x.vrf, x.mcastVrf, x.flags, x.mtu, x.ref, x.drops])).toEqual([
      ["vif0/0", "eth0", "0", 0, null, "L3L2Vp", 1514, 22, null],
      ["vif0/1", "vhost0", "0", 0, null, "L3L2", 1514, 3, null],
      ["vif0/2", "pkt0", "0", 65535, null, "L3", 1514, 2, null],
      ["vif0/3", "tap519615d8-a2", "0", 1, null, "PL3L2", 9160, 6, null],
    ]);
    const dpdk = parseVif(fixture("s10-6.txt"));
    expect(dpdk.errors).toEqual([]);
    expect(dpdk.rows[0]).toMatchObject({
      osKind: "PCI",
      osName: "0000:00:00.0",
      speedMbps: 20000,
      duplex: 1,
      nh: 4,
      rxDevicePackets: 668852,
      rxDeviceBytes: 110173140,
      rxDeviceErrors: 0,
      rxPortPackets: 207344,
      rxPortErrors: 0,
      rxQueueErrorsToLcore: "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
      fabricInterface: "eth_bond_bond0",
      fabricStatus: "UP",
      fabricDriver: "net_bonding",
      slaveInterfaces: "0000:02:00.0 UP net_ixgbe; 0000:02:00.1 UP net_ixgbe",
      vlanId: 101,
      vlanFwdInterface: "bond",
      rxPackets: 207344,
      txPackets: 326159,
      txErrors: 4,
      drops: 0,
      txPortPackets: 326145,
      txPortErrors: 10,
      txDevicePackets: 915402,
      txDeviceBytes: 511551768,
    });
  });

  it("S5 `grep -b` byte-offset prefixes are stripped", () => {
    const r = parseVif(fixture("s5-1.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ line: 13, name: "vif0/72", osName: "tapfd0eb363-b0", type: "Virtual", vrf: 24, flags: "L2", mtu: 9160, ref: 4, rxPackets: 169, txBytes: 15370 });
  });

  it("decodes run-together flags by longest match and reports unknown letters", () => {
    expect(decodeVifFlags("PL3L2DProxyEr")).toEqual({ symbols: ["P", "L3", "L2", "D", "Proxy", "Er"], unknown: "" });
    expect(decodeVifFlags("DpdkHbsLMnpQ")).toEqual({ symbols: ["Dpdk", "HbsL", "Mnp"], unknown: "Q" });
    const r = parseVif("vif0/9      OS: tap1 NH: 9\n            Type:Virtual HWaddr:00:00:5e:00:01:00 IPaddr:10.47.255.236\n            Vrf:2 Mcast Vrf:2 Flags:PL3Zz QOS:-1 Ref:6\n            Frobs:3\n");
    expect(r.rows[0]).toMatchObject({ flagsDecoded: "P L3", extra: "unknown flags Zz; Frobs:3" });
    expect(r.warnings.map((w) => [w.line, w.column, w.message])).toEqual([
      [3, 31, "vif0/9: unknown flag letters `Zz` kept in `extra`"],
      [4, 13, "vif0/9: unknown line kept in `extra`"],
    ]);
  });

  it("garbage → error with line/column", () => {
    const r = parseVif("vif0/1      OS: vhost0\n            Vrf:x Flags:L3 QOS:0 Ref:1\nnonsense here\n");
    expect(r.errors).toEqual([
      { line: 2, column: 13, message: "vif0/1: expected a number after `Vrf:`", text: "Vrf:x Flags:L3 QOS:0 Ref:1" },
      { line: 3, column: 1, message: "unexpected line: expected an interface record (`vif<rid>/<index> …`)", text: "nonsense here" },
    ]);
  });

  it("DPDK/JCNR fields: MTU on the name line, Mcast-Vrf, TxXVif, DDP/SwLB, trunk and access VLANs, bond members", () => {
    const r = parseVif(
      "vif0/2      PCI: 0000:00:05.0 MTU: 9000\n" +
        "            Type:Physical HWaddr:52:54:00:60:b1:d8\n" +
        "            DDP: OFF SwLB: ON\n" +
        "            Vrf:0 Flags:L2Vof QOS:-1 Ref:9\n" +
        "            Fabric Interface: eth_bond_br  Status: UP  Driver: net_bonding\n" +
        "            Slave Interface(0): 0000:37:00.1  Status: UP  Driver: net_ixgbe\n" +
        "            Slave Interface(1): 0000:5c:00.1  Status: DOWN  Driver: net_ixgbe\n" +
        "            Vlan Mode: Trunk  Vlan: 100 200 300 700-705\n" +
        "            Native vlan id: 100\n" +
        "            Drops:13\n\n" +
        "vif0/3      PMD: ens4 NH: 10 MTU: 9014\n" +
        "            Type:Host HWaddr:52:54:00:43:f9:a1 IPaddr:0.0.0.0\n" +
        "            DDP: ON SwLB: OFF\n" +
        "            Vrf:0 Mcast-Vrf:65535 Flags:L3DProxyEr QOS:-1 Ref:13 TxXVif:1\n\n" +
        "vif0/7      Virtual: jvknet1-d9.201 Vlan(o/i)(,S): 201/201 NH: 24 MTU: 1514\n" +
        "            Parent:vif0/6\n" +
        "            Type:Virtual(Vlan) HWaddr:00:00:5e:00:01:00 IPaddr:10.0.0.2\n\n" +
        "vif0/6      Ethernet: jvknet1-d7b1c60 MTU: 9160\n" +
        "            Type:Virtual HWaddr:00:00:5e:00:01:00\n" +
        "            Vrf:0 Flags:L2Vof QOS:-1 Ref:8\n" +
        "            Vlan Mode: Access  Vlan Id: 100  OVlan Id: 100\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows.map((x) => [x.name, x.osKind, x.mtu, x.ddp, x.swlb, x.mcastVrf, x.txXVif, x.vlanMode, x.vlans, x.nativeVlan, x.vlanId, x.outerVlanId])).toEqual([
      ["vif0/2", "PCI", 9000, false, true, null, null, "Trunk", "100 200 300 700-705", 100, null, null],
      ["vif0/3", "PMD", 9014, true, false, 65535, 1, null, null, null, null, null],
      ["vif0/7", "Virtual", 1514, null, null, null, null, null, null, null, null, null],
      ["vif0/6", "Ethernet", 9160, null, null, null, null, "Access", null, null, 100, 100],
    ]);
    expect(r.rows[2]).toMatchObject({ parentIndex: 6, vlanOuter: 201, vlanInner: 201, nh: 24, type: "Virtual(Vlan)" });
    expect(r.rows[0]).toMatchObject({ fabricDriver: "net_bonding", slaveInterfaces: "0000:37:00.1 UP net_ixgbe; 0000:5c:00.1 DOWN net_ixgbe", drops: 13 });
  });
});
