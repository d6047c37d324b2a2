/**
 * Renders a {@link FlowTable} exactly as the TF vRouter `flow` utility prints it (`flow -l`,
 * `flow --match`, `flow --get`), following `utils/flow.c` of tf-vrouter master: header with the
 * `Changed %luProcessed` quirk, legend, 83-dash rule, two-line entries and the attribute block wrapped
 * at 70 columns by `print_new_line_if_required`.
 */
import { TCP, type FlowEntry, type FlowTable } from "../flowtable";
import { lookupRoute, type ComputeState } from "../model";

/** A parsed `--match` filter: up to two `ip:port` endpoints, a protocol and a VRF. */
export interface FlowMatch {
  endpoints: { ip?: string; port?: number }[];
  proto?: number;
  vrf?: number;
}

const PROTO_NUM: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmp6: 58, sctp: 132 };
const PROTO_NAME: Record<number, string> = { 6: "TCP", 17: "UDP", 1: "ICMP", 58: "ICMPv6", 132: "SCTP" };

/**
 * Parses the argument of `flow --match` (`"1.1.1.1:20"`, `"1.1.1.1:20,2.2.2.2:22"`,
 * `"10.204.217.10:56910 & vrf 0 & proto tcp"`). Returns an error message string on bad syntax.
 *
 * @example
 * parseFlowMatch("15.15.15.2:40000 & proto tcp"); // { endpoints: [{ ip: "15.15.15.2", port: 40000 }], proto: 6 }
 */
export function parseFlowMatch(arg: string): FlowMatch | string {
  const m: FlowMatch = { endpoints: [] };
  for (const partRaw of arg.split("&")) {
    const part = partRaw.trim();
    if (!part) continue;
    const kv = /^(vrf|proto)\s+(\S+)$/i.exec(part);
    if (kv) {
      if (kv[1].toLowerCase() === "vrf") {
        if (!/^\d+$/.test(kv[2])) return `Invalid VRF ${kv[2]}`;
        m.vrf = Number(kv[2]);
      } else {
        const p = PROTO_NUM[kv[2].toLowerCase()];
        if (p === undefined) return `Invalid protocol ${kv[2]}`;
        m.proto = p;
      }
      continue;
    }
    for (const epRaw of part.split(",")) {
      const ep = epRaw.trim();
      if (!ep) continue;
      const mm = /^\[?([0-9.]+|\*)?\]?(?::(\d+|\*))?$/.exec(ep);
      if (!mm) return `Invalid match ${ep}`;
      const e: { ip?: string; port?: number } = {};
      if (mm[1] && mm[1] !== "*") {
        if (!/^\d+\.\d+\.\d+\.\d+$/.test(mm[1])) return `Invalid address ${mm[1]}`;
        e.ip = mm[1];
      }
      if (mm[2] && mm[2] !== "*") e.port = Number(mm[2]);
      if (m.endpoints.length >= 2) return "Only two endpoints can be matched";
      m.endpoints.push(e);
    }
  }
  return m;
}

function matches(e: FlowEntry, m: FlowMatch): boolean {
  if (m.proto !== undefined && e.proto !== m.proto) return false;
  if (m.vrf !== undefined && e.vrf !== m.vrf) return false;
  const hit = (ep: { ip?: string; port?: number }, ip: string, port: number) =>
    (ep.ip === undefined || ep.ip === ip) && (ep.port === undefined || ep.port === port);
  if (m.endpoints.length === 1) {
    const ep = m.endpoints[0];
    return hit(ep, e.sip, e.sport) || hit(ep, e.dip, e.dport);
  }
  if (m.endpoints.length === 2) {
    const [a, b] = m.endpoints;
    return (hit(a, e.sip, e.sport) && hit(b, e.dip, e.dport)) || (hit(b, e.sip, e.sport) && hit(a, e.dip, e.dport));
  }
  return true;
}

/**
 * The `TCP:` letters of a flag word, in the fixed order S Sr E Er F Fr R C D.
 *
 * @example
 * tcpLetters(TCP.SYN | TCP.SYN_R | TCP.ESTABLISHED | TCP.ESTABLISHED_R); // "SSrEEr"
 */
export function tcpLetters(tcp: number): string {
  let s = "";
  if (tcp & TCP.SYN) s += "S";
  if (tcp & TCP.SYN_R) s += "Sr";
  if (tcp & TCP.ESTABLISHED) s += "E";
  if (tcp & TCP.ESTABLISHED_R) s += "Er";
  if (tcp & TCP.FIN) s += "F";
  if (tcp & TCP.FIN_R) s += "Fr";
  if (tcp & TCP.RST) s += "R";
  if (tcp & TCP.HALF_CLOSE) s += "C";
  if (tcp & TCP.DEAD) s += "D";
  return s;
}

/**
 * The `N(...)` letters in bit order S, Ps, D, Pd.
 *
 * @example
 * natLetters({ ...entry, nat: { d: true, pd: true } }); // "DPd"
 */
export function natLetters(e: FlowEntry): string {
  return (e.nat.s ? "S" : "") + (e.nat.ps ? "Ps" : "") + (e.nat.d ? "D" : "") + (e.nat.pd ? "Pd" : "");
}

/**
 * The `Action:` text of an entry as `flow -l` prints it (`F`, `N(DPd)`, `D(Policy)`).
 *
 * @example
 * actionText(entry); // "N(D)"
 */
export function actionText(e: FlowEntry): string {
  if (e.action === "N") return `N(${natLetters(e)})`;
  if (e.action === "D") return `D(${e.dropReason ?? "Unknown"})`;
  return e.action;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/**
 * Renders one entry of `flow -l` (two key lines, the attribute block wrapped at 70 columns, then a blank line).
 *
 * @example
 * renderFlowEntry(table.get(292028)!);
 * // "   292028<=>398064       15.15.15.2:40000                                    6 (5->2)\n                         101.101.101.1:80   \n(Gen: 1, ..."
 */
export function renderFlowEntry(e: FlowEntry): string {
  let out = pad(String(e.index), 9, true);
  out += e.rindex >= 0 ? "<=>" + pad(String(e.rindex), 9) : " ".repeat(12);
  out += "    ";
  const src = `${e.sip}:${pad(String(e.sport), 5)}`;
  out += src.length < 46 ? pad(src, 46) : src;
  out += "    ";
  out += pad(String(e.proto), 3, true) + " (" + e.vrf + (e.dvrf !== undefined ? "->" + e.dvrf : "") + ")\n";
  out += " ".repeat(25) + `${e.dip}:${pad(String(e.dport), 5)}` + "\n";
  let printed = 0;
  const p = (s: string) => {
    out += s;
    return s.length;
  };
  const nl = (n: number) => {
    if (n >= 70) {
      out += "\n";
      return 0;
    }
    return n;
  };
  printed = p("(");
  printed += p(`Gen: ${e.gen}, `);
  printed += p(`K(nh):${e.keyNh}, `);
  printed += p(`Action:${actionText(e)}`);
  printed += p(", ");
  printed += p("Flags:" + e.flags.join(""));
  printed += p(", ");
  if (e.proto === 6) {
    printed += p("TCP:" + tcpLetters(e.tcp));
    printed += p(", ");
  }
  printed += p(`QOS:${e.qos}, `);
  printed += p(`S(nh):${e.rpfNh}, `);
  printed = nl(printed);
  printed += p(` Stats:${e.packets}/${e.bytes}, `);
  printed = nl(printed);
  printed += p(` SPort ${e.udpSport},`);
  printed = nl(printed);
  p(` TTL ${e.ttl},`);
  printed = nl(printed);
  p(` Sinfo ${e.sinfo}`);
  p(")");
  return out + "\n\n";
}

/**
 * The header of `flow -l` (table size, counters, legend).
 *
 * @example
 * renderFlowHeader(new FlowTable()).split("\n")[0]; // "Flow table(size 161218560, entries 629760)"
 */
export function renderFlowHeader(t: FlowTable): string {
  const c = t.counters;
  return (
    `Flow table(size ${t.capacity * 256}, entries ${t.capacity})\n\n` +
    `Entries: Created ${c.created} Added ${c.added} Deleted ${c.deleted} Changed ${c.changed}Processed ${c.processed} Used Overflow entries 0\n` +
    `(Created Flows/CPU: ${c.perCpu.join(" ")})(oflows 0)\n\n` +
    "Action:F=Forward, D=Drop N=NAT(S=SNAT, D=DNAT, Ps=SPAT, Pd=DPAT, L=Link Local Port)\n" +
    " Other:K(nh)=Key_Nexthop, S(nh)=RPF_Nexthop\n" +
    " Flags:E=Evicted, Ec=Evict Candidate, N=New Flow, M=Modified Dm=Delete Marked\n" +
    "TCP(r=reverse):S=SYN, F=FIN, R=RST, C=HalfClose, E=Established, D=Dead\n\n"
  );
}

function matchLine(m: FlowMatch): string {
  const parts: string[] = [];
  for (const ep of m.endpoints) parts.push(`[${ep.ip ?? "*"}]` + (ep.port !== undefined ? `:${ep.port}` : ":*"));
  if (m.proto !== undefined) parts.push(`Protocol ${(PROTO_NAME[m.proto] ?? String(m.proto)).toUpperCase()}`);
  if (m.vrf !== undefined) parts.push(`VRF ${m.vrf}`);
  return `Listing flows matching (${parts.join(", ")})\n\n`;
}

/**
 * Renders `flow -l` (or `flow -l --match ...` when `match` is given).
 *
 * @example
 * renderFlowList(node.flows); // "Flow table(size 161218560, entries 629760)\n\nEntries: ..."
 */
export function renderFlowList(t: FlowTable, match?: FlowMatch): string {
  let out = renderFlowHeader(t);
  if (match && (match.endpoints.length || match.proto !== undefined || match.vrf !== undefined)) out += matchLine(match);
  out += "    Index                Source:Port/Destination:Port                      Proto(V)\n";
  out += "-".repeat(83) + "\n";
  for (const e of t.entries()) if (!match || matches(e, match)) out += renderFlowEntry(e);
  return out;
}

const F = (name: string) => (name + ":").padEnd(30);
const CONT = " ".repeat(30);

function nhTypeWord(c: ComputeState, id: number): string {
  const nh = c.nhs.get(id);
  return nh ? nh.type.toUpperCase() : "DROP";
}

function ifaceLine(c: ComputeState, nhId: number, dir: "Ingress" | "Egress"): string {
  const nh = c.nhs.get(nhId);
  const vif = c.vifs.get(nh?.oif ?? 0) ?? c.vifs.get(0)!;
  return (
    `${CONT}${dir} Interface(Index, VRF, OS): vif0/${vif.idx}, ${vif.vrf === 65535 ? 0 : vif.vrf}, ${vif.os}\n` +
    `${CONT}Interface Statistics(Out, In, Errors): ${vif.txPackets}, ${vif.rxPackets}, 0\n`
  );
}

/**
 * Renders `flow --get <index>` (the `flow_dump_entry()` layout, without the terminal clear sequence).
 * Returns `undefined` when no active entry has that index.
 *
 * @example
 * renderFlowGet(node, 292028); // "Flow Index:                   292028\n..."
 */
export function renderFlowGet(c: ComputeState, index: number): string | undefined {
  const e = c.flows.get(index);
  if (!e) return undefined;
  let out = "";
  out += F("Flow Index") + e.index + "\n";
  out += F("Flow Generation ID") + e.gen + "\n";
  out += F("Reverse Flow Index") + e.rindex + "\n";
  out += F("VRF") + e.vrf + "\n";
  out += F("Destination VRF") + (e.dvrf ?? e.vrf) + "\n";
  out += F("Flow Source") + `[${e.sip}]:${pad(String(e.sport), 5)}` + "\n";
  out += F("Flow Destination") + `[${e.dip}]:${pad(String(e.dport), 5)}` + "\n";
  out += F("Flow Protocol") + (PROTO_NAME[e.proto] ?? "UNKNOWN") + "\n";
  if (e.action === "N") {
    const names: string[] = [];
    if (e.nat.s) names.push("SourceNAT");
    if (e.nat.d) names.push("DestinationNAT");
    if (e.nat.ps) names.push("SourcePortNAT");
    if (e.nat.pd) names.push("DestinationPortNAT");
    out += F("Flow Action") + "NAT: " + names.map((n) => n + ", ").join("") + "\n";
    out += `${CONT}NAT(Source, Destination): [${e.natSip ?? e.sip}]:${e.natSport ?? e.sport}, [${e.natDip ?? e.dip}]:${e.natDport ?? e.dport}\n`;
  } else if (e.action === "D") {
    out += F("Flow Action") + "DROP:" + " ".repeat(30) + (e.dropReason ?? "Unknown") + "\n";
  } else if (e.action === "H") {
    out += F("Flow Action") + "HOLD\n";
  } else {
    out += F("Flow Action") + "FORWARD\n";
  }
  out += F("Expected Source") + `NextHop(Index, VRF, Type): ${e.rpfNh}, ${c.nhs.get(e.rpfNh)?.vrf ?? 0}, ${nhTypeWord(c, e.rpfNh)}\n`;
  const rpf = c.nhs.get(e.rpfNh);
  if (rpf?.type === "Tunnel") out += `${CONT}Tunnel Source: ${rpf.dip}\n`;
  else out += ifaceLine(c, e.rpfNh, "Ingress");
  const srcRoute = lookupRoute(c, e.vrf, e.sip);
  const srcNh = srcRoute?.nh ?? e.rpfNh;
  out += F("Source Information") + `VRF: ${e.vrf}\n`;
  out += `${CONT}Layer 3 Route Information\n`;
  out += `${CONT}Matching Route: ${srcRoute ? `${srcRoute.prefix}/${srcRoute.plen}` : `${e.sip}/32`}\n`;
  out += `${CONT}NextHop(Index, VRF, Type): ${srcNh}, ${c.nhs.get(srcNh)?.vrf ?? 0}, ${nhTypeWord(c, srcNh)}\n`;
  if (c.nhs.get(srcNh)?.type === "Encap") out += ifaceLine(c, srcNh, "Ingress");
  const dvrf = e.dvrf ?? e.vrf;
  const dip = e.natDip ?? e.dip;
  const dstRoute = lookupRoute(c, dvrf, dip);
  const dstNh = dstRoute?.nh ?? e.keyNh;
  out += F("Destination Information") + `VRF: ${dvrf}\n`;
  out += `${CONT}Layer 3 Route Information\n`;
  out += `${CONT}Matching Route: ${dstRoute ? `${dstRoute.prefix}/${dstRoute.plen}` : `${dip}/32`}\n`;
  out += `${CONT}NextHop(Index, VRF, Type): ${dstNh}, ${c.nhs.get(dstNh)?.vrf ?? 0}, ${nhTypeWord(c, dstNh)}\n`;
  if (c.nhs.get(dstNh)?.type === "Encap") {
    out += ifaceLine(c, dstNh, "Egress");
    if (dstRoute?.mac) out += `\n${CONT}Layer 2 Route Information\n${CONT}DestinationMAC: ${dstRoute.mac.mac}\n${CONT}\n`;
  }
  out += "\n";
  out += F("Flow Flags") + e.flags.map((f) => ({ E: "EVICTED", Ec: "EVICT CANDIDATE", N: "NEW", M: "MODIFIED" })[f] ?? f).join(" ") + "\n";
  if (e.proto === 6) {
    const words: string[] = [];
    if (e.tcp & TCP.SYN) words.push("SYN");
    if (e.tcp & TCP.SYN_R) words.push("SYN(REVERSE)");
    if (e.tcp & TCP.ESTABLISHED) words.push("ESTABLISHED");
    if (e.tcp & TCP.ESTABLISHED_R) words.push("ESTABLISHED(REVERSE)");
    if (e.tcp & TCP.FIN) words.push("FIN");
    if (e.tcp & TCP.FIN_R) words.push("FIN(REVERSE)");
    if (e.tcp & TCP.RST) words.push("RESET");
    if (e.tcp & TCP.HALF_CLOSE) words.push("HALFCLOSED");
    if (e.tcp & TCP.DEAD) words.push("DEAD");
    out += F("TCP FLAGS") + words.map((w) => w + ", ").join("") + "\n";
  }
  out += F("UDP Source Port") + e.udpSport + "\n\n";
  out += F("Flow Statistics") + `${e.packets}/${e.bytes}\n`;
  out += F("System Wide Packet Drops") + c.vifs.get(0)!.drops + "\n";
  out += `${CONT}Reverse Path Failures: 0\n`;
  out += `${CONT}Flow Block Drops: 0\n`;
  return out;
}
