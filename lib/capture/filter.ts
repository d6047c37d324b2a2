/**
 * A small display-filter language over the frame table, Wireshark-flavoured.
 *
 * ```
 * expr       := or
 * or         := and (("||" | "or") and)*
 * and        := not (("&&" | "and") not)*
 * not        := ("!" | "not") not | "(" expr ")" | test
 * test       := field [op value]          a bare field tests presence
 * op         := "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains"
 * value      := number | 0xHEX | IPv4[/len] | IPv6 | word | "string"
 * ```
 *
 * Fields (multi-valued fields match when any value matches; `!=` is "no value equals"):
 *
 * | field | meaning |
 * |---|---|
 * | `frame.number`, `frame.len`, `frame.caplen`, `frame.time` | frame number, lengths, epoch seconds |
 * | `ip.addr`, `ip.src`, `ip.dst` | any IP header, outer or inner (IPv4 CIDR allowed: `10.47.0.0/16`) |
 * | `outer.addr`, `outer.src`, `outer.dst` | underlay (tunnel) addresses |
 * | `inner.addr`, `inner.src`, `inner.dst` | innermost addresses |
 * | `tunnel` | `mplsogre`, `mplsoudp`, `vxlan`, `gre`, `mpls`, `ipip`, `none` |
 * | `mpls.label` (any in the stack), `mpls.bottom` | labels |
 * | `vxlan.vni`, `vlan.id` | VNI, first VLAN id |
 * | `port`, `tcp.port`, `tcp.srcport`, `tcp.dstport`, `udp.port`, `udp.srcport`, `udp.dstport` | innermost ports |
 * | `outer.udp.port`, `outer.udp.srcport`, `outer.udp.dstport` | the tunnel's UDP ports (MPLSoUDP, VXLAN; the source port is the flow's entropy, `flow -l`'s `SPort`) |
 * | `outer.ttl`, `outer.dscp` | outer IP header's TTL / hop limit and DSCP |
 * | `gre.flags`, `gre.key` | first GRE header's flags-and-version word, its key (K bit set) |
 * | `ip.proto` | innermost transport protocol number |
 * | `tcp.flags` (number), `tcp.flags.syn` / `.ack` / `.fin` / `.rst` / `.psh`, `tcp.seq`, `tcp.ack`, `tcp.len` | TCP |
 * | `http.method`, `http.path`, `http.host`, `http.status`, `http.request`, `http.response` | HTTP |
 * | `eth` `vlan` `sll` `sll2` `ip` `ipv6` `gre` `mpls` `udp` `vxlan` `tcp` `icmp` `icmpv6` `http` `null` `ppp` `chdlc` `juniper` | layer present |
 * | `truncated`, `malformed` | decode problems |
 *
 * @example
 * const keep = compileFilter("mpls.label==38 && tcp.port==80");
 * const rows = table.indices(keep);
 * @module
 */
import { FLAG_MALFORMED, FLAG_TRUNCATED, HTTP_METHODS, LAYER_NAMES, TUNNEL_NAMES } from "./layer-ids";
import { ipv6Bytes } from "./build";
import { FilterSyntaxError } from "./errors";
import { formatIpv6, parseIpv4 } from "./format";
import type { FrameTable } from "./table/frame-table";

/** A compiled filter: true when row `i` of `t` matches. */
export type FramePredicate = (t: FrameTable, i: number) => boolean;

type Value = number | string;
/** Returns the field's values for a row (empty when absent). */
type Getter = (t: FrameTable, i: number) => Value[];

const none: Value[] = [];

function addr(t: FrameTable, code: number): string | undefined {
  return code === 0 ? undefined : t.dicts.addresses[code];
}

function addrs(t: FrameTable, i: number, cols: ("outerSrc" | "outerDst" | "src" | "dst")[]): Value[] {
  const out: Value[] = [];
  for (const c of cols) {
    const a = addr(t, t.columns[c][i]!);
    if (a !== undefined && isIpText(a)) out.push(a);
  }
  return out;
}

function isIpText(a: string): boolean {
  // MAC addresses (xx:xx:xx:xx:xx:xx) are not IP addresses
  return !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(a);
}

const num = (f: (t: FrameTable, i: number) => number, absent = -1): Getter => (t, i) => {
  const v = f(t, i);
  return v === absent ? none : [v];
};

const portOf = (proto: number | 0, which: "src" | "dst" | "any"): Getter => (t, i) => {
  const c = t.columns;
  const p = c.ipProto[i]!;
  if (proto !== 0 ? p !== proto : p !== 6 && p !== 17) return none;
  if (which === "src") return [c.srcPort[i]!];
  if (which === "dst") return [c.dstPort[i]!];
  return [c.srcPort[i]!, c.dstPort[i]!];
};

const tcpFlag = (bit: number): Getter => (t, i) =>
  t.columns.ipProto[i] === 6 ? [(t.columns.tcpFlags[i]! & bit) !== 0 ? 1 : 0] : none;

const FIELDS: Record<string, Getter> = {
  "frame.number": num((t, i) => t.columns.no[i]!),
  "frame.len": num((t, i) => t.columns.len[i]!),
  "frame.caplen": num((t, i) => t.columns.caplen[i]!),
  "frame.time": num((t, i) => t.columns.sec[i]! + t.columns.nsec[i]! / 1e9),
  "ip.addr": (t, i) => addrs(t, i, ["outerSrc", "outerDst", "src", "dst"]),
  "ip.src": (t, i) => addrs(t, i, ["outerSrc", "src"]),
  "ip.dst": (t, i) => addrs(t, i, ["outerDst", "dst"]),
  "outer.addr": (t, i) => addrs(t, i, ["outerSrc", "outerDst"]),
  "outer.src": (t, i) => addrs(t, i, ["outerSrc"]),
  "outer.dst": (t, i) => addrs(t, i, ["outerDst"]),
  "inner.addr": (t, i) => addrs(t, i, ["src", "dst"]),
  "inner.src": (t, i) => addrs(t, i, ["src"]),
  "inner.dst": (t, i) => addrs(t, i, ["dst"]),
  tunnel: (t, i) => [TUNNEL_NAMES[t.columns.tunnel[i]!] || "none"],
  "mpls.label": (t, i) => t.labels(i),
  "mpls.bottom": num((t, i) => t.bottomLabel(i)),
  "vxlan.vni": num((t, i) => t.columns.vni[i]!),
  "vlan.id": num((t, i) => t.columns.vlan[i]!),
  port: portOf(0, "any"),
  "tcp.port": portOf(6, "any"),
  "tcp.srcport": portOf(6, "src"),
  "tcp.dstport": portOf(6, "dst"),
  "udp.port": portOf(17, "any"),
  "udp.srcport": portOf(17, "src"),
  "udp.dstport": portOf(17, "dst"),
  "outer.udp.port": (t, i) => (t.columns.tunnelDstPort[i] ? [t.columns.tunnelSrcPort[i]!, t.columns.tunnelDstPort[i]!] : none),
  "outer.udp.srcport": (t, i) => (t.columns.tunnelDstPort[i] ? [t.columns.tunnelSrcPort[i]!] : none),
  "outer.udp.dstport": (t, i) => (t.columns.tunnelDstPort[i] ? [t.columns.tunnelDstPort[i]!] : none),
  "outer.ttl": (t, i) => (t.columns.outerSrc[i] ? [t.columns.outerTtl[i]!] : none),
  "outer.dscp": (t, i) => (t.columns.outerSrc[i] ? [t.columns.outerDscp[i]!] : none),
  "gre.flags": (t, i) => (t.hasGre(i) ? [t.columns.greFlags[i]!] : none),
  "gre.key": (t, i) => (t.hasGre(i) && (t.columns.greFlags[i]! & 0x2000) !== 0 ? [t.columns.greKey[i]!] : none),
  "ip.proto": num((t, i) => t.columns.ipProto[i]!, 0),
  "tcp.flags": (t, i) => (t.columns.ipProto[i] === 6 ? [t.columns.tcpFlags[i]!] : none),
  "tcp.flags.fin": tcpFlag(0x01),
  "tcp.flags.syn": tcpFlag(0x02),
  "tcp.flags.rst": tcpFlag(0x04),
  "tcp.flags.psh": tcpFlag(0x08),
  "tcp.flags.ack": tcpFlag(0x10),
  "tcp.seq": (t, i) => (t.columns.ipProto[i] === 6 ? [t.columns.seq[i]!] : none),
  "tcp.ack": (t, i) => (t.columns.ipProto[i] === 6 ? [t.columns.ack[i]!] : none),
  "tcp.len": (t, i) => (t.columns.ipProto[i] === 6 ? [t.columns.payloadLen[i]!] : none),
  "http.method": (t, i) => (t.columns.httpMethod[i] ? [HTTP_METHODS[t.columns.httpMethod[i]!]!] : none),
  "http.path": (t, i) => (t.columns.httpPath[i] ? [t.dicts.strings[t.columns.httpPath[i]!]!] : none),
  "http.host": (t, i) => (t.columns.httpHost[i] ? [t.dicts.strings[t.columns.httpHost[i]!]!] : none),
  "http.status": num((t, i) => t.columns.httpStatus[i]!, 0),
  "http.response.code": num((t, i) => t.columns.httpStatus[i]!, 0),
  "http.request": (t, i) => (t.columns.httpMethod[i] ? [1] : none),
  "http.response": (t, i) => (t.columns.httpStatus[i] ? [1] : none),
  truncated: (t, i) => ((t.columns.flags[i]! & FLAG_TRUNCATED) !== 0 ? [1] : none),
  malformed: (t, i) => ((t.columns.flags[i]! & FLAG_MALFORMED) !== 0 ? [1] : none),
};

const LAYER_FIELD_NAMES = new Set(LAYER_NAMES.filter(Boolean));
const ADDRESS_FIELDS = new Set(["ip.addr", "ip.src", "ip.dst", "outer.addr", "outer.src", "outer.dst", "inner.addr", "inner.src", "inner.dst"]);
const STRING_FIELDS = new Set(["tunnel", "http.method", "http.path", "http.host"]);

/** Names of every filter field (for help texts). @example filterFields().includes("mpls.label") // true */
export function filterFields(): string[] {
  return [...Object.keys(FIELDS), ...LAYER_FIELD_NAMES].sort();
}

function layerGetter(name: string): Getter {
  // a layer is present when its name is in the row's protocol stack
  const cache = new Map<number, boolean>();
  return (t, i) => {
    const code = t.columns.protocols[i]!;
    let has = cache.get(code);
    if (has === undefined) {
      has = t.dicts.protocols[code]!.split(":").includes(name);
      cache.set(code, has);
    }
    return has ? [1] : none;
  };
}

type Op = "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains";

class Parser {
  pos = 0;
  constructor(readonly src: string) {}

  fail(message: string, at = this.pos): never {
    throw new FilterSyntaxError(message, this.src, at);
  }

  skip(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  eat(token: string): boolean {
    this.skip();
    if (this.src.startsWith(token, this.pos)) {
      const after = this.src[this.pos + token.length];
      // word operators need a boundary
      if (/^[a-z]/.test(token) && after !== undefined && /[\w.]/.test(after)) return false;
      this.pos += token.length;
      return true;
    }
    return false;
  }

  parse(): FramePredicate {
    this.skip();
    if (this.pos >= this.src.length) this.fail("empty filter");
    const e = this.or();
    this.skip();
    if (this.pos < this.src.length) this.fail(`unexpected '${this.src[this.pos]}'`);
    return e;
  }

  or(): FramePredicate {
    let left = this.and();
    while (this.eat("||") || this.eat("or")) {
      const a = left, b = this.and();
      left = (t, i) => a(t, i) || b(t, i);
    }
    return left;
  }

  and(): FramePredicate {
    let left = this.not();
    while (this.eat("&&") || this.eat("and")) {
      const a = left, b = this.not();
      left = (t, i) => a(t, i) && b(t, i);
    }
    return left;
  }

  not(): FramePredicate {
    this.skip();
    if (this.src[this.pos] === "!" && this.src[this.pos + 1] !== "=") {
      this.pos++;
      const e = this.not();
      return (t, i) => !e(t, i);
    }
    if (this.eat("not")) {
      const e = this.not();
      return (t, i) => !e(t, i);
    }
    if (this.eat("(")) {
      const e = this.or();
      if (!this.eat(")")) this.fail("expected ')'");
      return e;
    }
    return this.test();
  }

  test(): FramePredicate {
    this.skip();
    const start = this.pos;
    const m = /^[A-Za-z_][\w.]*/.exec(this.src.slice(this.pos));
    if (!m) {
      if (this.pos >= this.src.length) this.fail("expected a field name at the end");
      this.fail(`expected a field name, found '${this.src[this.pos]}'`);
    }
    const name = m[0].toLowerCase();
    this.pos += m[0].length;
    const get = FIELDS[name] ?? (LAYER_FIELD_NAMES.has(name) ? layerGetter(name) : undefined);
    if (get === undefined) this.fail(`unknown field '${m[0]}'`, start);
    const op = this.op();
    if (op === undefined) {
      // flags are 0/1 values: present means set; other fields: present means any value
      if (name.startsWith("tcp.flags.")) return (t, i) => get(t, i)[0] === 1;
      return (t, i) => get(t, i).length > 0;
    }
    const vstart = (this.skip(), this.pos);
    const value = this.value(name, op);
    return this.compare(get, op, value, vstart);
  }

  op(): Op | undefined {
    for (const o of ["==", "!=", "<=", ">=", "<", ">", "contains", "eq", "ne", "lt", "le", "gt", "ge"] as const) {
      if (this.eat(o)) {
        const alias: Record<string, Op> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };
        return alias[o] ?? (o as Op);
      }
    }
    this.skip();
    if (this.src[this.pos] === "=") this.fail("use '==' to compare");
    return undefined;
  }

  value(field: string, op: Op): Value | { cidr: number; mask: number } {
    this.skip();
    const at = this.pos;
    if (this.pos >= this.src.length) this.fail(`expected a value after '${op}'`);
    if (this.src[this.pos] === '"') {
      const end = this.src.indexOf('"', this.pos + 1);
      if (end < 0) this.fail("unterminated string");
      this.pos = end + 1;
      return this.src.slice(at + 1, end);
    }
    const m = /^[^\s()&|!"]+/.exec(this.src.slice(this.pos));
    if (!m) this.fail(`expected a value after '${op}'`);
    const text = m[0];
    this.pos += text.length;
    if (ADDRESS_FIELDS.has(field)) {
      const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(text);
      if (cidr) {
        const a = parseIpv4(cidr[1]!);
        const len = Number(cidr[2]);
        if (a < 0 || len > 32) this.fail(`bad IPv4 prefix '${text}'`, at);
        const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
        return { cidr: (a & mask) >>> 0, mask };
      }
      if (parseIpv4(text) >= 0) return text;
      if (text.includes(":")) {
        try { return formatIpv6(ipv6Bytes(text), 0); } catch { this.fail(`bad IPv6 address '${text}'`, at); }
      }
      this.fail(`bad address '${text}'`, at);
    }
    if (field === "tunnel") {
      const v = text.toLowerCase();
      if (v !== "none" && !TUNNEL_NAMES.includes(v)) this.fail(`unknown tunnel '${text}' (${TUNNEL_NAMES.filter(Boolean).join(", ")}, none)`, at);
      return v;
    }
    if (field === "http.method") return text.toUpperCase();
    if (STRING_FIELDS.has(field)) return text;
    const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(n)) this.fail(`'${field}' needs a number, found '${text}'`, at);
    if (op === "contains") this.fail(`'contains' needs a text field`, at);
    return n;
  }

  compare(get: Getter, op: Op, value: Value | { cidr: number; mask: number }, at: number): FramePredicate {
    if (typeof value === "object") {
      if (op !== "==" && op !== "!=") this.fail(`a prefix only works with '==' or '!='`, at);
      const { cidr, mask } = value;
      const inPrefix = (v: Value) => {
        const a = typeof v === "string" ? parseIpv4(v) : -1;
        return a >= 0 && ((a & mask) >>> 0) === cidr;
      };
      return op === "==" ? (t, i) => get(t, i).some(inPrefix) : (t, i) => !get(t, i).some(inPrefix);
    }
    if ((op === "<" || op === "<=" || op === ">" || op === ">=") && typeof value !== "number") {
      this.fail(`'${op}' needs a number`, at);
    }
    switch (op) {
      case "==": return (t, i) => get(t, i).includes(value);
      case "!=": return (t, i) => !get(t, i).includes(value);
      case "<": return (t, i) => get(t, i).some((v) => (v as number) < (value as number));
      case "<=": return (t, i) => get(t, i).some((v) => (v as number) <= (value as number));
      case ">": return (t, i) => get(t, i).some((v) => (v as number) > (value as number));
      case ">=": return (t, i) => get(t, i).some((v) => (v as number) >= (value as number));
      case "contains": return (t, i) => get(t, i).some((v) => String(v).includes(String(value)));
    }
  }
}

/**
 * Compiles a filter expression; throws {@link FilterSyntaxError} naming the position on bad input.
 * @example
 * const keep = compileFilter('tunnel==mplsoudp && http.method=="GET"');
 * table.select(table.indices(keep));
 */
export function compileFilter(expression: string): FramePredicate {
  return new Parser(expression).parse();
}

/**
 * The rows of `table` matching `expression`, as a new table.
 * @example filterFrames(table, "ip.addr==10.47.255.238").length
 */
export function filterFrames(table: FrameTable, expression: string): FrameTable {
  return table.select(table.indices(compileFilter(expression)));
}
