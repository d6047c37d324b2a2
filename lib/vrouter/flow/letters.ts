/**
 * Decoders for the letter codes of `flow -l`: the action (`F`, `D(SG)`, `N(SPsD)`), the flow flags
 * (`EcM`), and the TCP flags (`SSrEEr`), plus their `flow --get` word forms.
 */

/** NAT flags decoded from `N(...)`. */
export interface NatFlags {
  snat: boolean;
  spat: boolean;
  dnat: boolean;
  dpat: boolean;
  linkLocal: boolean;
}

/**
 * Decodes the letters inside `N(...)`: `S`, `Ps`, `D`, `Pd`, `L` (printed in that bit order).
 * Unknown letters are ignored (the caller keeps the raw action string).
 *
 * @example
 * decodeNat("SPsD") // => { snat: true, spat: true, dnat: true, dpat: false, linkLocal: false }
 */
export function decodeNat(letters: string): NatFlags {
  const r: NatFlags = { snat: false, spat: false, dnat: false, dpat: false, linkLocal: false };
  const n = letters.length;
  for (let i = 0; i < n; i++) {
    const c = letters.charCodeAt(i);
    if (c === 80 /* P */ && i + 1 < n) {
      const d = letters.charCodeAt(i + 1);
      if (d === 115 /* s */) r.spat = true;
      else if (d === 100 /* d */) r.dpat = true;
      i++;
    } else if (c === 83 /* S */) r.snat = true;
    else if (c === 68 /* D */) r.dnat = true;
    else if (c === 76 /* L */) r.linkLocal = true;
  }
  return r;
}

/** Flow flags decoded from `Flags:` (`E`, `Ec`, `N`, `M`, `Dm`). */
export interface FlowFlags {
  evicted: boolean;
  evictCandidate: boolean;
  newFlow: boolean;
  modified: boolean;
  deleteMarked: boolean;
}

/**
 * Decodes `Flags:` of `flow -l`: `E` evicted, `Ec` evict candidate, `N` new, `M` modified, `Dm` delete marked.
 *
 * @example
 * decodeFlowFlags("EcM") // => { evicted: false, evictCandidate: true, newFlow: false, modified: true, deleteMarked: false }
 */
export function decodeFlowFlags(s: string): FlowFlags {
  const r: FlowFlags = { evicted: false, evictCandidate: false, newFlow: false, modified: false, deleteMarked: false };
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    if (c === 69 /* E */) {
      if (d === 99 /* c */) {
        r.evictCandidate = true;
        i++;
      } else r.evicted = true;
    } else if (c === 68 /* D */ && d === 109 /* m */) {
      r.deleteMarked = true;
      i++;
    } else if (c === 78 /* N */) r.newFlow = true;
    else if (c === 77 /* M */) r.modified = true;
  }
  return r;
}

/** TCP flags decoded from `TCP:` (`S`, `Sr`, `E`, `Er`, `F`, `Fr`, `R`, `C`, `D`). */
export interface TcpFlags {
  tcpSyn: boolean;
  tcpSynR: boolean;
  tcpEstablished: boolean;
  tcpEstablishedR: boolean;
  tcpFin: boolean;
  tcpFinR: boolean;
  tcpRst: boolean;
  tcpHalfClose: boolean;
  tcpDead: boolean;
}

/**
 * Decodes the `TCP:` letters of `flow -l` (`r` = seen on the reverse flow).
 *
 * @example
 * decodeTcpFlags("SSrEEr").tcpEstablishedR // => true
 */
export function decodeTcpFlags(s: string): TcpFlags {
  const r: TcpFlags = {
    tcpSyn: false,
    tcpSynR: false,
    tcpEstablished: false,
    tcpEstablishedR: false,
    tcpFin: false,
    tcpFinR: false,
    tcpRst: false,
    tcpHalfClose: false,
    tcpDead: false,
  };
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const rev = i + 1 < n && s.charCodeAt(i + 1) === 114; /* r */
    switch (c) {
      case 83 /* S */:
        if (rev) r.tcpSynR = true;
        else r.tcpSyn = true;
        break;
      case 69 /* E */:
        if (rev) r.tcpEstablishedR = true;
        else r.tcpEstablished = true;
        break;
      case 70 /* F */:
        if (rev) r.tcpFinR = true;
        else r.tcpFin = true;
        break;
      case 82 /* R */:
        r.tcpRst = true;
        break;
      case 67 /* C */:
        r.tcpHalfClose = true;
        break;
      case 68 /* D */:
        r.tcpDead = true;
        break;
      default:
        break;
    }
    if (rev && (c === 83 || c === 69 || c === 70)) i++;
  }
  return r;
}

/**
 * A one-word state for decoded TCP flags: `dead`, `reset`, `closed` (FIN both ways), `closing`
 * (FIN one way or half close), `established` (both ways), `establishing`, `syn-both`, `syn`, `none`.
 *
 * @example
 * tcpState(decodeTcpFlags("SSrEEr")) // => "established"
 */
export function tcpState(f: TcpFlags): string {
  if (f.tcpDead) return "dead";
  if (f.tcpRst) return "reset";
  if (f.tcpFin && f.tcpFinR) return "closed";
  if (f.tcpFin || f.tcpFinR || f.tcpHalfClose) return "closing";
  if (f.tcpEstablished && f.tcpEstablishedR) return "established";
  if (f.tcpEstablished || f.tcpEstablishedR) return "establishing";
  if (f.tcpSyn && f.tcpSynR) return "syn-both";
  if (f.tcpSyn || f.tcpSynR) return "syn";
  return "none";
}

function both(fwd: boolean, rev: boolean, what: string): string | null {
  if (fwd && rev) return `${what} both ways`;
  if (fwd) return `${what} forward only`;
  if (rev) return `${what} reverse only`;
  return null;
}

/**
 * The TCP flags in words, e.g. `SYN both ways, established both ways`.
 *
 * @example
 * describeTcpFlags(decodeTcpFlags("SSrEErFFrC")) // => "SYN both ways, established both ways, FIN both ways, half-closed"
 */
export function describeTcpFlags(f: TcpFlags): string {
  const parts: string[] = [];
  const s = both(f.tcpSyn, f.tcpSynR, "SYN");
  if (s) parts.push(s);
  const e = both(f.tcpEstablished, f.tcpEstablishedR, "established");
  if (e) parts.push(e);
  const fin = both(f.tcpFin, f.tcpFinR, "FIN");
  if (fin) parts.push(fin);
  if (f.tcpRst) parts.push("reset");
  if (f.tcpHalfClose) parts.push("half-closed");
  if (f.tcpDead) parts.push("dead");
  return parts.length === 0 ? "no TCP flags" : parts.join(", ");
}

const PROTO_NAMES: Record<number, string> = { 1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6", 132: "SCTP" };
const PROTO_NUMBERS: Record<string, number> = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, ICMP6: 58, SCTP: 132 };

/**
 * The protocol name `flow --get` prints for an IP protocol number (the number as text when unnamed).
 *
 * @example
 * protoName(6) // => "TCP"
 */
export function protoName(n: number): string {
  return PROTO_NAMES[n] ?? String(n);
}

/**
 * The IP protocol number for a name of `flow --get` (`TCP`, `UDP`, `ICMP`, `ICMPv6`, `SCTP`, or digits), `null` if unknown.
 *
 * @example
 * protoNumber("ICMP") // => 1
 */
export function protoNumber(name: string): number | null {
  const t = name.trim();
  const n = PROTO_NUMBERS[t.toUpperCase()];
  if (n !== undefined) return n;
  return /^\d{1,3}$/.test(t) ? Number(t) : null;
}

/**
 * Converts the `Flow Action:` words of `flow --get` to the `flow -l` action string.
 * `FORWARD` → `F`, `HOLD` → `H`, `DROP: SG` → `D(SG)`, `NAT: SourceNAT, DestinationNAT,` → `N(SD)`.
 *
 * @example
 * actionFromWords("NAT: SourceNAT, DestinationPortNAT, DestinationNAT, ") // => "N(SDPd)"
 */
export function actionFromWords(words: string): string | null {
  const t = words.trim();
  const up = t.toUpperCase();
  if (up === "FORWARD") return "F";
  if (up === "HOLD") return "H";
  if (up === "UNKNOWN") return "U";
  if (up.startsWith("DROP")) {
    const reason = t.slice(4).replace(/^:/, "").trim();
    return reason === "" ? "D" : `D(${reason})`;
  }
  if (up.startsWith("NAT")) {
    const parts = t
      .slice(3)
      .replace(/^:/, "")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "");
    const has = (w: string): boolean => parts.includes(w);
    let letters = "";
    if (has("SourceNAT")) letters += "S";
    if (has("SourcePortNAT")) letters += "Ps";
    if (has("DestinationNAT")) letters += "D";
    if (has("DestinationPortNAT")) letters += "Pd";
    if (has("LinkLocalNAT")) letters += "L";
    return `N(${letters})`;
  }
  return null;
}

/**
 * Converts `TCP FLAGS:` words of `flow --get` (`SYN, SYN(REVERSE), ESTABLISHED, …`) to `flow -l` letters.
 *
 * @example
 * tcpLettersFromWords("SYN, SYN(REVERSE), ESTABLISHED, ESTABLISHED(REVERSE),") // => "SSrEEr"
 */
export function tcpLettersFromWords(words: string): string {
  const map: Record<string, string> = {
    SYN: "S",
    "SYN(REVERSE)": "Sr",
    ESTABLISHED: "E",
    "ESTABLISHED(REVERSE)": "Er",
    FIN: "F",
    "FIN(REVERSE)": "Fr",
    RESET: "R",
    RST: "R",
    HALFCLOSED: "C",
    HALFCLOSE: "C",
    DEAD: "D",
  };
  const order = ["S", "Sr", "E", "Er", "F", "Fr", "R", "C", "D"];
  const seen = new Set<string>();
  for (const w of words.split(",")) {
    const l = map[w.trim().toUpperCase()];
    if (l !== undefined) seen.add(l);
  }
  return order.filter((l) => seen.has(l)).join("");
}

/**
 * Converts `Flow Flags:` words of `flow --get` (`EVICTED`, `EVICT CANDIDATE`, `NEW`, `MODIFIED`) to letters.
 *
 * @example
 * flowFlagLettersFromWords("NEW MODIFIED") // => "NM"
 */
export function flowFlagLettersFromWords(words: string): string {
  const w = ` ${words.toUpperCase().replace(/[|,]/g, " ").replace(/\s+/g, " ")} `;
  let out = "";
  const evictCandidate = w.includes(" EVICT CANDIDATE ");
  if (w.replace(" EVICT CANDIDATE ", " ").includes(" EVICTED ")) out += "E";
  if (evictCandidate) out += "Ec";
  if (w.includes(" NEW ")) out += "N";
  if (w.includes(" MODIFIED ")) out += "M";
  if (w.includes(" DELETE MARKED ")) out += "Dm";
  return out;
}
