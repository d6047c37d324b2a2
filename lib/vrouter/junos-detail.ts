/**
 * Junos `show route … detail` and `… extensive`: the prefix line (`10.0.0.0/24 (2 entries, 1 announced)`),
 * the entry line (`*BGP    Preference: 170/-101`, a hidden `BGP  /-101`) and the `Key: value` lines
 * under it, including several `Next hop:` lines each with its own `Label operation:` and
 * `Label-switched-path`, tunnel-composite next hops, and the extensive output's resolution of the
 * protocol next hop (`Indirect next hops:` … `Nexthop:`), read into `resolved` next hops.
 */
import type { JunosRouteRow } from "./types";
import { addLabelOperation, emptyNextHop, tunnelOfInterface, type JunosNextHop } from "./junos-nexthop";
import { boundedInt, emptyRoute, U32, type RouteDraft } from "./junos-row";

/** `10.0.0.0/24 (2 entries, 1 announced)` (also an mpls.0 label, an interface, an EVPN/L3VPN prefix). */
export const DETAIL_PREFIX_RE = /^(?:([*+\-])\s+)?(\S+?)\s*\(\d+ entr(?:y|ies), \d+ announced\)/;
/** `*BGP    Preference: 170/-101`, `BGP                /-101` (hidden: no preference). */
export const DETAIL_ENTRY_RE = /^([*@#+\- ]{0,3})([A-Za-z][\w-]*)\s+(?:Preference:\s*(\d+)(?:\/(-?\d+))?|\/(-?\d+))\s*$/;

/** State of the entry being read. */
export interface DetailState {
  draft: RouteDraft;
  pendingType: string | null;
  pendingIndex: number | null;
  /** The next hop the `Label operation:` / tunnel lines below belong to. */
  hop: JunosNextHop | null;
  afterProtocolNh: boolean;
  /** Inside extensive's `Indirect next hops:` block. */
  resolving: boolean;
  /** A route of `show route receive-protocol|advertising-protocol bgp PEER detail` (`Nexthop:` is its BGP next hop). */
  advertised: boolean;
}

/**
 * Starts an entry from its entry line (matched by {@link DETAIL_ENTRY_RE}).
 *
 * @example
 * const s = startDetailEntry(DETAIL_ENTRY_RE.exec("*BGP    Preference: 170/-101")!, 5, "v.inet.0", "1.1.1.1/32", "detail", () => {});
 * s.draft.row.preference2 // => -101
 */
export function startDetailEntry(m: RegExpExecArray, line: number, table: string, prefix: string, form: string, warn: (message: string) => void): DetailState {
  const row = emptyRoute(line, table, prefix, form);
  const marks = m[1] ?? "";
  row.active = marks.includes("*") || marks.includes("+");
  row.lastActive = marks.includes("*") || marks.includes("-");
  row.protocol = m[2] ?? null;
  row.preference = boundedInt(m[3], 0, U32, warn);
  row.preference2 = boundedInt(m[4] ?? m[5], -U32, U32, warn);
  if (m[3] === undefined) row.hidden = true;
  return { draft: { row, hops: [], resolved: [] }, pendingType: null, pendingIndex: null, hop: null, afterProtocolNh: false, resolving: false, advertised: false };
}

/**
 * Starts the entry of `show route receive-protocol|advertising-protocol bgp PEER detail`, whose prefix line
 * (`* 10.0.0.0/24 (1 entry, 1 announced)`) is followed by the attributes with no entry line.
 *
 * @example
 * startAdvertisedEntry(3, "inet.0", "10.0.0.0/24", true).draft.row.protocol // => "BGP"
 */
export function startAdvertisedEntry(line: number, table: string, prefix: string, active: boolean): DetailState {
  const row = emptyRoute(line, table, prefix, "detail");
  row.protocol = "BGP";
  row.active = active;
  return { draft: { row, hops: [], resolved: [] }, pendingType: null, pendingIndex: null, hop: null, afterProtocolNh: false, resolving: false, advertised: true };
}

/** Keys of detail/extensive output that carry nothing the rows hold: accepted silently. */
const IGNORED = new Set([
  "Address",
  "Next-hop reference count",
  "Label TTL action",
  "Load balance label",
  "Label element ptr",
  "Label parent element ptr",
  "Label element references",
  "Label element child references",
  "Label element lsp id",
  "Session Id",
  "Indirect next hop",
  "Announcement bits",
  "Thread",
  "KRT in-kernel",
  "TSI",
  "Secondary Tables",
  "Originator ID",
  "Cluster list",
  "Accepted",
  "Import",
  "Kernel Table Id",
  "Indirect path forwarding next hops",
  "Node path count",
  "Forwarding nexthops",
  "Flags",
  "Prefixes bound to route",
  "Statistics ID Group",
  "Label-switched-path",
  "AIGP",
  "Weight",
  "Balance",
  "Cluster ID",
  "Encapsulation",
  "ResolvState",
]);
const IGNORED_LINE_RE =
  /^(?:Import Accepted|Accepted|Announcement bits|Page \d+ idx|Label element|Load balance|Indirect next hop|Session Id|Thread|Path \S+ (?:from|Vector)|Advertised metrics|Flags:|Nexthop: Self|Localpref: \d+\s*$|AS path: .* \(Originator\)|\S+ Originating RIB:|Originating RIB|Metric: \d+\s+Node path count|Address family|Vector len|KRT in-kernel|Secondary Tables|Stale|Multipath|Primary Routing Table\s*$)/;

function addExtra(row: JunosRouteRow, s: string): void {
  row.extra = row.extra === null ? s : `${row.extra}; ${s}`;
}

/** Words of `Next hop type:` that are a whole next hop by themselves. */
const WORD_TYPES = new Set(["Discard", "Reject", "Receive", "Local", "MultiRecv", "Multicast", "Unusable", "Dead", "Hold", "Resolve", "Deny"]);

/**
 * Reads one trimmed attribute line of an entry. Returns false when the line is not understood (the
 * caller keeps it in `extra` with {@link keepDetailExtra} and a warning, or joins it to a wrapped line).
 *
 * @example
 * applyDetailLine(state, "Protocol next hop: 10.169.25.20", () => {}); // => true
 */
export function applyDetailLine(st: DetailState, t: string, warn: (message: string) => void): boolean {
  const r = st.draft.row;
  const colon = t.indexOf(":");
  const key = colon > 0 ? t.slice(0, colon).trim() : t;
  const val = colon > 0 ? t.slice(colon + 1).trim() : "";
  const hops = st.resolving ? st.draft.resolved : st.draft.hops;
  let m: RegExpExecArray | null;
  switch (key) {
    case "Route Distinguisher":
      r.routeDistinguisher = val;
      return true;
    case "Next hop type": {
      const mm = /^(.*?)(?:,\s*Next hop index:\s*(\d+))?\s*$/.exec(val);
      st.pendingType = mm ? mm[1].trim() : val;
      st.pendingIndex = mm && mm[2] !== undefined ? boundedInt(mm[2], 0, U32, warn) : null;
      if (!st.resolving && r.nextHopType === null) {
        r.nextHopType = st.pendingType;
        r.nextHopIndex = st.pendingIndex;
      }
      if (WORD_TYPES.has(st.pendingType)) {
        const h = emptyNextHop();
        h.type = st.pendingType;
        hops.push(h);
        st.hop = h;
      }
      return true;
    }
    case "Interface":
      if (st.hop !== null && st.hop.via === null) st.hop.via = val.split(/\s/)[0] || null;
      return true;
    case "Next hop":
    case "Nexthop": {
      if (key === "Nexthop" && st.advertised) {
        r.protocolNextHop = val.split(/\s+/)[0] || null;
        return true;
      }
      if (key === "Nexthop" && !st.resolving) return val === "Self";
      const selected = /,\s*selected\b/.test(val);
      const body = val.replace(/,\s*selected\b.*$/, "").trim();
      const h = emptyNextHop();
      h.selected = selected;
      h.type = st.pendingType;
      if ((m = /^(?:(\S+)\s+)?via\s+(\S+)(?:\s+weight\s+(\S+))?/.exec(body))) {
        h.to = m[1] ?? null;
        h.via = m[2];
        h.weight = m[3] ?? null;
        h.tunnelType = tunnelOfInterface(m[2]);
      } else if (/^\d{1,3}(?:\.\d{1,3}){3}$|^[0-9a-fA-F:]+:[0-9a-fA-F:]*$/.test(body)) {
        h.to = body;
      } else if (st.pendingType === "Tunnel Composite" || body === "") {
        if (st.pendingType === "Tunnel Composite") h.via = "Tunnel Composite";
      } else if (body !== "") {
        h.extra = body;
      }
      hops.push(h);
      st.hop = h;
      if (!st.resolving) {
        r.nextHopCount++;
        if (selected || r.nextHopVia === null) {
          r.nextHopType = st.pendingType ?? r.nextHopType;
          r.nextHopIndex = st.pendingIndex ?? r.nextHopIndex;
        }
      }
      return true;
    }
    case "Label operation":
      if (st.afterProtocolNh || st.hop === null) {
        // The protocol next hop's operation: the row's only when no forwarding next hop printed one.
        if (st.draft.hops.some((h) => h.labelOperation !== null)) return true;
        if (r.labelOperation === null) r.labelOperation = val;
        const tmp = emptyNextHop();
        addLabelOperation(tmp, val, warn);
        if (r.label === null && tmp.labels.length > 0 && /Push/.test(val)) r.label = tmp.labels[0];
      } else {
        addLabelOperation(st.hop, val, warn);
      }
      return true;
    case "Protocol next hop":
      if (r.protocolNextHop === null) r.protocolNextHop = val.split(/\s+/)[0] || null;
      st.afterProtocolNh = true;
      st.hop = null;
      return true;
    case "Indirect next hops":
      st.resolving = true;
      st.hop = null;
      st.pendingType = null;
      return true;
    case "Tunnel type": {
      const mm = /^([\w-]+)/.exec(val);
      if (mm) {
        if (st.hop !== null) st.hop.tunnelType = mm[1];
        if (!st.resolving) r.tunnelType = mm[1];
      }
      return true;
    }
    case "Destination address": {
      const mm = /^(\S+?)(?:,\s*Source address:\s*(\S+))?$/.exec(val);
      if (mm) {
        if (st.hop !== null) {
          st.hop.tunnelDestination = mm[1];
          if (mm[2] !== undefined) st.hop.tunnelSource = mm[2];
        }
        if (!st.resolving) {
          r.tunnelDestination = mm[1];
          if (mm[2] !== undefined) r.tunnelSource = mm[2];
        }
      }
      return true;
    }
    case "Source address":
      if (st.hop !== null) st.hop.tunnelSource = val;
      if (!st.resolving) r.tunnelSource = val;
      return true;
    case "State":
      r.state = val.replace(/^<|>$/g, "");
      return true;
    case "Local AS": {
      const mm = /^(\d+)(?:\s+Peer AS:\s*(\d+))?/.exec(val);
      if (mm) {
        r.localAs = boundedInt(mm[1], 0, U32, warn);
        if (mm[2] !== undefined) r.peerAs = boundedInt(mm[2], 0, U32, warn);
      }
      return true;
    }
    case "Peer AS":
      r.peerAs = boundedInt(val.split(/\s/)[0], 0, U32, warn);
      return true;
    case "Age": {
      // `Age: 1:10       Metric: 1       Metric2: 1` (tabs or spaces between).
      const mm = /^(.*?)(?:\s+Metric:\s*(\d+))?(?:\s+Metric2:\s*(\d+))?\s*$/.exec(val);
      if (mm) {
        r.age = mm[1].trim() || null;
        if (mm[2] !== undefined) r.metric = boundedInt(mm[2], 0, U32, warn);
        if (mm[3] !== undefined) r.metric2 = boundedInt(mm[3], 0, U32, warn);
      }
      return true;
    }
    case "Metric":
      r.metric = boundedInt(val.split(/\s/)[0], 0, U32, warn);
      return true;
    case "MED":
      r.med = boundedInt(val.split(/\s/)[0], 0, U32, warn);
      return true;
    case "Metric2":
      r.metric2 = boundedInt(val.split(/\s/)[0], 0, U32, warn);
      return true;
    case "Task":
      r.task = val;
      return true;
    case "AS path":
      if (r.asPath === null) r.asPath = val;
      return true;
    case "Communities":
      r.communities = val;
      return true;
    case "VPN Label": {
      const v = boundedInt(val, 0, 1048575, warn);
      if (v !== null) r.label = v;
      return true;
    }
    case "Localpref":
      r.localPref = boundedInt(val, 0, U32, warn);
      return true;
    case "Router ID":
      r.routerId = val;
      return true;
    case "Source":
      r.source = val;
      return true;
    case "Primary Routing Table":
      r.primaryTable = val;
      return true;
    case "Validation State":
      r.validationState = val || null;
      return true;
    case "Inactive reason":
      if (/Hidden|Unusable/.test(val)) r.hidden = true;
      return true;
    default:
      if (IGNORED.has(key)) return true;
      break;
  }
  if ((m = /^Label-switched-path\s+(\S+)/.exec(t))) {
    if (st.hop !== null) st.hop.lsp = m[1];
    return true;
  }
  if (t.startsWith("Primary Routing Table ")) {
    r.primaryTable = t.slice("Primary Routing Table ".length).trim();
    return true;
  }
  if (IGNORED.has(key) || IGNORED_LINE_RE.test(t)) return true;
  if (st.resolving) return true; // the rest of the resolution block (metrics, RIB names) is not kept
  return false;
}

/**
 * Keeps a line {@link applyDetailLine} did not understand in the row's `extra`.
 *
 * @example
 * keepDetailExtra(state, "Frobnication: high");
 */
export function keepDetailExtra(st: DetailState, t: string): void {
  addExtra(st.draft.row, t);
}
