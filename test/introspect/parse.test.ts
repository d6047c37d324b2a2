/**
 * The introspect readers on XML written the way the agent's Sandesh HTTP server writes it (kstate.sandesh
 * field names, types and identifiers; multi-part answers in `__X_list type="slist"`; `link` fields), and
 * on cut and malformed XML: rows up to the cut and exactly one error naming where, never a throw.
 */
import { describe, expect, it } from "vitest";
import {
  parseIntrospectFlow,
  parseIntrospectMpls,
  parseIntrospectNh,
  parseIntrospectRt,
  parseIntrospectVif,
  parseIntrospectSnapshot,
  readSandesh,
} from "../../lib/introspect";

const PI = '<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?>';

const NH_XML =
  PI +
  '<__KNHResp_list type="slist">' +
  '<KNHResp type="sandesh"><nh_list type="list" identifier="1"><list type="struct" size="2">' +
  '<KNHInfo><id type="i32" identifier="1">23</id><type type="string" identifier="2">ENCAP</type><family type="string" identifier="3">AF_INET</family>' +
  '<rid type="i32" identifier="4">0</rid><vrf type="i32" identifier="5" link="KRouteReq">2</vrf><flags type="string" identifier="6">VALID | POLICY </flags>' +
  '<ref_cnt type="i32" identifier="7">4</ref_cnt><encap_family type="string" identifier="8">ETH_P_ARP</encap_family>' +
  '<encap_oif_id type="list" identifier="9"><list type="i32" size="1"><element>3</element></list></encap_oif_id>' +
  '<encap_len type="i32" identifier="10">14</encap_len><encap type="string" identifier="15">0243d97fbbfb00005e0001000800</encap></KNHInfo>' +
  '<KNHInfo><id type="i32" identifier="1">51</id><type type="string" identifier="2">COMPOSITE</type><family type="string" identifier="3">AF_INET</family>' +
  '<rid type="i32" identifier="4">0</rid><vrf type="i32" identifier="5" link="KRouteReq">2</vrf><flags type="string" identifier="6">VALID | POLICY | ECMP</flags>' +
  '<ref_cnt type="i32" identifier="7">2</ref_cnt><component_nh type="list" identifier="16"><list type="struct" size="2">' +
  '<KComponentNH><nh_id type="i32" identifier="1" link="KNHReq">61</nh_id><label type="i32" identifier="2" link="KMplsInfo">38</label></KComponentNH>' +
  '<KComponentNH><nh_id type="i32" identifier="1" link="KNHReq">62</nh_id><label type="i32" identifier="2" link="KMplsInfo">-1</label></KComponentNH>' +
  "</list></component_nh></KNHInfo>" +
  '</list></nh_list><more type="bool" identifier="0">true</more></KNHResp>' +
  '<KNHResp type="sandesh"><nh_list type="list" identifier="1"><list type="struct" size="1">' +
  '<KNHInfo><id type="i32" identifier="1">61</id><type type="string" identifier="2">TUNNEL</type><family type="string" identifier="3">AF_INET</family>' +
  '<rid type="i32" identifier="4">0</rid><vrf type="i32" identifier="5" link="KRouteReq">0</vrf><flags type="string" identifier="6">VALID | TUNNEL_MPLS_UDP </flags>' +
  '<ref_cnt type="i32" identifier="7">7</ref_cnt><encap_family type="string" identifier="8">NO_ENCAP</encap_family>' +
  '<encap_oif_id type="list" identifier="9"><list type="i32" size="1"><element>0</element></list></encap_oif_id>' +
  '<tun_sip type="string" identifier="11">10.169.25.20</tun_sip><tun_dip type="string" identifier="12">10.169.25.21</tun_dip></KNHInfo>' +
  '</list></nh_list><more type="bool" identifier="0">false</more></KNHResp></__KNHResp_list>';

const FLOW_XML = (handle: string, extra = "") =>
  PI +
  '<KFlowResp type="sandesh"><flow_list type="list" identifier="1"><list type="struct" size="2">' +
  '<KFlowInfo><index type="i32" identifier="1">292028</index><rflow type="i32" identifier="2">398064</rflow>' +
  '<sip type="string" identifier="3">15.15.15.2</sip><sport type="i32" identifier="4">40000</sport><dip type="string" identifier="5">101.101.101.1</dip>' +
  '<dport type="i32" identifier="6">80</dport><proto type="byte" identifier="7">6</proto><vrf_id type="i16" identifier="8">5</vrf_id>' +
  '<action type="string" identifier="9">NAT</action><flags type="string" identifier="10"> ACTIVE | VRFT | DNAT | RFLOW_VALID </flags>' +
  '<d_vrf_id type="i16" identifier="11">2</d_vrf_id><bytes type="i32" identifier="12">-294967296</bytes><pkts type="i32" identifier="13">7</pkts>' +
  '<insight type="i32" identifier="14">0</insight><nhid type="i32" identifier="18">61</nhid><underlay_udp_sport type="u16" identifier="19">0</underlay_udp_sport>' +
  '<tcp_flags type="string" identifier="20"> SYN | SYN_R | ESTB | ESTB_R </tcp_flags><ttl type="u16" identifier="22">0</ttl><qos_id type="i16" identifier="23">-1</qos_id>' +
  '<gen_id type="i16" identifier="24">3</gen_id></KFlowInfo>' +
  '<KFlowInfo><index type="i32" identifier="1">7</index><rflow type="i32" identifier="2">-1</rflow>' +
  '<sip type="string" identifier="3">15.15.15.9</sip><sport type="i32" identifier="4">5555</sport><dip type="string" identifier="5">101.101.101.1</dip>' +
  '<dport type="i32" identifier="6">80</dport><proto type="byte" identifier="7">-124</proto><vrf_id type="i16" identifier="8">5</vrf_id>' +
  '<action type="string" identifier="9">DROP</action><flags type="string" identifier="10"> ACTIVE | NEW_FLOW </flags>' +
  '<d_vrf_id type="i16" identifier="11">5</d_vrf_id><bytes type="i32" identifier="12">0</bytes><pkts type="i32" identifier="13">0</pkts>' +
  '<nhid type="i32" identifier="18">5</nhid><drop_reason type="string" identifier="21">Policy</drop_reason><gen_id type="i16" identifier="24">1</gen_id></KFlowInfo>' +
  `</list></flow_list><flow_handle type="string" identifier="2" link="NextKFlowReq">${handle}</flow_handle>${extra}<more type="bool" identifier="0">false</more></KFlowResp>`;

describe("readSandesh", () => {
  it("decodes structs, lists of primitives and of structs, and collects link fields outside rows", () => {
    const d = readSandesh(FLOW_XML("100"), ["KFlowInfo"]);
    expect(d.errors).toEqual([]);
    expect(d.responses).toEqual(["KFlowResp"]);
    expect(d.rows.map((r) => r.value.index)).toEqual(["292028", "7"]);
    expect(d.links).toEqual([{ field: "flow_handle", link: "NextKFlowReq", value: "100" }]);
    expect(d.fields.more).toBe("false");
    const nh = readSandesh(NH_XML, ["KNHInfo"]);
    expect(nh.responses).toEqual(["KNHResp", "KNHResp"]);
    expect(nh.rows[0]!.value.encap_oif_id).toEqual(["3"]);
    expect(nh.rows[1]!.value.component_nh).toEqual([{ nh_id: "61", label: "38" }, { nh_id: "62", label: "-1" }]);
    // Link fields inside a row are values, not pagination.
    expect(nh.links).toEqual([]);
  });

  it("never throws: empty input, text, a second root, an unclosed tag each give one error with a position", () => {
    for (const bad of ["", "   ", "Not Found", "<a></a><b></b>", "<a><b></a>", "<KNHResp type=\"sandesh\"><nh_list"]) {
      const d = readSandesh(bad, ["KNHInfo"]);
      expect(d.errors, JSON.stringify(bad)).toHaveLength(1);
      expect(d.errors[0]!.line).toBeGreaterThanOrEqual(1);
      expect(d.errors[0]!.column).toBeGreaterThanOrEqual(1);
    }
  });
});

describe("parseIntrospectNh", () => {
  it("reads a multi-part answer into nh rows in the utility's words", () => {
    const r = parseIntrospectNh(NH_XML);
    expect(r.errors).toEqual([]);
    expect(r.refused).toBeNull();
    expect(r.next).toBeNull();
    const [encap, comp, tun] = r.rows;
    expect(encap).toMatchObject({
      id: 23, type: "Encap", family: "AF_INET", vrf: 2, flags: "Valid, Policy", valid: true, policy: true, ecmp: false, oif: 3, encapFamily: "0806",
      encapLen: 14, encapData: "02 43 d9 7f bb fb 00 00 5e 00 01 00 08 00", encapDstMac: "02:43:d9:7f:bb:fb", encapSrcMac: "00:00:5e:00:01:00", tunnelType: null,
    });
    expect(comp).toMatchObject({ id: 51, type: "Composite", ecmp: true, subNhs: "61(38) 62", subNhCount: 2, oif: null });
    expect(tun).toMatchObject({ id: 61, type: "Tunnel", tunnelType: "MPLSoUDP", sip: "10.169.25.20", dip: "10.169.25.21", oif: 0, sport: null, dport: null });
    expect(r.rows.map((x) => x.line)).toEqual([1, 1, 1]);
  });

  it("keeps an unknown type and flag with a warning", () => {
    const xml = NH_XML.replace(">ENCAP<", ">INVALID<").replace("VALID | POLICY </flags>", "VALID | SHINY </flags>");
    const r = parseIntrospectNh(xml);
    expect(r.rows[0]!.type).toBe("INVALID");
    expect(r.rows[0]!.flags).toBe("Valid, SHINY");
    expect(r.warnings.map((w) => w.message).join("\n")).toMatch(/INVALID[\s\S]*SHINY/);
  });

  it("a cut answer: the rows before the cut and one error", () => {
    const cut = NH_XML.slice(0, NH_XML.indexOf("<KNHInfo><id type=\"i32\" identifier=\"1\">61") + 60);
    const r = parseIntrospectNh(cut);
    expect(r.rows.map((x) => x.id)).toEqual([23, 51]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/end|unclosed|inside/i);
  });

  it("malformed XML in the middle: rows before it and one error naming line and column", () => {
    const broken = NH_XML.replace("<KNHInfo><id type=\"i32\" identifier=\"1\">51", "\n\n<KNHInfo><id type=\"i32\" identifier=\"1\">51</idd>");
    const r = parseIntrospectNh(broken);
    expect(r.rows.map((x) => x.id)).toEqual([23]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.line).toBe(3);
    expect(r.errors[0]!.text).toContain("</idd>");
  });

  it("an ErrResp is a refusal, not a parse error", () => {
    const r = parseIntrospectNh(PI + '<InternalErrResp type="sandesh"><resp type="string" identifier="1">   Internal Error !!!   </resp></InternalErrResp>');
    expect(r.rows).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.refused).toBe("InternalErrResp: Internal Error !!!");
  });
});

describe("parseIntrospectFlow", () => {
  it("maps KFlowInfo to flow rows: action letters, TCP letters, VRF translation, wrapped counters, signed proto", () => {
    const r = parseIntrospectFlow(FLOW_XML("0"));
    expect(r.errors).toEqual([]);
    expect(r.next).toBeNull();
    const [a, b] = r.rows;
    expect(a).toMatchObject({
      index: 292028, rindex: 398064, srcIp: "15.15.15.2", srcPort: 40000, dstIp: "101.101.101.1", dstPort: 80, proto: 6, vrf: 5, dvrf: 2, vrfTranslated: true,
      action: "N(D)", actionCode: "N", dnat: true, snat: false, dpat: false, tcpFlags: "SSrEEr", tcpState: "established", packets: 7, bytes: 4000000000,
      gen: 3, keyNh: 61, qos: -1, rpfNh: null, sinfo: null, source: "list",
    });
    expect(r.warnings.some((w) => /wrapped into a signed 32-bit field/.test(w.message))).toBe(true);
    expect(b).toMatchObject({ index: 7, rindex: null, proto: 132, protoName: "SCTP", action: "D(Policy)", actionCode: "D", dropReason: "Policy", newFlow: true, tcpState: null, vrfTranslated: false, dvrf: 5 });
  });

  it("follows flow_handle: a non-zero handle is the next page, 0 (or '0 evicted_set') the end", () => {
    expect(parseIntrospectFlow(FLOW_XML("100")).next).toBe("Snh_NextKFlowReq?x=100");
    expect(parseIntrospectFlow(FLOW_XML("100 evicted_set")).next).toBe("Snh_NextKFlowReq?x=100%20evicted_set");
    expect(parseIntrospectFlow(FLOW_XML("0 evicted_set")).next).toBeNull();
  });

  it("cut in the second entry: the first entry and one error; the next link is not followed", () => {
    const xml = FLOW_XML("100");
    const r = parseIntrospectFlow(xml.slice(0, xml.indexOf("<KFlowInfo><index type=\"i32\" identifier=\"1\">7<") + 30));
    expect(r.rows.map((x) => x.index)).toEqual([292028]);
    expect(r.errors).toHaveLength(1);
    expect(r.next).toBeNull();
  });

  it("recorded snapshots (a JSON array of pages) read back, and say why when they cannot", () => {
    expect(parseIntrospectSnapshot(JSON.stringify([FLOW_XML("2"), FLOW_XML("0")])).entries).toHaveLength(4);
    expect(parseIntrospectSnapshot("Flow table(").error).toMatch(/not a recorded introspect snapshot/);
    const half = parseIntrospectSnapshot(JSON.stringify([FLOW_XML("2"), FLOW_XML("0").slice(0, 900)]));
    expect(half.entries.length).toBeGreaterThanOrEqual(2);
    expect(half.error).toMatch(/line 1/);
  });
});

describe("parseIntrospectRt, parseIntrospectMpls, parseIntrospectVif", () => {
  it("routes: label only when label-valid, flags in the utility's letters, the rt --get query as match", () => {
    const xml =
      PI +
      '<KRouteResp type="sandesh"><rt_list type="list" identifier="1"><list type="struct" size="2">' +
      '<KRouteInfo><vrf_id type="i32" identifier="1">2</vrf_id><family type="string" identifier="2">AF_INET</family><prefix type="string" identifier="3">10.99.225.17</prefix>' +
      '<prefix_len type="i32" identifier="4">32</prefix_len><rid type="i16" identifier="5">0</rid><label_flags type="string" identifier="6">MPLS PROXY-ARP</label_flags>' +
      '<label type="i32" identifier="7">38</label><nh_id type="i32" identifier="8" link="KNHReq">51</nh_id><replace_plen type="i32" identifier="10">32</replace_plen></KRouteInfo>' +
      '<KRouteInfo><vrf_id type="i32" identifier="1">2</vrf_id><family type="string" identifier="2">AF_INET</family><prefix type="string" identifier="3">10.47.255.236</prefix>' +
      '<prefix_len type="i32" identifier="4">32</prefix_len><label_flags type="string" identifier="6">PROXY-ARP</label_flags><label type="i32" identifier="7">0</label>' +
      '<nh_id type="i32" identifier="8">23</nh_id><replace_plen type="i32" identifier="10">32</replace_plen></KRouteInfo>' +
      '</list></rt_list><more type="bool" identifier="0">false</more></KRouteResp>';
    const r = parseIntrospectRt(xml, { match: "10.99.225.17/32" });
    expect(r.rows[0]).toMatchObject({ family: "inet", vrf: 2, match: "10.99.225.17/32", prefix: "10.99.225.17/32", prefixLen: 32, ppl: 32, flags: "LP", labelValid: true, proxyArp: true, label: 38, nh: 51 });
    expect(r.rows[1]).toMatchObject({ flags: "P", labelValid: false, label: null, nh: 23 });
  });

  it("mpls: a label wrapped by the agent's 16-bit field is unknown, with a warning", () => {
    const xml =
      PI +
      '<KMplsResp type="sandesh"><mpls_list type="list" identifier="1"><list type="struct" size="2">' +
      '<KMplsInfo><label type="i16" identifier="1">38</label><rid type="i16" identifier="2">0</rid><nhid type="i32" identifier="3">23</nhid></KMplsInfo>' +
      '<KMplsInfo><label type="i16" identifier="1">-15536</label><rid type="i16" identifier="2">0</rid><nhid type="i32" identifier="3">24</nhid></KMplsInfo>' +
      "</list></mpls_list></KMplsResp>";
    const r = parseIntrospectMpls(xml);
    expect(r.rows.map((x) => [x.label, x.nh])).toEqual([[38, 23], [null, 24]]);
    expect(r.warnings[0]!.message).toMatch(/16-bit/);
  });

  it("vif: types and flags in the utility's words, counters, no mirror for 255/-1", () => {
    const xml =
      PI +
      '<KInterfaceResp type="sandesh"><if_list type="list" identifier="1"><list type="struct" size="2">' +
      '<KInterfaceInfo><idx type="i32" identifier="1">1</idx><type type="string" identifier="2">HOST</type><flags type="string" identifier="3">POLICY </flags>' +
      '<vrf type="i32" identifier="4">0</vrf><rid type="i32" identifier="5">0</rid><os_idx type="i32" identifier="6">5</os_idx><mtu type="i32" identifier="7">1514</mtu>' +
      '<name type="string" identifier="8">vhost0</name><ibytes type="i64" identifier="9">123</ibytes><ipackets type="i64" identifier="10">3</ipackets>' +
      '<ierrors type="i64" identifier="11">0</ierrors><obytes type="i64" identifier="12">456</obytes><opackets type="i64" identifier="13">4</opackets>' +
      '<oerrors type="i64" identifier="14">0</oerrors><ref_cnt type="i32" identifier="15">8</ref_cnt><mac type="string" identifier="16">52:54:00:e1:7a:16</mac>' +
      '<ip type="string" identifier="17">10.169.25.20</ip><mirror_id type="byte" identifier="18">-1</mirror_id><speed type="i32" identifier="19">-1</speed>' +
      '<duplexity type="i32" identifier="20">-1</duplexity><qos_map_index type="i32" identifier="21">-1</qos_map_index><parent_vif_id type="i32" identifier="42">-1</parent_vif_id>' +
      '<nh_id type="i16" identifier="44">5</nh_id></KInterfaceInfo>' +
      '<KInterfaceInfo><idx type="i32" identifier="1">4</idx><type type="string" identifier="2">INVALID</type><flags type="string" identifier="3">NIL</flags>' +
      '<name type="string" identifier="8">NULL</name></KInterfaceInfo>' +
      "</list></if_list></KInterfaceResp>";
    const r = parseIntrospectVif(xml);
    expect(r.rows[0]).toMatchObject({
      name: "vif0/1", index: 1, type: "Host", osName: "vhost0", ipAddr: "10.169.25.20", hwAddr: "52:54:00:e1:7a:16", vrf: 0, flags: "P", policy: true,
      mtu: 1514, rxBytes: 123, rxPackets: 3, txBytes: 456, txPackets: 4, ref: 8, mirrorIndex: null, speedMbps: null, nh: 5, parentIndex: null, qos: -1, drops: null,
    });
    expect(r.rows[1]).toMatchObject({ name: "vif0/4", type: null, osName: null, flags: "" });
    expect(r.warnings.some((w) => /INVALID/.test(w.message))).toBe(true);
  });
});
