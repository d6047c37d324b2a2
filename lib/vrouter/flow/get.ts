/**
 * `flow --get N` blocks: `Field name:` padded to column 30, continuation lines indented 30 spaces.
 * Fed line by line by the flow scanner; produces one {@link FlowEntry} with `source: "get"`.
 */
import type { FlowEntry, ParseError, ParseWarning } from "../types";
import { actionFromWords, flowFlagLettersFromWords, protoNumber, tcpLettersFromWords } from "./letters";
import { freshAttrs, makeFlowRow, type Attrs } from "./row";
import { toInt } from "../text";

const KNOWN_FIELDS = new Set([
  "Flow Index",
  "Flow Generation ID",
  "Reverse Flow Index",
  "VRF",
  "Destination VRF",
  "Flow Source",
  "Flow Destination",
  "Flow Protocol",
  "Flow Underlay ECMP Index",
  "Flow Action",
  "Expected Source",
  "Source Information",
  "Destination Information",
  "Flow Flags",
  "TCP FLAGS",
  "UDP Source Port",
  "Mirror Index",
  "Primary Mirror",
  "Secondary Mirror",
  "Flow Statistics",
  "System Wide Packet Drops",
]);

/** Splits `[addr]:port` (or `addr:port`) into its parts. */
function splitEndpoint(s: string): { ip: string; port: number | null } | null {
  const t = s.trim();
  if (t.startsWith("[")) {
    const close = t.indexOf("]");
    if (close < 0) return null;
    const port = t.charCodeAt(close + 1) === 58 ? toInt(t.slice(close + 2).trim()) : null;
    return { ip: t.slice(1, close), port };
  }
  const c = t.lastIndexOf(":");
  if (c <= 0) return null;
  return { ip: t.slice(0, c), port: toInt(t.slice(c + 1).trim()) };
}

/**
 * Builds one flow row out of a `flow --get` block, fed line by line.
 *
 * @example
 * const b = new FlowGetBuilder();
 * b.feed("Flow Index:                   7", 0);
 * b.feed("Flow Source:                  [1.1.1.1]:5", 1);
 * b.build(0, errors, warnings)?.index // => 7 (with errors for the missing fields)
 */
export class FlowGetBuilder {
  private startLine = 0;
  private field = "";
  private section = "";
  /** Inside a section, the route the next `NextHop(…)` line belongs to: 3 (Layer 3), 2 (Layer 2), 0 (none said). */
  private layer = 0;
  /** A Layer 3 (or unlabelled) route's next hop was read in the source / destination section. */
  private srcL3 = false;
  private dstL3 = false;
  private readonly a: Attrs = freshAttrs();
  private readonly v = new Map<string, string>();
  private readonly detail: Partial<FlowEntry> = {};
  private readonly problems: { line: number; column: number; message: string; text: string; error: boolean }[] = [];

  /**
   * Consumes one line of a `--get` block (0-based line index `li`). Returns false when the line does not
   * belong to the block (the caller then ends the block and handles the line itself).
   */
  feed(line: string, li: number): boolean {
    if (this.startLine === 0) this.startLine = li + 1;
    const c0 = line.charCodeAt(0);
    if (c0 !== 32 && c0 !== 9) {
      const colon = line.indexOf(":");
      if (colon <= 0) return false;
      const name = line.slice(0, colon);
      const rest = line.slice(colon + 1);
      const value = rest.trim();
      const known = KNOWN_FIELDS.has(name);
      // Unknown names are accepted only in the fixed 30-column layout.
      if (!known) {
        const vs = colon + 1 + (rest.length - rest.trimStart().length);
        if (!(vs === 30 || (value === "" && colon < 30)) || this.v.size === 0) return false;
        this.problems.push({ line: li + 1, column: 1, message: `unknown flow --get field \`${name}\` kept in \`extra\``, text: line.trim(), error: false });
        this.addExtra(`${name}: ${value}`);
        this.field = name;
        return true;
      }
      this.field = name;
      this.v.set(name, value);
      if (name === "Expected Source" || name === "Source Information" || name === "Destination Information") {
        this.section = name;
        this.layer = 0;
        this.sub(value, li, line);
      }
      return true;
    }
    const t = line.trim();
    if (t === "") return true;
    if (this.field === "") return false;
    this.sub(t, li, line);
    return true;
  }

  private addExtra(s: string): void {
    this.a.extra = this.a.extra === null ? s : `${this.a.extra}; ${s}`;
  }

  /** A continuation (or the value part of a section header line). */
  private sub(t: string, li: number, line: string): void {
    const d = this.detail;
    const colon = t.indexOf(": ");
    const key = colon >= 0 ? t.slice(0, colon) : t;
    const val = colon >= 0 ? t.slice(colon + 2).trim() : "";
    const parts = val.split(",").map((s) => s.trim());
    const sec = this.section;
    if (this.field === "Flow Action" && key === "NAT(Source, Destination)") {
      const m = /^(\S+),\s*(\S+)$/.exec(val);
      d.natSrc = m ? m[1] : val;
      d.natDst = m ? m[2] : null;
      return;
    }
    if (this.field === "System Wide Packet Drops") {
      if (key === "Reverse Path Failures") d.reversePathFailures = toInt(val);
      else if (key === "Flow Block Drops") d.flowBlockDrops = toInt(val);
      else this.unknownSub(t, li, line);
      return;
    }
    switch (key) {
      case "Layer 3 Route Information":
        this.layer = 3;
        return;
      case "Layer 2 Route Information":
        this.layer = 2;
        return;
      case "VRF":
      case "ECMP":
        return;
      case "NextHop(Index, VRF, Type)":
        if (sec === "Expected Source") {
          d.expectedSrcNh = toInt(parts[0]);
          d.expectedSrcNhType = parts[2] ?? null;
        } else if (this.layer === 2 && (sec === "Source Information" || sec === "Destination Information")) {
          // Both routes printed (a bridged flow): the flow's next hop is the Layer 3 route's; the Layer 2
          // route's is kept in `extra`, and stands in only when no Layer 3 route was printed.
          const l3Seen = sec === "Source Information" ? this.srcL3 : this.dstL3;
          this.addExtra(`${sec === "Source Information" ? "Source" : "Destination"} Layer 2 NextHop: ${val}`);
          if (!l3Seen) {
            if (sec === "Source Information") d.srcNh = toInt(parts[0]);
            else {
              d.dstNh = toInt(parts[0]);
              d.dstNhType = parts[2] ?? null;
            }
          }
        } else if (sec === "Source Information") {
          d.srcNh = toInt(parts[0]);
          this.srcL3 = true;
        } else if (sec === "Destination Information") {
          d.dstNh = toInt(parts[0]);
          d.dstNhType = parts[2] ?? null;
          this.dstL3 = true;
        }
        return;
      case "Ingress Interface(Index, VRF, OS)":
        if (d.ingressVif === undefined || d.ingressVif === null) {
          d.ingressVif = parts[0] ?? null;
          d.ingressOs = parts[2] ?? null;
        }
        return;
      case "Egress Interface(Index, VRF, OS)":
        d.egressVif = parts[0] ?? null;
        d.egressOs = parts[2] ?? null;
        return;
      case "Interface Statistics(Out, In, Errors)":
        return;
      case "Matching Route":
        if (sec === "Destination Information") d.dstMatchingRoute = val;
        else d.srcMatchingRoute = val;
        return;
      case "DestinationMAC":
        d.dstMac = val;
        return;
      case "SourceMAC":
        this.addExtra(`SourceMAC: ${val}`);
        return;
      case "Tunnel Source":
        this.addExtra(`Tunnel Source: ${val}`);
        return;
      default:
        // ECMP member lists ("1, 2[*], ") and anything else.
        if (/^[\d\s,[\]*-]+$/.test(t)) {
          this.addExtra(`ECMP: ${t}`);
          return;
        }
        this.unknownSub(t, li, line);
    }
  }

  private unknownSub(t: string, li: number, line: string): void {
    const col = line.length - line.trimStart().length + 1;
    this.problems.push({ line: li + 1, column: col, message: "unknown flow --get line kept in `extra`", text: t, error: false });
    this.addExtra(t);
  }

  /** Finishes the block; pushes its problems and returns the row (null when it has no usable index). */
  build(dump: number, errors: ParseError[], warnings: ParseWarning[]): FlowEntry | null {
    for (const p of this.problems) {
      if (p.error) errors.push({ line: p.line, column: p.column, message: p.message, text: p.text });
      else warnings.push({ line: p.line, column: p.column, message: p.message, text: p.text });
    }
    const v = this.v;
    const a = this.a;
    const index = toInt(v.get("Flow Index"));
    if (index === null) {
      errors.push({ line: this.startLine, column: 31, message: "flow --get block without a valid `Flow Index:`", text: v.get("Flow Index") ?? "" });
      return null;
    }
    const miss = (what: string): void => {
      errors.push({ line: this.startLine, column: 1, message: `flow --get ${index}: missing or invalid \`${what}:\``, text: v.get(what) ?? "" });
    };
    const src = splitEndpoint(v.get("Flow Source") ?? "");
    const dst = splitEndpoint(v.get("Flow Destination") ?? "");
    if (src === null) miss("Flow Source");
    if (dst === null) miss("Flow Destination");
    const protoText = v.get("Flow Protocol");
    let proto = protoText === undefined ? null : protoNumber(protoText);
    if (proto === null) {
      if (protoText !== undefined && protoText !== "") {
        warnings.push({ line: this.startLine, column: 1, message: `flow --get ${index}: unknown protocol \`${protoText}\`, proto set to 0`, text: protoText });
      } else miss("Flow Protocol");
      proto = 0;
    }
    const vrf = toInt(v.get("VRF"));
    if (vrf === null) miss("VRF");
    const dvrf = toInt(v.get("Destination VRF"));
    const rf = toInt(v.get("Reverse Flow Index"));
    a.gen = toInt(v.get("Flow Generation ID"));
    const actionWords = v.get("Flow Action");
    if (actionWords !== undefined) {
      const act = actionFromWords(actionWords);
      if (act === null) {
        warnings.push({ line: this.startLine, column: 1, message: `flow --get ${index}: unknown action kept raw`, text: actionWords });
        a.action = actionWords;
      } else a.action = act;
    }
    const ff = v.get("Flow Flags");
    if (ff !== undefined) a.flowFlags = flowFlagLettersFromWords(ff);
    if (ff !== undefined && /\bMIRROR\b/.test(ff)) a.extra = a.extra === null ? "MIRROR" : `${a.extra}; MIRROR`;
    const tcp = v.get("TCP FLAGS");
    if (tcp !== undefined) a.tcpFlags = tcpLettersFromWords(tcp);
    else if (proto === 6) a.tcpFlags = "";
    a.udpSrcPort = toInt(v.get("UDP Source Port"));
    a.underlayEcmpIndex = toInt(v.get("Flow Underlay ECMP Index"));
    a.mirrorIndex = toInt(v.get("Mirror Index") ?? v.get("Primary Mirror"));
    a.secondaryMirrorIndex = toInt(v.get("Secondary Mirror"));
    a.rpfNh = this.detail.expectedSrcNh ?? null;
    const stats = /^(\d+)\/(\d+)$/.exec(v.get("Flow Statistics") ?? "");
    if (stats) {
      a.packets = Number(stats[1]);
      a.bytes = Number(stats[2]);
    }
    const row = makeFlowRow(
      {
        source: "get",
        line: this.startLine,
        dump,
        index,
        rindex: rf === null || rf < 0 ? null : rf,
        srcIp: src?.ip ?? "",
        srcPort: src?.port ?? 0,
        dstIp: dst?.ip ?? "",
        dstPort: dst?.port ?? 0,
        proto,
        vrf: vrf ?? 0,
        dvrf: dvrf ?? vrf ?? 0,
        vrfTranslated: dvrf !== null && vrf !== null && dvrf !== vrf,
      },
      a,
      null,
    );
    const d = this.detail;
    row.expectedSrcNh = d.expectedSrcNh ?? null;
    row.expectedSrcNhType = d.expectedSrcNhType ?? null;
    row.ingressVif = d.ingressVif ?? null;
    row.ingressOs = d.ingressOs ?? null;
    row.srcMatchingRoute = d.srcMatchingRoute ?? null;
    row.srcNh = d.srcNh ?? null;
    row.dstMatchingRoute = d.dstMatchingRoute ?? null;
    row.dstNh = d.dstNh ?? null;
    row.dstNhType = d.dstNhType ?? null;
    row.egressVif = d.egressVif ?? null;
    row.egressOs = d.egressOs ?? null;
    row.dstMac = d.dstMac ?? null;
    row.natSrc = d.natSrc ?? null;
    row.natDst = d.natDst ?? null;
    row.systemDrops = toInt(v.get("System Wide Packet Drops"));
    row.reversePathFailures = d.reversePathFailures ?? null;
    row.flowBlockDrops = d.flowBlockDrops ?? null;
    return row;
  }
}
