/**
 * `vif --list` / `vif --get N` → {@link VifRow} rows: kernel and DPDK layouts, R2.x (`MTU:`, hex `IPaddr`)
 * to TF master (`Mcast Vrf`, 27 flags), run-together flags decoded by greedy longest match.
 */
import type { ParseError, ParseWarning, VifRow, VrouterParseResult } from "./types";
import { type SourceLine, errorAt, isBlank, splitLabels, toInt, warningAt } from "./text";
import { cleanLines } from "./hygiene";
import { RANGES, readChecked } from "./values";

export type { VifRow } from "./types";

/** The vif flag symbols of TF master (`vr_interface_print_header()`), symbol → meaning. */
export const VIF_FLAGS: Readonly<Record<string, string>> = {
  P: "Policy",
  X: "Cross Connect",
  S: "Service Chain",
  Mr: "Receive Mirror",
  Mt: "Transmit Mirror",
  Tc: "Transmit Checksum Offload",
  L3: "Layer 3",
  L2: "Layer 2",
  D: "DHCP",
  Vp: "Vhost Physical",
  Pr: "Promiscuous",
  Vnt: "Native Vlan Tagged",
  Mnp: "No MAC Proxy",
  Dpdk: "DPDK PMD Interface",
  Rfl: "Receive Filtering Offload",
  Mon: "Interface is Monitored",
  Uuf: "Unknown Unicast Flood",
  Vof: "VLAN insert/strip offload",
  Df: "Drop New Flows",
  L: "MAC Learning Enabled",
  Proxy: "MAC Requests Proxied Always",
  Er: "Etree Root",
  Mn: "Mirror without Vlan Tag",
  HbsL: "HBS Left Intf",
  HbsR: "HBS Right Intf",
  Ig: "Igmp Trap Enabled",
  Ml: "MAC-IP Learning Enabled",
};

const SYMBOLS = Object.keys(VIF_FLAGS).sort((a, b) => b.length - a.length);

/**
 * Splits run-together vif flags (`PL3L2DProxyEr`) into symbols by greedy longest match. Characters that
 * start no known symbol are returned in `unknown`.
 *
 * @example
 * decodeVifFlags("PL3L2DProxyEr") // => { symbols: ["P", "L3", "L2", "D", "Proxy", "Er"], unknown: "" }
 */
export function decodeVifFlags(flags: string): { symbols: string[]; unknown: string } {
  const symbols: string[] = [];
  let unknown = "";
  if (flags === "NULL") return { symbols, unknown };
  let i = 0;
  while (i < flags.length) {
    let hit: string | null = null;
    for (const s of SYMBOLS) {
      if (flags.startsWith(s, i)) {
        hit = s;
        break;
      }
    }
    if (hit === null) {
      unknown += flags[i];
      i++;
    } else {
      symbols.push(hit);
      i += hit.length;
    }
  }
  return { symbols, unknown };
}

function emptyVif(line: number, name: string, rid: number, index: number): VifRow {
  return {
    line,
    name,
    rid,
    index,
    osKind: "",
    osName: null,
    speedMbps: null,
    duplex: null,
    vlanOuter: null,
    vlanInner: null,
    vlanMac: null,
    bridgeIndex: null,
    parentIndex: null,
    nh: null,
    type: null,
    hwAddr: null,
    ipAddr: null,
    ip6Addr: null,
    vrf: null,
    mcastVrf: null,
    flags: "",
    flagsDecoded: "",
    flagNames: "",
    policy: false,
    l3: false,
    l2: false,
    dhcp: false,
    mtu: null,
    qos: null,
    ref: null,
    mirrorIndex: null,
    rxPackets: null,
    rxBytes: null,
    rxErrors: null,
    txPackets: null,
    txBytes: null,
    txErrors: null,
    drops: null,
    isid: null,
    bmac: null,
    core: null,
    rxDevicePackets: null,
    rxDeviceBytes: null,
    rxDeviceErrors: null,
    rxDeviceNoMbufs: null,
    rxPortPackets: null,
    rxPortErrors: null,
    rxPortSyscalls: null,
    rxPortNoMbufs: null,
    rxQueuePackets: null,
    rxQueueErrors: null,
    rxQueueErrorsToLcore: null,
    txQueuePackets: null,
    txQueueErrors: null,
    txPortPackets: null,
    txPortErrors: null,
    txPortSyscalls: null,
    txDevicePackets: null,
    txDeviceBytes: null,
    txDeviceErrors: null,
    fabricInterface: null,
    fabricStatus: null,
    fabricDriver: null,
    slaveInterfaces: null,
    vlanId: null,
    vlanFwdInterface: null,
    txXVif: null,
    ddp: null,
    swlb: null,
    vlanMode: null,
    vlans: null,
    nativeVlan: null,
    outerVlanId: null,
    extra: null,
  };
}

const NAME_RE = /^vif(\d+)\/(\d+)(?=\s|$)/;
/** Continuation lines that still read as such at column 0 (a flattened paste). */
const FLAT_CONT_RE = /^(?:Type:|HWaddr:|IP6addr:|Vrf:|Parent:vif|RX (?:packets|device|port|queue)|TX (?:packets|device|port|queue)|Drops:|DDP:|Fabric Interface:|Slave Interface|Vlan Mode:|Native vlan id:)/;
const OS_KIND_RE = /^(OS|PCI|PMD|Virtual|Ethernet|Socket|Unknown|Monitoring): (\S+)/;

/**
 * Reads `packets:n  bytes:n errors:n [syscalls:n] [no mbufs:n]` counters; an impossible one (negative, too
 * large to be exact) is `null` with a warning.
 */
function counters(s: string, sl: SourceLine, col0: number, what: string, warnings: ParseWarning[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  const re = /(packets|bytes|errors|syscalls|no mbufs):\s*(-?\d+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out.set(m[1], readChecked(m[2], RANGES.count, sl, col0 + m.index, `${what} ${m[1]}`, warnings));
  return out;
}

/**
 * Parses `vif --list` / `vif --get` output into one {@link VifRow} per interface.
 *
 * @example
 * const r = parseVif(
 *   "vif0/3      OS: tapf146a2c0-ae NH: 23\n" +
 *   "            Type:Virtual HWaddr:00:00:5e:00:01:00 IPaddr:10.0.1.10\n" +
 *   "            Vrf:2 Mcast Vrf:2 Flags:PL3L2DEr QOS:-1 Ref:6\n");
 * r.rows[0].ipAddr // => "10.0.1.10"
 * r.rows[0].flagsDecoded // => "P L3 L2 D Er"
 */
export function parseVif(text: string): VrouterParseResult<VifRow> {
  const { lines, commands, warnings } = cleanLines(typeof text === "string" ? text : String(text), "vif", { strayColons: true });
  const errors: ParseError[] = [];
  const rows: VifRow[] = [];
  let cur: VifRow | null = null;
  let inLegend = false;
  let inVrfTable = false;
  for (const sl of lines) {
    const t = sl.text;
    if (sl.boundary || isBlank(t)) {
      cur = null;
      inLegend = false;
      inVrfTable = false;
      continue;
    }
    const lead = t.length - t.trimStart().length;
    const body = t.trim();
    const nm = lead === 0 ? NAME_RE.exec(t) : null;
    if (nm) {
      inLegend = false;
      cur = emptyVif(sl.index + 1, `vif${nm[1]}/${nm[2]}`, Number(nm[1]), Number(nm[2]));
      rows.push(cur);
      firstLine(cur, sl, t.slice(nm[0].length), warnings);
      continue;
    }
    if (lead === 0) {
      if (body === "Vrouter Interface Table") continue;
      if (body.startsWith("Flags:") && body.indexOf("=") > 0) {
        inLegend = true;
        continue;
      }
      if (body.startsWith("VRF table(vlan:vrf):")) {
        inVrfTable = true;
        if (rows.length > 0) addExtra(rows[rows.length - 1], body);
        continue;
      }
      if (inVrfTable && /^[\d:,\s]+$/.test(body)) {
        if (rows.length > 0) addExtra(rows[rows.length - 1], body);
        continue;
      }
      if (cur !== null && FLAT_CONT_RE.test(body)) {
        // A record whose continuation indentation the page or the author flattened.
        contLine(cur, sl, 0, body, errors, warnings);
        continue;
      }
      if (body === "[...]" || body === "...") {
        warnings.push(warningAt(sl, 0, "elision in the pasted output skipped", body));
        continue;
      }
      cur = null;
      errors.push(errorAt(sl, 0, "unexpected line: expected an interface record (`vif<rid>/<index> …`)"));
      continue;
    }
    if (inLegend && /^[A-Za-z0-9]+=/.test(body)) continue;
    if (cur === null) {
      warnings.push(warningAt(sl, lead, "indented line outside any interface record skipped (grep context?)", body));
      continue;
    }
    contLine(cur, sl, lead, body, errors, warnings);
  }
  return { kind: "vif", rows, warnings, errors, commands };
}

function addExtra(row: VifRow, s: string): void {
  row.extra = row.extra === null ? s : `${row.extra}; ${s}`;
}

/** The rest of the `vifR/N` line. */
function firstLine(row: VifRow, sl: SourceLine, rest: string, warnings: ParseWarning[]): void {
  let s = rest.trim();
  const k = OS_KIND_RE.exec(s);
  if (k) {
    row.osKind = k[1];
    row.osName = k[2];
    s = s.slice(k[0].length);
  } else {
    // 4 spaces + name (no OS ifindex), e.g. a VLAN sub-interface's UUID.
    const m = /^(\S+)/.exec(s);
    if (m && !m[1].startsWith("(") && !/^(?:NH:|Parent:|Vlan\()/.test(m[1])) {
      row.osName = m[1];
      s = s.slice(m[0].length);
    }
  }
  let m: RegExpExecArray | null;
  if ((m = /\(Speed (-?\d+),?(?: Duplex (-?\d+))?\)/.exec(s))) {
    row.speedMbps = Number(m[1]);
    row.duplex = m[2] === undefined ? null : Number(m[2]);
    s = s.replace(m[0], "");
  }
  if ((m = /Vlan\(o\/i\)\(,S\): (\d+)\/(\d+)(?:, ([0-9a-fA-F:]{11,17}) Bridge Index: (\d+))?/.exec(s))) {
    row.vlanOuter = Number(m[1]);
    row.vlanInner = Number(m[2]);
    row.vlanMac = m[3] ?? null;
    row.bridgeIndex = m[4] === undefined ? null : Number(m[4]);
    s = s.replace(m[0], "");
  }
  if ((m = /Parent:vif\d+\/(\d+)/.exec(s))) {
    row.parentIndex = Number(m[1]);
    s = s.replace(m[0], "");
  }
  if ((m = /NH: (\d+)/.exec(s))) {
    row.nh = Number(m[1]);
    s = s.replace(m[0], "");
  }
  if ((m = /MTU: ?(-?\d+)/.exec(s))) {
    // DPDK / JCNR print the MTU on the name line (`PCI: 0000:00:04.0 NH: 6 MTU: 9000`).
    row.mtu = readChecked(m[1], RANGES.count, sl, 0, `${row.name}: MTU`, warnings);
    s = s.replace(m[0], "");
  }
  if (row.osKind === "Monitoring" && (m = /for (vif\d+\/\d+)/.exec(s))) {
    addExtra(row, `monitors ${m[1]}`);
    s = s.replace(m[0], "");
  }
  if (/\bMock\b/.test(s)) {
    addExtra(row, "Mock");
    s = s.replace(/\bMock\b/, "");
  }
  const left = s.trim();
  if (left !== "") {
    addExtra(row, left);
    warnings.push(warningAt(sl, 0, `${row.name}: unknown text on the name line kept in \`extra\``, left));
  }
}

const ADDR_LABELS = ["Type:", "HWaddr:", "IPaddr:", "IP6addr:"];
const VRF_LABELS = ["Vrf:", "Mcast Vrf:", "Mcast-Vrf:", "Flags:", "QOS:", "MTU:", "Ref:", "Mirror index", "TxXVif:"];

function contLine(row: VifRow, sl: SourceLine, lead: number, body0: string, errors: ParseError[], warnings: ParseWarning[]): void {
  let body = body0;
  const core = /^Core (\d+) /.exec(body);
  if (core) {
    row.core = Number(core[1]);
    body = body.slice(core[0].length);
  }
  let m: RegExpExecArray | null;
  const num = (label: string, v: string | undefined, col: number): number | null => {
    const n = toInt(v?.trim());
    if (v !== undefined && n === null) errors.push(errorAt(sl, lead + col, `${row.name}: expected a number after \`${label}\``));
    return n;
  };
  if (body.startsWith("Type:") || body.startsWith("HWaddr:") || body.startsWith("IP6addr:")) {
    const sp = splitLabels(body, ADDR_LABELS);
    const f = sp.fields;
    if (f.has("Type:")) row.type = f.get("Type:")?.value ?? null;
    if (f.has("HWaddr:")) row.hwAddr = f.get("HWaddr:")?.value ?? null;
    if (f.has("IPaddr:")) row.ipAddr = f.get("IPaddr:")?.value ?? null;
    if (f.has("IP6addr:")) row.ip6Addr = f.get("IP6addr:")?.value ?? null;
    return;
  }
  if (body.startsWith("Vrf:")) {
    const sp = splitLabels(body, VRF_LABELS);
    const f = sp.fields;
    const g = (l: string): { value: string; col0: number } | undefined => f.get(l);
    row.vrf = num("Vrf:", g("Vrf:")?.value, g("Vrf:")?.col0 ?? 0);
    if (g("Mcast Vrf:")) row.mcastVrf = num("Mcast Vrf:", g("Mcast Vrf:")?.value, g("Mcast Vrf:")?.col0 ?? 0);
    if (g("Mcast-Vrf:")) row.mcastVrf = num("Mcast-Vrf:", g("Mcast-Vrf:")?.value, g("Mcast-Vrf:")?.col0 ?? 0);
    if (g("TxXVif:")) row.txXVif = num("TxXVif:", g("TxXVif:")?.value, g("TxXVif:")?.col0 ?? 0);
    if (g("QOS:")) row.qos = num("QOS:", g("QOS:")?.value, g("QOS:")?.col0 ?? 0);
    if (g("MTU:")) row.mtu = num("MTU:", g("MTU:")?.value, g("MTU:")?.col0 ?? 0);
    if (g("Ref:")) row.ref = num("Ref:", g("Ref:")?.value, g("Ref:")?.col0 ?? 0);
    if (g("Mirror index")) row.mirrorIndex = num("Mirror index", g("Mirror index")?.value, g("Mirror index")?.col0 ?? 0);
    const flags = g("Flags:")?.value ?? "";
    row.flags = flags === "NULL" ? "" : flags;
    const d = decodeVifFlags(row.flags);
    row.flagsDecoded = d.symbols.join(" ");
    row.flagNames = d.symbols.map((s) => VIF_FLAGS[s]).join(", ");
    row.policy = d.symbols.includes("P");
    row.l3 = d.symbols.includes("L3");
    row.l2 = d.symbols.includes("L2");
    row.dhcp = d.symbols.includes("D");
    if (d.unknown !== "") {
      addExtra(row, `unknown flags ${d.unknown}`);
      warnings.push(warningAt(sl, lead + (g("Flags:")?.col0 ?? 0), `${row.name}: unknown flag letters \`${d.unknown}\` kept in \`extra\``, flags));
    }
    return;
  }
  if ((m = /^DDP: (\S+)(?:\s+SwLB: (\S+))?\s*$/.exec(body))) {
    row.ddp = m[1] === "ON" ? true : m[1] === "OFF" ? false : null;
    row.swlb = m[2] === undefined ? null : m[2] === "ON" ? true : m[2] === "OFF" ? false : null;
    return;
  }
  if ((m = /^Vlan Mode: (\S+)(?:\s+Vlan: ([\d\s,-]+?))?(?:\s+Vlan Id: (\d+))?(?:\s+OVlan Id: (\d+))?\s*$/.exec(body))) {
    // JCNR L2 interfaces: `Vlan Mode: Trunk  Vlan: 100 200 300 700-705`, `Vlan Mode: Access  Vlan Id: 100  OVlan Id: 100`.
    row.vlanMode = m[1];
    if (m[2] !== undefined) row.vlans = m[2].trim().split(/[\s,]+/).join(" ");
    if (m[3] !== undefined) row.vlanId = Number(m[3]);
    if (m[4] !== undefined) row.outerVlanId = Number(m[4]);
    return;
  }
  if ((m = /^Parent:\s*vif\d+\/(\d+)$/.exec(body))) {
    // JCNR prints a VLAN sub-interface's parent on a line of its own.
    row.parentIndex = Number(m[1]);
    return;
  }
  if ((m = /^Native vlan id: (\d+)$/i.exec(body))) {
    row.nativeVlan = Number(m[1]);
    return;
  }
  if ((m = /^(RX|TX) (packets:.*)$/.exec(body))) {
    const c = counters(m[2], sl, lead + body.indexOf("packets:"), `${row.name}: ${m[1]}`, warnings);
    if (m[1] === "RX") {
      row.rxPackets = c.get("packets") ?? null;
      row.rxBytes = c.get("bytes") ?? null;
      row.rxErrors = c.get("errors") ?? null;
    } else {
      row.txPackets = c.get("packets") ?? null;
      row.txBytes = c.get("bytes") ?? null;
      row.txErrors = c.get("errors") ?? null;
    }
    if (!c.has("packets")) errors.push(errorAt(sl, lead, `${row.name}: expected \`packets:n\``));
    return;
  }
  if ((m = /^RX queue errors to lcore((?:\s+-?\d+)*)\s*$/.exec(body))) {
    row.rxQueueErrorsToLcore = m[1].trim().split(/\s+/).join(" ");
    return;
  }
  if ((m = /^(RX|TX) (device|port|queue)\s+(packets:.*)$/.exec(body))) {
    const c = counters(m[3], sl, lead + body.indexOf("packets:"), `${row.name}: ${m[1]} ${m[2]}`, warnings);
    const key = `${m[1]} ${m[2]}`;
    switch (key) {
      case "RX device":
        row.rxDevicePackets = c.get("packets") ?? null;
        row.rxDeviceBytes = c.get("bytes") ?? null;
        row.rxDeviceErrors = c.get("errors") ?? null;
        row.rxDeviceNoMbufs = c.get("no mbufs") ?? null;
        break;
      case "RX port":
        row.rxPortPackets = c.get("packets") ?? null;
        row.rxPortErrors = c.get("errors") ?? null;
        row.rxPortSyscalls = c.get("syscalls") ?? null;
        row.rxPortNoMbufs = c.get("no mbufs") ?? null;
        break;
      case "RX queue":
        row.rxQueuePackets = c.get("packets") ?? null;
        row.rxQueueErrors = c.get("errors") ?? null;
        break;
      case "TX queue":
        row.txQueuePackets = c.get("packets") ?? null;
        row.txQueueErrors = c.get("errors") ?? null;
        break;
      case "TX port":
        row.txPortPackets = c.get("packets") ?? null;
        row.txPortErrors = c.get("errors") ?? null;
        row.txPortSyscalls = c.get("syscalls") ?? null;
        break;
      case "TX device":
        row.txDevicePackets = c.get("packets") ?? null;
        row.txDeviceBytes = c.get("bytes") ?? null;
        row.txDeviceErrors = c.get("errors") ?? null;
        break;
      default:
        break;
    }
    return;
  }
  if ((m = /^Drops:\s*(\S+)$/.exec(body))) {
    row.drops = num("Drops:", m[1], 6);
    if (row.drops !== null && row.drops < 0) {
      row.drops = readChecked(m[1], RANGES.count, sl, lead + 6, `${row.name}: Drops`, warnings);
    }
    return;
  }
  if ((m = /^ISID: (-?\d+) Bmac: (\S+)$/.exec(body))) {
    row.isid = Number(m[1]);
    row.bmac = m[2];
    return;
  }
  if ((m = /^Fabric Interface: (\S+)\s+Status: (\S+)\s+Driver: (\S+)$/.exec(body))) {
    row.fabricInterface = m[1];
    row.fabricStatus = m[2];
    row.fabricDriver = m[3];
    return;
  }
  if ((m = /^(?:Slave|Bond Member) Interface\((\w+)\):\s*(\S+)\s+Status:\s*(\S+)\s+Driver:\s*(\S+)$/.exec(body))) {
    const s = `${m[2]} ${m[3]} ${m[4]}`;
    row.slaveInterfaces = row.slaveInterfaces === null ? s : `${row.slaveInterfaces}; ${s}`;
    return;
  }
  if ((m = /^Vlan Id: (\d+)\s+VLAN fwd Interface: (\S+)$/.exec(body))) {
    row.vlanId = Number(m[1]);
    row.vlanFwdInterface = m[2];
    return;
  }
  addExtra(row, body0);
  warnings.push(warningAt(sl, lead, `${row.name}: unknown line kept in \`extra\``, body0));
}
