/**
 * Shared result types of the vRouter utility parsers (`flow`, `nh`, `rt`, `mpls`, `vif`, gateway routes).
 *
 * Parsers are pure: text in, {@link ParseResult} out. They never throw on bad input: garbage produces
 * {@link ParseError}s with the line and column where parsing gave up, and fields a parser does not know
 * are kept raw with a {@link ParseWarning}.
 */

/** A recoverable oddity: an unknown field or type kept raw, a skipped line. */
export interface ParseWarning {
  /** 1-based line in the input. */
  line: number;
  /** 1-based column in that line. */
  column: number;
  message: string;
  /** The offending text, trimmed. */
  text?: string;
  /**
   * What was skipped or rewritten, for the warnings of the text hygiene layer (`hygiene.ts`): `comment`,
   * `note`, `elision`, `grep-separator`, `quote`, `markup`, `prose`, `pager`, `shell`, `stray`, `help`, `legend`; `value` for
   * an impossible number read as `null`. Absent on the parsers' own warnings.
   */
  kind?: string;
}

/** Input the parser could not make sense of. Rows parsed before it are still returned. */
export interface ParseError {
  /** 1-based line in the input. */
  line: number;
  /** 1-based column in that line. */
  column: number;
  message: string;
  /** The offending text, trimmed. */
  text: string;
}

/** What every parser returns. `rows` are flat objects, ready for `aq.from(rows)`. */
export interface ParseResult<R> {
  /** `"flow"`, `"nh"`, `"rt"`, `"mpls"`, `"vif"`, `"junos-route"`… */
  kind: string;
  rows: R[];
  warnings: ParseWarning[];
  errors: ParseError[];
}

/**
 * The fields of one `flow -l` / `flow --match` / `flow --get` entry that the rest of packetwalk relies
 * on (the flow parser may add more fields; these names and meanings are fixed).
 */
export interface FlowEntryCore {
  /** Flow table index (`<index>` in `flow -l`). */
  index: number;
  /** Reverse flow index, `null` when the entry has none (`-1`). */
  rindex: number | null;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP). */
  proto: number;
  /** The VRF the flow is looked up in (for `a->b` translation, `a`). */
  vrf: number;
  /** The action as printed: `F`, `D(Policy)`, `N(D)`, `N(SPs)`… */
  action: string;
  /** Decoded NAT flags of `N(...)`. */
  snat: boolean;
  dnat: boolean;
  spat: boolean;
  dpat: boolean;
  /** The TCP flags as printed after `TCP:` (e.g. `SSrEEr`), `""` when absent. */
  tcpFlags: string;
  packets: number;
  bytes: number;
}

/* ------------------------------------------------------------------------------------------------
 * Row types of the individual parsers (added; the types above are the fixed contract).
 * Every row is a flat object of primitives so that `aq.from(rows)` makes a table.
 * ---------------------------------------------------------------------------------------------- */

/** A cell of a parsed row. */
export type Cell = string | number | boolean | null;

/** A prompt or bare command line recognised (and skipped) in the input. */
export interface CommandRecord {
  /** 1-based line in the input. */
  line: number;
  /** The prompt as printed, `""` for a bare command line. */
  prompt: string;
  /** The command after the prompt, `""` for a bare prompt. */
  command: string;
  /** The utility it runs (`"flow"`, `"nh"`…), `null` if unknown. */
  tool: string | null;
}

/** A {@link ParseResult} that also records the prompt / command lines it skipped. */
export interface VrouterParseResult<R> extends ParseResult<R> {
  commands: CommandRecord[];
}

/** The counters printed above a `flow -l` table. */
export interface FlowTableHeader {
  /** 1-based line of `Flow table(size …)`. */
  line: number;
  /** `Flow table(size N, …)`: bytes of the table. */
  sizeBytes: number | null;
  /** `Flow table(…, entries N)`: slots in the table. */
  slots: number | null;
  created: number | null;
  added: number | null;
  /** `null` on R2.20–R3.1, which did not print it. */
  deleted: number | null;
  /** `null` on R2.20–R3.1. Parsed from the run-together `Changed 332Processed` too. */
  changed: number | null;
  processed: number | null;
  overflowEntries: number | null;
  /** `(Created Flows/CPU: a b c)` as numbers. */
  createdPerCpu: number[];
  /** `(oflows N)`. */
  holdOverflows: number | null;
  /** The `--match` filter (`[115.115.115.4]:*`), `null` without one. */
  match: string | null;
}

/**
 * One flow entry from `flow -l`, `flow --match …` or `flow --get N`. The {@link FlowEntryCore} fields
 * keep their fixed meaning; the rest decode every field the utility prints.
 */
export interface FlowEntry extends FlowEntryCore {
  /** `"list"` for `flow -l`/`--match` entries, `"get"` for `flow --get`. */
  source: "list" | "get";
  /** 1-based line where the entry starts. */
  line: number;
  /** Which table dump in the input the entry belongs to (0-based): a transcript may hold several. */
  dump: number;
  /** `"inet"` or `"inet6"` (from the address syntax). */
  family: "inet" | "inet6";
  /** `TCP`, `UDP`, `ICMP`, `ICMPv6`, `SCTP`, or the number as text. */
  protoName: string;
  /** The destination VRF (`b` of `a->b`); equal to `vrf` when not translated. */
  dvrf: number;
  /** True when printed as `(a->b)` (VRF translation). */
  vrfTranslated: boolean;
  /** `Gen:` generation id. */
  gen: number | null;
  /** `K(nh):` key next hop. */
  keyNh: number | null;
  /** First letter of the action: `F`, `D`, `N`, `H` (hold), `U` (unknown). */
  actionCode: string;
  /** `D(reason)`: the drop reason (`SG`, `Policy`…), `null` otherwise. */
  dropReason: string | null;
  /** `L` in `N(...)`: link-local NAT. */
  linkLocal: boolean;
  /** `Flags:` as printed (`""`, `N`, `EcM`…). */
  flowFlags: string;
  evicted: boolean;
  evictCandidate: boolean;
  newFlow: boolean;
  modified: boolean;
  deleteMarked: boolean;
  tcpSyn: boolean;
  tcpSynR: boolean;
  tcpEstablished: boolean;
  tcpEstablishedR: boolean;
  tcpFin: boolean;
  tcpFinR: boolean;
  tcpRst: boolean;
  tcpHalfClose: boolean;
  tcpDead: boolean;
  /** A one-word TCP state (`established`, `syn-sent`, `closed`…), `null` for non-TCP flows. */
  tcpState: string | null;
  /** The TCP flags in words (`SYN both ways, established both ways`), `null` for non-TCP flows. */
  tcpDescription: string | null;
  /** `E:n` ECMP member index. */
  ecmpIndex: number | null;
  /** `QOS:` (usually -1), `null` when not printed (R3.0). */
  qos: number | null;
  /** `S(nh):` RPF next hop. */
  rpfNh: number | null;
  mirrorIndex: number | null;
  secondaryMirrorIndex: number | null;
  /** `SPort` / `UDP Source Port:`: the tunnel (MPLSoUDP/VXLAN) UDP source port of this flow. */
  udpSrcPort: number | null;
  ttl: number | null;
  underlayEcmpIndex: number | null;
  /** `HbsLeft` / `HbsRight` as `"left"`/`"right"`. */
  hbs: string | null;
  /** `Sinfo` (source info, printed as an IPv4 address). */
  sinfo: string | null;
  /** Hash overflow chain (`Oflow entries:`), space separated indexes. */
  oflowEntries: string | null;
  /** Fields the parser did not know, as printed, `; ` separated. */
  extra: string | null;
  /* --- only from `flow --get` (absent from `flow -l` rows) --- */
  /** `Expected Source: NextHop(Index, VRF, Type)`. */
  expectedSrcNh?: number | null;
  expectedSrcNhType?: string | null;
  /** `Ingress Interface(Index, VRF, OS)`: `vif0/6`. */
  ingressVif?: string | null;
  ingressOs?: string | null;
  srcMatchingRoute?: string | null;
  srcNh?: number | null;
  dstMatchingRoute?: string | null;
  dstNh?: number | null;
  dstNhType?: string | null;
  egressVif?: string | null;
  egressOs?: string | null;
  dstMac?: string | null;
  /** `NAT(Source, Destination)` line of a NAT flow. */
  natSrc?: string | null;
  natDst?: string | null;
  systemDrops?: number | null;
  reversePathFailures?: number | null;
  flowBlockDrops?: number | null;
}

/** The result of {@link FlowEntry} parsing: rows plus the table header counters. */
/**
 * One line of `flow -r` (the flow setup rate, printed about every 500 ms). Two forms: R1.x's
 * `New = 2, Flow setup rate = 3 flows/sec, Flow rate = 3 flows/sec, for last 548 ms` and TF master's
 * `2024-03-26 10:00:00.123:  Entries = N Rate = N (Fwd = N Rev = N Del = N) Hold = N Free Burst Tokens = N
 * Total Hold Entries N`; the fields of the other form are `null`. Values are as printed (R1.x prints
 * negative differences); a number that cannot be exact is `null` with a warning.
 */
export interface FlowRateSample {
  /** 1-based line. */
  line: number;
  /** TF master's timestamp (`2024-03-26 10:00:00.123`), `null` in the R1.x form. */
  time: string | null;
  /** R1.x `New =`: flows set up in the interval. */
  newFlows: number | null;
  /** R1.x `Flow setup rate =` (flows/s). */
  setupRate: number | null;
  /** R1.x `Flow rate =` (flows/s). */
  flowRate: number | null;
  /** R1.x `for last N ms`. */
  periodMs: number | null;
  /** TF master `Entries =`: entries in the table. */
  entries: number | null;
  /** TF master `Rate =` (flow operations/s). */
  rate: number | null;
  fwd: number | null;
  rev: number | null;
  del: number | null;
  hold: number | null;
  freeBurstTokens: number | null;
  holdEntries: number | null;
}

export interface FlowParseResult extends VrouterParseResult<FlowEntry> {
  /** `flow -r` lines (the flow setup rate), in input order; empty for other output. */
  rates: FlowRateSample[];
  /** The counters of the first table dump, `null` when none was printed (`flow --get`, bare entries). */
  header: FlowTableHeader | null;
  /** Every table dump's counters, in input order (`FlowEntry.dump` indexes this when headers were printed). */
  headers: FlowTableHeader[];
}

/** One next hop record of `nh --get` / `nh --list`. */
export interface NhRow {
  line: number;
  id: number;
  /** `Encap`, `Tunnel`, `Composite`, `Receive`, `L2 Receive`, `Drop`, `Resolve`, `Vrf_Translate`… (unknown kept raw). */
  type: string;
  /** `AF_INET`, `AF_INET6`, `AF_BRIDGE`, `AF_UNSPEC`. */
  family: string;
  rid: number | null;
  refCount: number | null;
  /** `Vrf:` of the first line (not printed by R2.x). */
  vrf: number | null;
  /** The flag names, `", "`-joined, without the trailing `", "` (`Valid, MPLSoGRE`); `None` as printed. */
  flags: string;
  valid: boolean;
  policy: boolean;
  ecmp: boolean;
  /** `MPLSoGRE`, `MPLSoUDP`, `VXLAN`, `UDP`, `SRv6`, `MPLS` (AF_MPLS) for tunnels (from the flags), else `null`. */
  tunnelType: string | null;
  oif: number | null;
  /** `EncapFmly:0806`. */
  encapFamily: string | null;
  encapLen: number | null;
  /** The encap/tunnel rewrite bytes, space separated hex (`52 54 00 f4 26 a1 …`). */
  encapData: string | null;
  /** Derived from `encapData` (bytes 0–5), zero padded. */
  encapDstMac: string | null;
  /** Derived from `encapData` (bytes 6–11). */
  encapSrcMac: string | null;
  /** Tunnel source / destination IP. */
  sip: string | null;
  dip: string | null;
  /** `Sport:`/`Dport:` of UDP tunnels. */
  sport: number | null;
  dport: number | null;
  /** `Vrf:` on the old tunnel line (`Vrf:0  Sip:…`) or the `Vrf:` line of a Vrf_Translate NH. */
  nhVrf: number | null;
  /** Composite members as printed: `21(0) 50(10) -1`. Use `subNhList(row)` for the parsed list. */
  subNhs: string | null;
  subNhCount: number | null;
  /** `and N more components...` */
  moreComponents: number | null;
  /** `Direct NH(label): n(l)` of an indirect NH. */
  directNh: number | null;
  directLabel: number | null;
  l3VxlanMac: string | null;
  bmac: string | null;
  pbbLabel: number | null;
  transportLabel: number | null;
  cryptOif: number | null;
  validHashKeys: string | null;
  /** Every `Oif:` printed, space separated (several for an SRv6 or underlay-ECMP tunnel); `oif` is the first. */
  oifs: string | null;
  /** Next-hop chains (JCNR `nhchain --get`, FRR): `Next NH:`, `NH Label:`, `NH Hit Count:`. */
  nextNh: number | null;
  nextNhLabel: number | null;
  hitCount: number | null;
  /** `ECMP Weights: 1, 61440,` → `1 61440`. */
  ecmpWeights: string | null;
  /** `FRR State: 0 -> 1` as printed. */
  frrState: string | null;
  frrUpdates: number | null;
  /** `FRR State Valid List: 1, 1,` → `1 1`. */
  frrValidList: string | null;
  /** AF_MPLS tunnels (`MPLS` flag): `Number of Transport Labels:` and the labels when printed. */
  transportLabelCount: number | null;
  transportLabels: string | null;
  /** SRv6 tunnels: `Block Len:`, `Block:`, `Number of Containers:`, `Container Dips:` (the SIDs, space separated). */
  srv6BlockLen: number | null;
  srv6Block: string | null;
  containerCount: number | null;
  containerDips: string | null;
  extra: string | null;
}

/** One route of `rt --dump` / `rt --get` (inet, inet6 or bridge). */
export interface RtRow {
  line: number;
  family: "inet" | "inet6" | "bridge";
  /** VRF from the table title (`0/2/unicast` → 2), `null` if no title was printed. */
  vrf: number | null;
  /** `rt --get` query (`10.0.3.99/32`, or a MAC), `null` for a dump. */
  match: string | null;
  /** `10.0.3.0/24` (inet/inet6), `null` for bridge rows. */
  prefix: string | null;
  address: string | null;
  prefixLen: number | null;
  /** PPL: replacement prefix length. */
  ppl: number | null;
  /** Flags as printed (`LP`, `PT`, `LDf`, `""`). */
  flags: string;
  labelValid: boolean;
  proxyArp: boolean;
  trapArp: boolean;
  floodArp: boolean;
  macIpLearnt: boolean;
  dhcpFlood: boolean;
  /** Label (inet: MPLS label; bridge: label or VNID), `null` when printed `-`. */
  label: number | null;
  nh: number | null;
  /** `Stitched MAC(Index)`: MAC as printed (not zero padded). */
  stitchedMac: string | null;
  stitchedIndex: number | null;
  /** Bridge rows: table index, MAC, packets. */
  index: number | null;
  mac: string | null;
  packets: number | null;
  extra: string | null;
}

/** One row of `mpls --dump` / `mpls --get`. */
export interface MplsRow {
  line: number;
  /** `null` when the printed label is impossible (above 1048575; a warning says so). */
  label: number | null;
  nh: number | null;
}

/** One row of `vxlan --dump` / `vxlan --get`. */
export interface VxlanRow {
  line: number;
  /** `null` when the printed VNID is impossible (above 16777215; a warning says so). */
  vnid: number | null;
  nh: number | null;
}

/** One counter of `dropstats`. */
export interface DropstatRow {
  line: number;
  /** As printed: `Invalid NH`. */
  counter: string;
  /** `null` for an impossible value (negative, too large to be exact; a warning says so). */
  value: number | null;
}

/** One interface of `vif --list` / `vif --get` (kernel and DPDK layouts, every release). */
export interface VifRow {
  line: number;
  /** `vif0/3`. */
  name: string;
  rid: number;
  /** vif index (`vif0/<index>`). */
  index: number;
  /** What precedes the OS name: `OS`, `PCI`, `PMD`, `Virtual`, `Ethernet`, `Socket`, `Monitoring`, or `""` (name only). */
  osKind: string;
  /** `OS: tapf146a2c0-ae`, `PCI: 0000:00:00.0`, or the bare name (e.g. a VLAN sub-interface UUID). */
  osName: string | null;
  speedMbps: number | null;
  duplex: number | null;
  vlanOuter: number | null;
  vlanInner: number | null;
  vlanMac: string | null;
  bridgeIndex: number | null;
  /** `Parent:vif0/2` → 2. */
  parentIndex: number | null;
  /** `NH: n`. */
  nh: number | null;
  /** `Virtual`, `Physical`, `Host`, `Agent`, `Stats`, `Virtual(Vlan)`… */
  type: string | null;
  hwAddr: string | null;
  /** `IPaddr:` as printed (`0` on R2.x/R3.0 which printed hex). */
  ipAddr: string | null;
  ip6Addr: string | null;
  vrf: number | null;
  mcastVrf: number | null;
  /** `Flags:` as printed (`PL3L2DEr`), `""` for `NULL`. */
  flags: string;
  /** The flags tokenised, space separated (`P L3 L2 D Er`). */
  flagsDecoded: string;
  /** The flags' meanings, `", "` separated (`Policy, Layer 3, …`). */
  flagNames: string;
  policy: boolean;
  l3: boolean;
  l2: boolean;
  dhcp: boolean;
  mtu: number | null;
  qos: number | null;
  ref: number | null;
  mirrorIndex: number | null;
  rxPackets: number | null;
  rxBytes: number | null;
  rxErrors: number | null;
  txPackets: number | null;
  txBytes: number | null;
  txErrors: number | null;
  drops: number | null;
  isid: number | null;
  bmac: string | null;
  /** DPDK: `Core N` of a per-core block. */
  core: number | null;
  rxDevicePackets: number | null;
  rxDeviceBytes: number | null;
  rxDeviceErrors: number | null;
  rxDeviceNoMbufs: number | null;
  rxPortPackets: number | null;
  rxPortErrors: number | null;
  rxPortSyscalls: number | null;
  rxPortNoMbufs: number | null;
  rxQueuePackets: number | null;
  rxQueueErrors: number | null;
  /** `RX queue errors to lcore` values, space separated. */
  rxQueueErrorsToLcore: string | null;
  txQueuePackets: number | null;
  txQueueErrors: number | null;
  txPortPackets: number | null;
  txPortErrors: number | null;
  txPortSyscalls: number | null;
  txDevicePackets: number | null;
  txDeviceBytes: number | null;
  txDeviceErrors: number | null;
  fabricInterface: string | null;
  fabricStatus: string | null;
  fabricDriver: string | null;
  /** `Slave Interface(n): name  Status: s  Driver: d`, `; ` separated `name status driver`. */
  slaveInterfaces: string | null;
  /** `Vlan Id:` (VLAN fwd interface, or a JCNR access port). */
  vlanId: number | null;
  vlanFwdInterface: string | null;
  /** DPDK / JCNR: `TxXVif:` (the vif a host interface transmits through). */
  txXVif: number | null;
  /** DPDK / JCNR: `DDP: ON|OFF  SwLB: ON|OFF` (Dynamic Device Personalization, software load balancing). */
  ddp: boolean | null;
  swlb: boolean | null;
  /** JCNR L2: `Vlan Mode: Trunk|Access`. */
  vlanMode: string | null;
  /** JCNR trunk: `Vlan: 100 200 300 700-705` as printed (ranges kept). */
  vlans: string | null;
  /** JCNR trunk: `Native vlan id:`. */
  nativeVlan: number | null;
  /** JCNR access: `OVlan Id:`. */
  outerVlanId: number | null;
  extra: string | null;
}

/**
 * One route entry of Junos `show route` in any form: brief (the default), `terse`, `detail`, `extensive`,
 * `| display json` or `| display xml`. Fields a form does not print are null.
 */
export interface JunosRouteRow {
  line: number;
  /** `k8s-ns-user-1.inet.0`. */
  table: string;
  /** `inet`, `inet6`, `mpls`, `l3vpn`, `evpn`… (the table name's family part), null when unnamed. */
  family: string | null;
  /** The routing instance (`k8s-ns-user-1` of `k8s-ns-user-1.inet.0`), null for the master instance. */
  instance: string | null;
  /** `101.101.101.1/32`; an mpls.0 label as printed (`299776`, `299776(S=0)`). */
  prefix: string;
  /** mpls.0: the incoming label of the prefix (`299776(S=0)` → 299776). */
  inLabel: number | null;
  /** mpls.0: false for `(S=0)` (not bottom of stack), true for a plain label, null elsewhere. */
  bottomOfStack: boolean | null;
  /** Which output the row came from: `brief`, `terse`, `detail`, `extensive`, `bgp` (`show route receive-protocol|advertising-protocol bgp PEER`), `json` or `xml`. */
  form: string;
  /** `*` or `+`: the active route. */
  active: boolean;
  /** `*` or `-`: the last active route. */
  lastActive: boolean;
  /** Hidden route (`show route hidden`, `State: <Hidden …>`, a brief `[BGP ]` without preference). */
  hidden: boolean;
  /** Route being deleted or held down (`State: <… Delete …>`, `Deleted`, holddown). */
  deleted: boolean;
  /** `BGP`, `Static`, `Direct`… */
  protocol: string | null;
  preference: number | null;
  preference2: number | null;
  routeDistinguisher: string | null;
  /** Type of the forwarding next hop (`Router`, `Tunnel Composite`…). */
  nextHopType: string | null;
  nextHopIndex: number | null;
  /** `Next hop: via gr-2/2/0.32771` → `gr-2/2/0.32771`. */
  nextHopVia: string | null;
  /** `Next hop: 10.0.0.1 via ge-0/0/0.0` → `10.0.0.1`. */
  nextHopTo: string | null;
  /** Number of forwarding next hops of the entry. */
  nextHopCount: number;
  /** `Label operation: Push 44` as printed. */
  labelOperation: string | null;
  /** The pushed (VPN) label: from `Push N` or `VPN Label:`. */
  label: number | null;
  /** `Protocol next hop:` (the compute node for a Contrail VRF route). */
  protocolNextHop: string | null;
  /** `GRE` (via a gr- interface), `UDP`, `IPIP`… */
  tunnelType: string | null;
  tunnelSource: string | null;
  tunnelDestination: string | null;
  state: string | null;
  localAs: number | null;
  peerAs: number | null;
  age: string | null;
  task: string | null;
  asPath: string | null;
  communities: string | null;
  localPref: number | null;
  routerId: string | null;
  /** `Source:` (detail), `from X` (brief), `learned-from` (json/xml): the BGP peer, e.g. the Contrail control node. */
  source: string | null;
  primaryTable: string | null;
  /** Age in seconds (`2d 07:03:17` → 198197; `junos:seconds`), null when not printed or impossible. */
  ageSeconds: number | null;
  /** Metric (metric 1; for BGP in `terse`, the column printed under it). */
  metric: number | null;
  metric2: number | null;
  /** BGP MED (`MED 100`). */
  med: number | null;
  /** BGP origin validation (`validation-state: unverified`, terse `V` column). */
  validationState: string | null;
  /**
   * Every next hop in Junos brief notation, `; ` between them, `>` before the selected one:
   * `>to 10.0.0.1 via ge-0/0/0.0, Push 16; to 10.0.0.5 via ge-0/0/1.0`. Read with `junosNextHops(row)`.
   */
  nextHops: string | null;
  /** Labels pushed by the selected next hop, innermost first, space separated (`16 299792`). */
  labels: string | null;
  /** `label-switched-path NAME` of the selected next hop. */
  lsp: string | null;
  extra: string | null;
}
