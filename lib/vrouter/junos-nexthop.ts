/**
 * Junos next hops in the notation of `show route` (brief): `> to 10.0.0.2 via ge-0/0/0.0, Push 16`,
 * `> via gr-1/0/0.32779, Push 16`, `> via Tunnel Composite, UDP (src 1.1.1.1 dest 1.1.1.2), Push 21`,
 * `Local via irb.20`, `Discard`, `to table inet.0`… Read from a brief line, written back as the canonical
 * text of the row's `nextHops` column (detail, JSON and XML next hops are written in the same notation),
 * and read again by {@link junosNextHops}.
 */
import type { JunosRouteRow } from "./types";

/** One forwarding next hop of a Junos route entry. */
export interface JunosNextHop {
  /** `>`: the selected next hop (`selected` in detail, `<selected-next-hop/>` in XML). */
  selected: boolean;
  /** `Router`, `Local`, `Discard`, `Reject`, `Receive`, `Indirect`, `Tunnel Composite`, `Table`… or null. */
  type: string | null;
  /** `to X`: the neighbour address. */
  to: string | null;
  /** `via IF`: the interface (`Tunnel Composite` for a composite tunnel next hop). */
  via: string | null;
  /** `to table T`. */
  table: string | null;
  /** `Push 16, Push 299792(top)`, `Swap 20`, `Pop` as printed. */
  labelOperation: string | null;
  /** Labels pushed (or swapped in), in printed order: innermost first. */
  labels: number[];
  /** `GRE` (gr- interface), `UDP`, `IPIP`, `VXLAN`… */
  tunnelType: string | null;
  tunnelSource: string | null;
  tunnelDestination: string | null;
  /** `label-switched-path NAME`. */
  lsp: string | null;
  /** `weight 0x1`. */
  weight: string | null;
  /** Parts not understood, `, ` separated. */
  extra: string | null;
}

/** Highest MPLS label (20 bits). */
export const MAX_MPLS_LABEL = 1048575;

/** Next hops printed as one word (no address, no interface). */
const WORDS = new Set(["Local", "Discard", "Reject", "Receive", "MultiRecv", "Indirect", "Resolve", "Unusable", "Hold", "Dead", "Multicast", "Table", "Deny", "Fictitious", "Broadcast"]);

/**
 * An empty next hop (nothing known).
 *
 * @example
 * emptyNextHop().selected // => false
 */
export function emptyNextHop(): JunosNextHop {
  return { selected: false, type: null, to: null, via: null, table: null, labelOperation: null, labels: [], tunnelType: null, tunnelSource: null, tunnelDestination: null, lsp: null, weight: null, extra: null };
}

/**
 * The tunnel an interface name stands for: `gr-` GRE, `ip-` IPIP, `ut-` UDP, `vtep` VXLAN; else null.
 *
 * @example
 * tunnelOfInterface("gr-0/0/10.32769") // => "GRE"
 */
export function tunnelOfInterface(via: string): string | null {
  if (via.startsWith("gr-")) return "GRE";
  if (via.startsWith("ip-")) return "IPIP";
  if (via.startsWith("ut-")) return "UDP";
  if (via.startsWith("vtep")) return "VXLAN";
  return null;
}

/** Splits on `,` outside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && depth > 0) depth--;
    else if (c === 44 && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out.filter((p) => p !== "");
}

const IP_RE = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?:%\S+)?)$/;

/**
 * Applies a label operation text (`Push 16, Push 299792(top)`, `Swap 20`, `Pop`) to a next hop; labels
 * above 2^20-1 are left out and reported through `warn`.
 *
 * @example
 * const h = emptyNextHop(); addLabelOperation(h, "Push 16, Push 299792(top)", () => {}); h.labels // => [16, 299792]
 */
export function addLabelOperation(h: JunosNextHop, op: string, warn: (message: string) => void): void {
  const text = op.trim();
  if (text === "") return;
  h.labelOperation = h.labelOperation === null ? text : `${h.labelOperation}, ${text}`;
  const re = /\b(?:Push|Swap)\s+(\d+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const v = m[1].length > 9 ? Infinity : Number(m[1]);
    if (v > MAX_MPLS_LABEL) warn(`MPLS label ${m[1]} is above ${MAX_MPLS_LABEL}: left out`);
    else h.labels.push(v);
  }
}

/**
 * Reads one next hop in brief notation (leading `>` = selected). Returns null for text that is no next
 * hop at all. `warn` receives impossible values (labels above 2^20-1). `bare: false` refuses an address or
 * interface alone (terse prints those; in brief output such a line is something else, e.g. a wrapped remainder).
 *
 * @example
 * parseJunosNextHop("> via Tunnel Composite, UDP (src 1.1.1.1 dest 1.1.1.2), Push 21", () => {})
 * // => { selected: true, via: "Tunnel Composite", type: "Tunnel Composite", tunnelType: "UDP", tunnelSource: "1.1.1.1", tunnelDestination: "1.1.1.2", labels: [21], … }
 */
export function parseJunosNextHop(text: string, warn: (message: string) => void, bare = true): JunosNextHop | null {
  let t = text.trim();
  const h = emptyNextHop();
  if (t.startsWith(">")) {
    h.selected = true;
    t = t.slice(1).trim();
  } else if (t.startsWith("*") && /^\*\s*(?:to|via)\b/.test(t)) {
    t = t.slice(1).trim(); // `*` before a to line: the best subpath (terse/brief legend)
  }
  const parts = splitTop(t);
  if (parts.length === 0) return null;
  const head = parts[0];
  let m: RegExpExecArray | null;
  if ((m = /^to table (\S+)$/.exec(head))) {
    h.type = "Table";
    h.table = m[1];
  } else if ((m = /^Local via (\S+)$/.exec(head))) {
    h.type = "Local";
    h.via = m[1];
  } else if ((m = /^(?:to (\S+)\s+)?via (Tunnel Composite|\S+)(?:\s+\(([^)]*)\))?(?:\s+weight (\S+))?$/.exec(head))) {
    h.to = m[1] ?? null;
    h.via = m[2];
    if (m[3] !== undefined) h.table = m[3];
    if (m[4] !== undefined) h.weight = m[4];
    if (h.via === "Tunnel Composite") h.type = "Tunnel Composite";
    else h.tunnelType = tunnelOfInterface(h.via);
    if (h.to !== null && !IP_RE.test(h.to) && !/^[\w.:/-]+$/.test(h.to)) return null;
  } else if ((m = /^to (\S+)$/.exec(head))) {
    h.to = m[1];
  } else if (WORDS.has(head.split(/\s/)[0])) {
    h.type = head;
  } else if (!bare) {
    return null;
  } else if (IP_RE.test(head)) {
    h.to = head; // terse: an address alone
  } else if (/^[a-z][\w-]*(?:-\d+\/\d+\/\d+)?(?:[.:]\d+)+$|^[a-z]+\d*\.\d+$/.test(head)) {
    h.via = head; // terse: an interface alone
    h.tunnelType = tunnelOfInterface(head);
  } else {
    return null;
  }
  const extra: string[] = [];
  for (const p of parts.slice(1)) {
    if ((m = /^(UDP|GRE|IPIP|VXLAN|MPLSoUDP|MPLSoGRE|IP-IP|UDP-IP|[A-Z][A-Za-z0-9-]*)\s*\((?:src\s+(\S+?))?\s*(?:dest\s+(\S+?))?\)$/.exec(p))) {
      h.tunnelType = m[1];
      h.tunnelSource = m[2] ?? null;
      h.tunnelDestination = m[3] ?? null;
    } else if (/^(?:Push|Pop|Swap)\b/.test(p)) {
      addLabelOperation(h, p, warn);
    } else if ((m = /^label-switched-path (\S+)$/.exec(p))) {
      h.lsp = m[1];
    } else if ((m = /^weight (\S+)$/.exec(p))) {
      h.weight = m[1];
    } else if ((m = /^(UDP|GRE|IPIP|VXLAN)$/.exec(p))) {
      h.tunnelType = m[1];
    } else {
      extra.push(p);
    }
  }
  if (extra.length > 0) h.extra = extra.join(", ");
  return h;
}

/**
 * Writes a next hop back in brief notation (what {@link parseJunosNextHop} reads).
 *
 * @example
 * formatJunosNextHop({ ...emptyNextHop(), selected: true, to: "10.0.0.2", via: "ge-0/0/0.0", labelOperation: "Push 16" })
 * // => ">to 10.0.0.2 via ge-0/0/0.0, Push 16"
 */
export function formatJunosNextHop(h: JunosNextHop): string {
  let s = h.selected ? ">" : "";
  if (h.type === "Local" && h.via !== null) s += `Local via ${h.via}`;
  else if (h.via !== null) s += `${h.to !== null ? `to ${h.to} ` : ""}via ${h.via}${h.table !== null ? ` (${h.table})` : ""}`;
  else if (h.to !== null) s += `to ${h.to}`;
  else if (h.table !== null) s += `to table ${h.table}`;
  else s += h.type ?? "";
  if (h.weight !== null) s += ` weight ${h.weight}`;
  const ends = h.tunnelSource !== null || h.tunnelDestination !== null;
  if (h.tunnelType !== null && (ends || h.via === null || tunnelOfInterface(h.via) !== h.tunnelType)) {
    const inner = [h.tunnelSource !== null ? `src ${h.tunnelSource}` : "", h.tunnelDestination !== null ? `dest ${h.tunnelDestination}` : ""].filter((x) => x !== "").join(" ");
    s += `, ${h.tunnelType} (${inner})`;
  }
  if (h.labelOperation !== null) s += `, ${h.labelOperation}`;
  if (h.lsp !== null) s += `, label-switched-path ${h.lsp}`;
  if (h.extra !== null) s += `, ${h.extra}`;
  return s;
}

/**
 * The next hops of a route row (its `nextHops` column), as objects.
 *
 * @example
 * junosNextHops({ nextHops: ">to 10.0.0.2 via ge-0/0/0.0; to 10.0.0.6 via ge-0/0/1.0" }).map((h) => h.via)
 * // => ["ge-0/0/0.0", "ge-0/0/1.0"]
 */
export function junosNextHops(row: Pick<JunosRouteRow, "nextHops">): JunosNextHop[] {
  if (row.nextHops === null || row.nextHops === undefined) return [];
  const out: JunosNextHop[] = [];
  for (const part of row.nextHops.split("; ")) {
    const h = parseJunosNextHop(part, () => {});
    if (h !== null) out.push(h);
  }
  return out;
}
