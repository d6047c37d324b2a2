/**
 * `rt --dump VRF [--family inet|inet6|bridge]` and `rt --get PREFIX --vrf N` → {@link RtRow} rows.
 * inet/inet6 rows are read by the printf column layout (so an empty Flags column or a truncated row is
 * unambiguous), with a token-by-content fallback for reflowed text; bridge rows by content.
 */
import type { ParseError, ParseWarning, RtRow, VrouterParseResult } from "./types";
import { type SourceLine, errorAt, isBlank, isRule, toInt, warningAt } from "./text";
import { cleanLines } from "./hygiene";
import { RANGES, readChecked } from "./values";

export type { RtRow } from "./types";

interface Tok {
  s: number;
  e: number;
  v: string;
}

function tokens(t: string): Tok[] {
  const out: Tok[] = [];
  const n = t.length;
  let i = 0;
  while (i < n) {
    while (i < n && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    const s = i;
    while (i < n && t.charCodeAt(i) !== 32 && t.charCodeAt(i) !== 9) i++;
    out.push({ s, e: i, v: t.slice(s, i) });
  }
  return out;
}

const INET_FLAG_RE = /^(?:L|P|T|F|Ml)+$/;
const BRIDGE_FLAG_RE = /^(?:L2c|Df|Mm|Ec|Ml|L|N)+$/;
const MAC_IDX_RE = /^([0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5})\((\d+)\)$/;
const MAC_RE = /^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}$/;

/** Table context from the title / `Match` line / the command. */
interface Ctx {
  family: "inet" | "inet6" | "bridge" | null;
  vrf: number | null;
  match: string | null;
}

function ctxFromCommand(cmd: string): Ctx {
  // Options typed with an en or em dash in pasted docs (`rt –dump 0`) read like `--`.
  const fam = /(?:--|[\u2013\u2014])family\s+(inet6|inet|bridge)\b/.exec(cmd);
  const dump = /(?:--|[\u2013\u2014])dump\s+(\d+)/.exec(cmd);
  const vrfOpt = /(?:--|[\u2013\u2014])vrf\s+(\d+)/.exec(cmd);
  const get = /(?:--|[\u2013\u2014])get\s+(\S+)/.exec(cmd);
  return {
    family: fam ? (fam[1] as Ctx["family"]) : null,
    vrf: dump ? Number(dump[1]) : vrfOpt ? Number(vrfOpt[1]) : null,
    match: get ? get[1] : null,
  };
}

function emptyRow(line: number, family: RtRow["family"], ctx: Ctx): RtRow {
  return {
    line,
    family,
    vrf: ctx.vrf,
    match: ctx.match,
    prefix: null,
    address: null,
    prefixLen: null,
    ppl: null,
    flags: "",
    labelValid: false,
    proxyArp: false,
    trapArp: false,
    floodArp: false,
    macIpLearnt: false,
    dhcpFlood: false,
    label: null,
    nh: null,
    stitchedMac: null,
    stitchedIndex: null,
    index: null,
    mac: null,
    packets: null,
    extra: null,
  };
}

function setFlags(row: RtRow, flags: string): void {
  row.flags = flags;
  const toks: string[] = flags.match(/L2c|Df|Mm|Ec|Ml|L|P|T|F|N/g) ?? [];
  row.labelValid = toks.includes("L");
  row.proxyArp = toks.includes("P");
  row.trapArp = toks.includes("T");
  row.floodArp = toks.includes("F");
  row.macIpLearnt = toks.includes("Ml");
  row.dhcpFlood = toks.includes("Df");
}

/**
 * Parses `rt --dump` / `rt --get` output (inet, inet6, bridge; R2.x through TF master).
 *
 * @example
 * const r = parseRt(
 *   "vRouter inet4 routing table 0/2/unicast\n" +
 *   "Destination           PPL        Flags        Label         Nexthop    Stitched MAC(Index)\n" +
 *   "10.99.225.17/32        32           LP         38             21        -\n");
 * r.rows[0].label // => 38
 * r.rows[0].nh // => 21
 */
export function parseRt(text: string): VrouterParseResult<RtRow> {
  const { lines, commands, warnings } = cleanLines(typeof text === "string" ? text : String(text), "rt", { strayColons: true });
  const errors: ParseError[] = [];
  const rows: RtRow[] = [];
  let ctx: Ctx = { family: null, vrf: null, match: null };
  let lastCmd: unknown = undefined;
  for (const sl of lines) {
    if (sl.command !== lastCmd) {
      lastCmd = sl.command;
      ctx = sl.command ? ctxFromCommand(sl.command.command) : { family: null, vrf: null, match: null };
    }
    if (sl.boundary) continue;
    const t = sl.text;
    if (isBlank(t) || isRule(t)) continue;
    const body = t.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Match (\S+) in vRouter (inet4|inet6|bridge) table \d+\/(\d+)/.exec(body))) {
      ctx = { family: m[2] === "inet4" ? "inet" : (m[2] as Ctx["family"]), vrf: Number(m[3]), match: m[1] };
      continue;
    }
    if ((m = /^(?:vRouter|Vrouter|Kernel IP) (?:(inet4|inet6) )?routing table \d+\/(\d+)/.exec(body))) {
      ctx = { ...ctx, family: m[1] === "inet6" ? "inet6" : "inet", vrf: Number(m[2]) };
      continue;
    }
    if ((m = /^(?:vRouter bridge|Kernel L2 Bridge) table \d+\/(\d+)/.exec(body))) {
      ctx = { ...ctx, family: "bridge", vrf: Number(m[1]) };
      continue;
    }
    if (body.startsWith("Flags:") || /^Destination\s+PPL/.test(body) || /^Index\s+DestMac/.test(body) || /^\(Src,Group\)\s+Nexthop/.test(body)) continue;
    if ((m = /^(\d{1,3}(?:\.\d{1,3}){3}),(\d{1,3}(?:\.\d{1,3}){3})(?:\s+(\d+))?$/.exec(body))) {
      // `rt --dump 0 --table mcst`: `(Src,Group)  Nexthop` rows of the multicast table.
      const row = emptyRow(sl.index + 1, "inet", ctx);
      row.prefix = `${m[1]},${m[2]}`;
      row.address = m[2];
      row.nh = m[3] === undefined ? null : Number(m[3]);
      row.extra = `multicast source ${m[1]}`;
      if (row.nh === null) warnings.push(warningAt(sl, t.length - t.trimStart().length + body.length, `route ${row.prefix}: no Nexthop column (truncated row?)`));
      rows.push(row);
      continue;
    }
    const toks = tokens(t);
    const first = toks[0].v;
    if (first.indexOf("/") > 0 && /^[0-9a-fA-F:.]+\/\d+$/.test(first)) {
      const row = parseInetRow(sl, toks, ctx, errors, warnings);
      if (row) rows.push(row);
      continue;
    }
    if (/^\d+$/.test(first) && toks.length >= 2 && MAC_RE.test(toks[1].v)) {
      const row = parseBridgeRow(sl, toks, ctx, errors, warnings);
      if (row) rows.push(row);
      continue;
    }
    errors.push(errorAt(sl, toks[0].s, "unexpected line: expected a route row (`prefix/len  PPL  Flags  Label  Nexthop …`)"));
  }
  return { kind: "rt", rows, warnings, errors, commands };
}

type Field = "ppl" | "flags" | "label" | "nh" | "mac";

/** Assigns tokens after the prefix to fields by the printf column layout; null when it does not fit. */
function byColumns(toks: Tok[], base: number): Map<Field, Tok> | null {
  const bounds: [Field, number][] = [
    ["ppl", base + 4],
    ["flags", base + 17],
    ["label", base + 28],
    ["nh", base + 43],
  ];
  const out = new Map<Field, Tok>();
  for (let k = 1; k < toks.length; k++) {
    const tk = toks[k];
    let f: Field = "mac";
    for (const [name, end] of bounds) {
      if (tk.e <= end) {
        f = name;
        break;
      }
    }
    if (out.has(f)) return null;
    out.set(f, tk);
  }
  // Content must agree with the columns.
  const ppl = out.get("ppl");
  const flags = out.get("flags");
  const label = out.get("label");
  const nh = out.get("nh");
  if (ppl === undefined || !/^\d+$/.test(ppl.v)) return null;
  if (flags && !INET_FLAG_RE.test(flags.v)) return null;
  if (label && !/^(?:-|\d+)$/.test(label.v)) return null;
  if (nh && !/^\d+$/.test(nh.v)) return null;
  return out;
}

/** Fallback: assigns tokens by content (ppl, [flags], label, nh, [mac]). */
function byContent(toks: Tok[]): Map<Field, Tok> | null {
  const out = new Map<Field, Tok>();
  let k = 1;
  const take = (f: Field, ok: (v: string) => boolean): boolean => {
    if (k < toks.length && ok(toks[k].v)) {
      out.set(f, toks[k]);
      k++;
      return true;
    }
    return false;
  };
  if (!take("ppl", (v) => /^\d+$/.test(v))) return null;
  take("flags", (v) => INET_FLAG_RE.test(v));
  take("label", (v) => /^(?:-|\d+)$/.test(v));
  take("nh", (v) => /^\d+$/.test(v));
  take("mac", (v) => v === "-" || MAC_IDX_RE.test(v));
  return k === toks.length ? out : null;
}

function parseInetRow(sl: SourceLine, toks: Tok[], ctx: Ctx, errors: ParseError[], warnings: ParseWarning[]): RtRow | null {
  const prefix = toks[0].v;
  const slash = prefix.lastIndexOf("/");
  const address = prefix.slice(0, slash);
  const family: RtRow["family"] = address.indexOf(":") >= 0 ? "inet6" : ctx.family === "inet6" ? "inet6" : "inet";
  const plen = readChecked(prefix.slice(slash + 1), family === "inet6" ? RANGES.prefix6 : RANGES.prefix4, sl, toks[0].s + slash + 1, `route ${prefix}: prefix length`, warnings);
  const row = emptyRow(sl.index + 1, family, ctx);
  row.prefix = prefix;
  row.address = address;
  row.prefixLen = plen;
  // printf("%s/%-2d") then pad to 21: the columns start at max(21, printed width).
  const printed = toks[0].e + (prefix.length - slash - 1 < 2 ? 1 : 0);
  const base = Math.max(21, printed);
  const f = (toks[0].s === 0 ? byColumns(toks, base) : null) ?? byContent(toks);
  if (f === null) {
    errors.push(errorAt(sl, toks[1]?.s ?? toks[0].e, `route ${prefix}: columns do not match \`PPL Flags Label Nexthop MAC\``));
    return null;
  }
  row.ppl = toInt(f.get("ppl")?.v);
  setFlags(row, f.get("flags")?.v ?? "");
  const label = f.get("label")?.v;
  row.label = label === undefined || label === "-" ? null : toInt(label);
  row.nh = toInt(f.get("nh")?.v);
  const mac = f.get("mac")?.v;
  if (mac !== undefined && mac !== "-") {
    const mm = MAC_IDX_RE.exec(mac);
    if (mm) {
      row.stitchedMac = mm[1];
      row.stitchedIndex = Number(mm[2]);
    } else {
      row.extra = mac;
      warnings.push(warningAt(sl, f.get("mac")?.s ?? 0, `route ${prefix}: unknown stitched MAC kept in \`extra\``, mac));
    }
  }
  if (row.nh === null) warnings.push(warningAt(sl, toks[toks.length - 1].e, `route ${prefix}: no Nexthop column (truncated row?)`));
  return row;
}

function parseBridgeRow(sl: SourceLine, toks: Tok[], ctx: Ctx, errors: ParseError[], warnings: ParseWarning[]): RtRow | null {
  const row = emptyRow(sl.index + 1, "bridge", ctx);
  row.index = toInt(toks[0].v);
  row.mac = toks[1].v;
  let k = 2;
  if (k < toks.length && BRIDGE_FLAG_RE.test(toks[k].v)) {
    setFlags(row, toks[k].v);
    k++;
  }
  const label = toks[k]?.v;
  const nh = toks[k + 1]?.v;
  if (label === undefined || !/^(?:-|\d+)$/.test(label) || nh === undefined || !/^\d+$/.test(nh)) {
    errors.push(errorAt(sl, toks[k]?.s ?? toks[toks.length - 1].e, `bridge entry ${row.mac}: expected \`Label/VNID Nexthop\``));
    return null;
  }
  row.label = label === "-" ? null : toInt(label);
  row.nh = toInt(nh);
  k += 2;
  if (k < toks.length && /^\d+$/.test(toks[k].v)) {
    row.packets = toInt(toks[k].v);
    k++;
  }
  if (k < toks.length) {
    row.extra = toks
      .slice(k)
      .map((x) => x.v)
      .join(" ");
    warnings.push(warningAt(sl, toks[k].s, `bridge entry ${row.mac}: extra columns kept in \`extra\``, row.extra));
  }
  return row;
}
