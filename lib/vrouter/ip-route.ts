/**
 * Linux `ip route` / `ip -6 route` / `ip route show table all` / `ip route get ADDR` (iproute2) →
 * {@link IpRouteRow} rows, one per route, ready for the longest-prefix match of `lookupRoute`
 * (`joins.ts`): every row carries `address` + `prefixLen` (`default` is `0.0.0.0/0` or `::/0`, a host
 * route without `/len` is `/32` or `/128`).
 *
 * A route line is `[TYPE] DESTINATION` followed by `keyword value` pairs and bare flags, in the order
 * iproute2 prints them; a multipath route continues on indented `nexthop …` lines, and `ip route get`
 * adds an indented `cache …` line. Lines of other commands in a pasted transcript are skipped with a
 * warning, as the vRouter parsers do.
 */
import { ipToBigInt } from "./joins";
import { normalizeText, parsePromptLine, splitLines } from "./text";
import type { CommandRecord, ParseError, ParseWarning, VrouterParseResult } from "./types";

/** One route of `ip route`. Flat, ready for `aq.from(rows)`. */
export interface IpRouteRow {
  /** 1-based line of the route in the input. */
  line: number;
  family: "inet" | "inet6";
  /** `unicast` when none is printed; else `local`, `broadcast`, `multicast`, `anycast`, `blackhole`, `unreachable`, `prohibit`, `throw`, `nat`. */
  type: string;
  /** The destination as printed: `default`, `10.0.0.0/8`, `192.0.2.1`, `fe80::/64`. */
  destination: string;
  /** The destination as a prefix: `0.0.0.0/0`, `10.0.0.0/8`, `192.0.2.1/32`. */
  prefix: string;
  address: string;
  prefixLen: number;
  /** Gateway (`via`); for a multipath route, the first next hop's. */
  via: string | null;
  /** Output device (`dev`); for a multipath route, the first next hop's. */
  dev: string | null;
  /** `table` (printed only outside `main`): `local`, `200`… */
  table: string | null;
  /** `proto` (printed unless `boot`): `kernel`, `static`, `dhcp`, `ra`, `bird`, `186`… */
  proto: string | null;
  /** `scope` (printed unless `global`): `link`, `host`… */
  scope: string | null;
  /** Preferred source address (`src`). */
  src: string | null;
  metric: number | null;
  /** IPv6 router preference: `low`, `medium`, `high`. */
  pref: string | null;
  /** Route and next-hop flags, space separated, as printed: `onlink linkdown`, `dead`. */
  flags: string;
  /** The route metrics as printed (`mtu 1400 advmss 1360`, `mtu lock 1400`), `null` when none. */
  metrics: string | null;
  /** `mtu` of the route metrics (also `mtu lock N`). */
  mtu: number | null;
  /** Multipath next hops as printed, `; ` separated (`via 10.0.0.1 dev eth0 weight 1; via …`), `null` for a single path. */
  nexthops: string | null;
  /** Known attributes without a column of their own, as printed: `nhid 12`, `encap mpls 100`, `expires 297sec`, `uid 0`, `cache`. */
  options: string | null;
  /** Words the parser did not know (each also a warning), as printed. */
  extra: string | null;
}

/** Options of {@link parseIpRoute}. */
export interface IpRouteOptions {
  /** The family of `default` routes whose line gives no address to tell it (`ip -6 route` output): default `inet`, or from an `ip -6 route` prompt line in the input. */
  family?: "inet" | "inet6";
}

const TYPES = new Set(["unicast", "local", "broadcast", "multicast", "anycast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"]);
/** Keywords followed by one value that has a column. */
const COLUMNS = new Set(["via", "dev", "table", "proto", "scope", "src", "metric", "pref"]);
/** Keywords followed by one value, kept in `options`. */
const OPTIONS = new Set(["from", "tos", "dsfield", "nhid", "expires", "error", "realm", "realms", "uid", "weight", "ttl-propagate", "as", "iif", "oif", "mark", "vrf", "ipproto", "sport", "dport", "used", "age", "users"]);
/** Route metrics (RTAX_*) printed as `name [lock] value`. */
const METRICS = new Set(["mtu", "advmss", "window", "rtt", "rttvar", "ssthresh", "cwnd", "initcwnd", "initrwnd", "hoplimit", "reordering", "rto_min", "features", "quickack", "congctl", "fastopen_no_cookie"]);
/** Bare flags of a route or a next hop. */
const FLAGS = new Set(["onlink", "pervasive", "dead", "linkdown", "offload", "trap", "notify", "unresolved", "rt_offload", "rt_trap", "rt_offload_failed", "offload_failed", "proto_down"]);
/** Bare words kept in `options`. */
const BARE = new Set(["cache"]);

/** The keywords an `encap …` run stops at (its own words are free-form: `mpls 100/200`, `ip id 1 dst …`). */
function isKeyword(w: string): boolean {
  return COLUMNS.has(w) || OPTIONS.has(w) || METRICS.has(w) || FLAGS.has(w) || w === "nexthop" || w === "encap";
}

/**
 * Parses `ip route` output (`ip -4`/`-6 route [show]`, `ip route show table all`, `ip -d route`,
 * `ip route get`). Pure; never throws: a line that is not a route becomes an error, an unknown word a
 * warning (kept in `extra`).
 *
 * @example
 * parseIpRoute("default via 15.15.15.1 dev eth0 proto static \n15.15.15.0/24 dev eth0 proto kernel scope link src 15.15.15.2 \n").rows
 * // => [{ line: 1, type: "unicast", destination: "default", prefix: "0.0.0.0/0", via: "15.15.15.1", dev: "eth0", proto: "static", … },
 * //     { line: 2, destination: "15.15.15.0/24", prefixLen: 24, scope: "link", src: "15.15.15.2", … }]
 * lookupRoute(parseIpRoute(text).rows, "101.101.101.1")?.destination // => "default"
 */
export function parseIpRoute(text: string, opts: IpRouteOptions = {}): VrouterParseResult<IpRouteRow> {
  const lines = splitLines(normalizeText(typeof text === "string" ? text : String(text ?? "")));
  const rows: IpRouteRow[] = [];
  const warnings: ParseWarning[] = [];
  const errors: ParseError[] = [];
  const commands: CommandRecord[] = [];
  let family: "inet" | "inet6" = opts.family ?? "inet";
  /** Inside the output of a command that is not `ip route`. */
  let skipping: { line: number; command: string; count: number } | null = null;
  const endSkip = () => {
    if (skipping && skipping.count > 0) {
      warnings.push({ line: skipping.line + 1, column: 1, message: `skipped ${skipping.count} line(s) of \`${skipping.command}\` output: not ip route`, text: skipping.command });
    }
    skipping = null;
  };
  let last: { row: IpRouteRow; hops: string[]; options: string[]; extra: string[]; flags: string[]; metrics: string[] } | null = null;
  const flush = () => {
    if (!last) return;
    const r = last.row;
    r.flags = last.flags.join(" ");
    r.metrics = last.metrics.length ? last.metrics.join(" ") : null;
    r.nexthops = last.hops.length ? last.hops.join("; ") : null;
    r.options = last.options.length ? last.options.join(" ") : null;
    r.extra = last.extra.length ? last.extra.join(" ") : null;
    last = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === "") continue;
    const prompt = parsePromptLine(raw);
    if (prompt) {
      flush();
      endSkip();
      commands.push({ line: i + 1, prompt: prompt.prompt, command: prompt.command, tool: isIpRoute(prompt.command) ? "ip-route" : null });
      if (prompt.command === "") continue;
      if (isIpRoute(prompt.command)) family = opts.family ?? (/(^|\s)-6(\s|$)|\s-f(amily)?\s+inet6\b/.test(prompt.command) ? "inet6" : "inet");
      else skipping = { line: i, command: prompt.command, count: 0 };
      continue;
    }
    if (skipping) {
      skipping.count++;
      continue;
    }
    const indented = /^\s/.test(raw);
    const words = tokens(raw);
    if (indented && last) {
      // A continuation of the route above: `nexthop …` of a multipath route, `cache …` of `ip route get`.
      if (words[0].word === "nexthop") {
        const hop = readAttributes(words.slice(1), last, warnAt(i, warnings), true);
        last.hops.push(hop);
      } else {
        readAttributes(words, last, warnAt(i, warnings), false);
      }
      continue;
    }
    flush();
    let k = 0;
    let type = "unicast";
    if (TYPES.has(words[0].word) && words.length > 1) {
      type = words[0].word;
      k = 1;
    }
    const dest = words[k];
    const p = destinationPrefix(dest.word, words.slice(k + 1).map((w) => w.word), family);
    if (!p) {
      errors.push({ line: i + 1, column: dest.col + 1, message: `not a route: expected [TYPE] default|ADDRESS[/LEN], found \`${dest.word}\``, text: raw.trim() });
      continue;
    }
    const row: IpRouteRow = {
      line: i + 1, family: p.family, type, destination: dest.word, prefix: `${p.address}/${p.len}`, address: p.address, prefixLen: p.len,
      via: null, dev: null, table: null, proto: null, scope: null, src: null, metric: null, pref: null,
      flags: "", metrics: null, mtu: null, nexthops: null, options: null, extra: null,
    };
    rows.push(row);
    last = { row, hops: [], options: [], extra: [], flags: [], metrics: [] };
    readAttributes(words.slice(k + 1), last, warnAt(i, warnings), false);
  }
  flush();
  endSkip();
  return { kind: "ip-route", rows, warnings, errors, commands };
}

interface Token {
  word: string;
  /** 0-based column. */
  col: number;
}

function tokens(line: string): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push({ word: m[0], col: m.index });
  return out;
}

function warnAt(i: number, warnings: ParseWarning[]) {
  return (t: Token, message: string) => warnings.push({ line: i + 1, column: t.col + 1, message, text: t.word });
}

/** True when a command line runs `ip [-4|-6|…] route|ro|r …`. */
function isIpRoute(command: string): boolean {
  return /^(?:\S*\/)?ip\s+(?:-\S+\s+(?:inet6?\s+)?)*r(?:o(?:u(?:te?)?)?)?(?:\s|$)/.test(command.trim());
}

/**
 * The prefix of a destination: `default` (family from `hint`, or from an address later on the line),
 * `ADDR/LEN`, or a host address. `null` when it is none of them.
 */
function destinationPrefix(dest: string, rest: readonly string[], hint: "inet" | "inet6"): { family: "inet" | "inet6"; address: string; len: number } | null {
  if (dest === "default") {
    let family = hint;
    for (let j = 0; j + 1 < rest.length; j++) {
      if (rest[j] === "via" || rest[j] === "src") {
        const a = rest[j + 1] === "inet" || rest[j + 1] === "inet6" ? rest[j + 2] : rest[j + 1];
        const v = a === undefined ? null : ipToBigInt(a);
        if (v) family = v.bits === 128 ? "inet6" : "inet";
        break;
      }
    }
    return family === "inet6" ? { family, address: "::", len: 0 } : { family, address: "0.0.0.0", len: 0 };
  }
  const slash = dest.indexOf("/");
  const address = slash < 0 ? dest : dest.slice(0, slash);
  const v = ipToBigInt(address);
  if (!v) return null;
  let len: number = v.bits;
  if (slash >= 0) {
    const s = dest.slice(slash + 1);
    if (!/^\d{1,3}$/.test(s) || Number(s) > v.bits) return null;
    len = Number(s);
  }
  return { family: v.bits === 128 ? "inet6" : "inet", address, len };
}

/**
 * Reads `keyword value` pairs and flags into the route being built. For a `nexthop` line (`hop`), the
 * first `via`/`dev` also fill the route's columns when the route line had none; the hop's text is returned.
 */
function readAttributes(
  words: readonly Token[],
  into: { row: IpRouteRow; options: string[]; extra: string[]; flags: string[]; metrics: string[] },
  warn: (t: Token, message: string) => void,
  hop: boolean,
): string {
  const r = into.row;
  const hopText: string[] = [];
  for (let j = 0; j < words.length; j++) {
    const w = words[j].word;
    const next = words[j + 1]?.word;
    if (COLUMNS.has(w) && next !== undefined) {
      let value = next;
      j++;
      if (w === "via" && (value === "inet" || value === "inet6" || value === "mpls" || value === "link" || value === "bridge") && words[j + 1]) {
        value = words[j + 1].word;
        j++;
      }
      if (hop) {
        hopText.push(`${w} ${value}`);
        if ((w === "via" || w === "dev") && r[w] === null) {
          r[w] = value;
          // `default metric 1024 pref medium` + `nexthop via 2001:db8:1::1 …`: the first hop tells the family.
          if (w === "via" && r.destination === "default") {
            const v = ipToBigInt(value);
            if (v) Object.assign(r, v.bits === 128 ? { family: "inet6", address: "::", prefix: "::/0" } : { family: "inet", address: "0.0.0.0", prefix: "0.0.0.0/0" });
          }
        }
        continue;
      }
      if (w === "metric") {
        const n = /^\d{1,10}$/.test(value) ? Number(value) : null;
        if (n === null) warn(words[j], `metric is not a number: \`${value}\``);
        r.metric = n;
      } else r[w as "via" | "dev" | "table" | "proto" | "scope" | "src" | "pref"] = value;
    } else if (OPTIONS.has(w) && next !== undefined) {
      (hop ? hopText : into.options).push(`${w} ${next}`);
      j++;
    } else if (METRICS.has(w) && next !== undefined) {
      const lock = next === "lock" && words[j + 2] !== undefined;
      const value = lock ? words[j + 2].word : next;
      j += lock ? 2 : 1;
      into.metrics.push(lock ? `${w} lock ${value}` : `${w} ${value}`);
      if (w === "mtu" && /^\d{1,10}$/.test(value)) r.mtu = Number(value);
    } else if (w === "encap") {
      const run = [w];
      while (j + 1 < words.length && !isKeyword(words[j + 1].word)) run.push(words[++j].word);
      (hop ? hopText : into.options).push(run.join(" "));
    } else if (FLAGS.has(w)) {
      if (hop) hopText.push(w);
      if (!into.flags.includes(w)) into.flags.push(w);
    } else if (BARE.has(w)) {
      into.options.push(w);
    } else if (w.startsWith("<") && w.endsWith(">")) {
      // `cache <local>`: the cache flags of `ip route get`.
      into.options.push(w);
    } else {
      into.extra.push(w);
      warn(words[j], `unknown word \`${w}\` kept in extra`);
    }
  }
  return hopText.join(" ");
}
