/**
 * Junos `show route terse`: the column header `A V Destination  P Prf  Metric 1  Metric 2  Next hop  AS path`
 * (older releases print no `V` column), one line per entry (`* ? 10.2.0.0/16  S   5  >10.0.12.1`),
 * secondary entries without a destination, further next hops on lines of their own under `Next hop`, and
 * the validation state on the next line when the AS path pushed the next hop there (`  unverified  >10.0.0.3`).
 * Numbers are placed in their column from the header's positions; without a header, by order.
 */
import type { JunosRouteRow } from "./types";
import { parseJunosNextHop, type JunosNextHop } from "./junos-nexthop";
import { boundedInt, emptyRoute, U32 } from "./junos-row";

/** The column header. */
export const TERSE_HEADER_RE = /^A\s+(?:V\s+)?Destination\s+P\s+Prf\s+Metric 1\s+Metric 2\s+Next hop\s+AS path\s*$/;

/** Column positions taken from the header line (raw columns, indentation included). */
export interface TerseColumns {
  hasV: boolean;
  metric1End: number;
  metric2End: number;
  nextHop: number;
  asPath: number;
}

/**
 * Columns of a terse header line.
 *
 * @example
 * terseColumns("A V Destination        P Prf   Metric 1   Metric 2  Next hop        AS path").nextHop // => 51
 */
export function terseColumns(raw: string): TerseColumns {
  return {
    hasV: /^\s*A\s+V\s/.test(raw),
    metric1End: raw.indexOf("Metric 1") + 8,
    metric2End: raw.indexOf("Metric 2") + 8,
    nextHop: raw.indexOf("Next hop"),
    asPath: raw.indexOf("AS path"),
  };
}

/** Protocol letters of the `P` column (`L` stands for several: kept as the letter). */
const PROTOCOLS: Record<string, string> = { A: "Aggregate", B: "BGP", C: "CCC", D: "Direct", E: "EVPN", G: "GMPLS", I: "IS-IS", K: "Kernel", O: "OSPF", P: "PIM", R: "RIP", S: "Static", T: "Tunnel" };

/** The `V` column; `?` is "not evaluated" (null). */
const VALIDATION: Record<string, string | null> = { "?": null, V: "valid", I: "invalid", N: "unknown" };

/** What a terse line held. */
export type TerseLine =
  | { kind: "row"; row: JunosRouteRow; hop: JunosNextHop | null; unknown: string[] }
  | { kind: "hop"; hop: JunosNextHop; validation: string | null }
  /** A destination too long for its column, alone on its line: the entry follows on the next line. */
  | { kind: "destination"; prefix: string; marks: string; validation: string | null };

interface Tok {
  s: string;
  start: number;
  end: number;
}

function tokens(raw: string): Tok[] {
  const out: Tok[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw)) !== null) out.push({ s: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

/** `>10.0.0.1`, `10.0.0.1`, `>irb.200`, `Local`, `Reject`, `Discard`… */
function terseHop(s: string, warn: (m: string) => void): JunosNextHop | null {
  return parseJunosNextHop(s, warn);
}

/**
 * Reads one terse line (not the header): an entry, or a next hop (with the validation state) that
 * belongs to the entry above. Null when the line is neither.
 *
 * @example
 * const l = parseTerseLine("* ? 10.2.0.0/16        S   5                       >10.0.12.1", null, 1, "inet.0", "", () => {});
 * l?.kind === "row" && l.row.preference // => 5
 */
export function parseTerseLine(raw: string, cols: TerseColumns | null, line: number, table: string, prefix: string, warn: (m: string) => void): TerseLine | null {
  const tk = tokens(raw);
  if (tk.length === 0) return null;
  let i = 0;
  let marks = "";
  if (/^[*+\-@#]{1,2}$/.test(tk[0].s)) marks = tk[i++].s;
  const hasV = cols?.hasV ?? (tk[i] !== undefined && /^[?VIN]$/.test(tk[i].s) && tk[i + 1] !== undefined && !/^\d+$/.test(tk[i + 1].s));
  let validation: string | null = null;
  if (hasV && tk[i] !== undefined && /^[?VIN]$/.test(tk[i].s)) validation = VALIDATION[tk[i++].s];
  // Protocol letter + preference, with or without a destination before them.
  let dest: string | null = null;
  const isProto = (k: number): boolean => tk[k] !== undefined && /^[A-Z]$/.test(tk[k].s) && tk[k + 1] !== undefined && /^\d+$/.test(tk[k + 1].s);
  if (!isProto(i) && isProto(i + 1)) dest = tk[i++].s;
  if (!isProto(i) && tk.length === i + 1 && (marks !== "" || hasV) && /[/:]|^\d+(?:\(S=0\))?$/.test(tk[i].s)) {
    return { kind: "destination", prefix: tk[i].s, marks, validation };
  }
  if (!isProto(i)) {
    // A next-hop line: `  unverified   >10.0.0.3` or `   10.2.4.0`.
    if (marks !== "") return null;
    let k = 0;
    let v: string | null = null;
    if (tk.length === 2 && /^(?:unverified|valid|invalid|unknown)$/.test(tk[0].s)) {
      v = tk[0].s;
      k = 1;
    }
    if (tk.length - k !== 1) return null;
    const hop = terseHop(tk[k].s, warn);
    return hop === null ? null : { kind: "hop", hop, validation: v };
  }
  const row = emptyRoute(line, table, dest ?? prefix, "terse");
  row.active = marks.includes("*") || marks.includes("+");
  row.lastActive = marks.includes("*") || marks.includes("-");
  const letter = tk[i++].s;
  row.preference = boundedInt(tk[i++].s, 0, U32, warn);
  // `L` is L2CKT, L2VPN, LDP or Local: preference 0 is a Local route.
  row.protocol = PROTOCOLS[letter] ?? (letter === "L" && row.preference === 0 ? "Local" : letter);
  row.validationState = validation;
  let hop: JunosNextHop | null = null;
  const unknown: string[] = [];
  const nums: Tok[] = [];
  let asStart = -1;
  for (; i < tk.length; i++) {
    const t = tk[i];
    if (cols !== null) {
      if (t.end <= cols.metric2End + 1 && t.start < cols.nextHop - 1 && /^\d+$/.test(t.s)) {
        if (t.end <= cols.metric1End + 1) row.metric = boundedInt(t.s, 0, U32, warn);
        else row.metric2 = boundedInt(t.s, 0, U32, warn);
        continue;
      }
      if (hop === null && t.start < cols.asPath && (t.start >= cols.nextHop - 1 || t.s.startsWith(">"))) {
        const h = terseHop(t.s, warn);
        if (h !== null) {
          hop = h;
          continue;
        }
      }
      asStart = t.start;
      break;
    }
    // No header: up to two numbers, then a next hop, then the AS path.
    if (hop === null && nums.length < 2 && /^\d+$/.test(t.s) && !(tk[i + 1] === undefined && nums.length > 0)) {
      nums.push(t);
      continue;
    }
    if (hop === null) {
      const h = /^[>]|^\d+\.\d+\.\d+\.\d+$|^[a-z][\w-]*[\d/]*\.\d+$|^(?:Local|Reject|Discard|Receive|MultiRecv)$/.test(t.s) ? terseHop(t.s, warn) : null;
      if (h !== null) {
        hop = h;
        continue;
      }
    }
    asStart = t.start;
    break;
  }
  if (nums[0] !== undefined) row.metric = boundedInt(nums[0].s, 0, U32, warn);
  if (nums[1] !== undefined) row.metric2 = boundedInt(nums[1].s, 0, U32, warn);
  if (asStart >= 0) row.asPath = raw.slice(asStart).trim();
  // For BGP, terse prints the local preference and MED under Metric 1 / Metric 2.
  if (row.protocol === "BGP") {
    row.localPref = row.metric;
    row.med = row.metric2;
  }
  return { kind: "row", row, hop, unknown };
}
