/**
 * The one text rewriter every file kind goes through: addresses (through the keyed, prefix-preserving
 * {@link AddressMapper}) and known names (through the owner's {@link AliasTable}), so the same original
 * becomes the same pseudonym in evidence text, JSON, Arrow cells, notebook outputs, HTML and notes. It
 * counts what it replaced per kind and remembers every original it changed, for the verification scan.
 */
import type { AliasTable, NameKind } from "./aliases";
import { addressRegex, formatIpv6Like, formatMacCanonical, parseCandidate, type AddressKind, type FoundAddress } from "./find-addresses";

/** Names shorter than this are replaced only where they stand alone as a field's value, never inside text. */
export const MIN_TEXT_NAME = 3;

/**
 * What the text rewriter needs of the address pseudonymiser (`createAddressMapper` in `address.ts` gives it).
 */
export interface AddressMapper {
  ipv4(addr: number): number;
  ipv6(addr: Uint8Array): Uint8Array;
  mac(addr: Uint8Array): Uint8Array;
}

/** What a redaction replaced. */
export interface RedactionCounts {
  /** Replacements made, per kind (`ipv4`, `ipv6`, `mac`, `node`, `host`, `vrf` …). */
  replaced: Record<string, number>;
  /** Distinct originals changed, per kind. */
  distinct: Record<string, number>;
}

/**
 * Rewrites text consistently.
 *
 * @example
 * const r = new TextRedactor(mapper, aliases);
 * r.text("cent222 routes 10.47.255.0/24"); // "node-1 routes 10.93.7.0/24"
 */
export class TextRedactor {
  readonly mapper: AddressMapper;
  readonly aliases: AliasTable;
  /** Originals changed: canonical address text, or the name as found (lower case). */
  readonly originals = new Map<string, AddressKind | NameKind>();
  /** Address pseudonyms given: canonical original → canonical pseudonym (for the owner's reverse map). */
  readonly pairs = new Map<string, string>();
  private readonly replaced = new Map<string, number>();
  // Short strings repeat (node names, addresses in table cells): their result and what they counted.
  private readonly cache = new Map<string, { out: string; events: [AddressKind | NameKind, string][] }>();
  private events: [AddressKind | NameKind, string][] | null = null;
  private namesRe: RegExp | null = null;
  // any known name anywhere (no boundary test): tried before namesRe, whose leading lookbehind the
  // regex engine evaluates at every position of a long text
  private namesAny: RegExp | null = null;
  private namesVersion = -1;
  // one character of each name, in both cases (null: no pre-test)
  private anchors: string[] | null = null;

  constructor(mapper: AddressMapper, aliases: AliasTable) {
    this.mapper = mapper;
    this.aliases = aliases;
  }

  /**
   * The text with every address and known name replaced.
   *
   * @example
   * redactor.text("Host: www.juniper.net"); // "Host: host-1.example"
   */
  text(s: string): string {
    if (s.length === 0) return s;
    if (s.length > 64) return this.cut(this.names(this.vendorMacs(this.addresses(s))));
    this.nameRegex(); // clears the cache when names were added
    const hit = this.cache.get(s);
    if (hit !== undefined) {
      for (const [k, o] of hit.events) this.count(k, o);
      return hit.out;
    }
    this.events = [];
    const out = this.cut(this.names(this.vendorMacs(this.addresses(s))));
    this.cache.set(s, { out, events: this.events });
    this.events = null;
    return out;
  }

  /**
   * A whole field's value that is a known name (any length), replaced by its alias; other values as {@link text}.
   *
   * @example
   * redactor.field("vm"); // "host-2.example" when "vm" is a known host
   */
  field(s: string): string {
    const alias = this.aliases.get(s);
    if (alias !== undefined) {
      this.count(this.aliases.kindOf(s)!, s);
      return alias;
    }
    return this.text(s);
  }

  /**
   * One address (bytes) through the mapper, counted; the same bytes as given when it is kept.
   *
   * @example
   * redactor.address({ kind: "ipv4", bytes: Uint8Array.of(10, 0, 0, 1), prefix: null, canonical: "10.0.0.1" });
   */
  address(a: FoundAddress): Uint8Array {
    let out: Uint8Array;
    // A network written with its host bits zero stays a network address (its pseudonym's host bits are
    // zeroed too). Such a pseudonym can be a host's as well (a host whose pseudonym has zero host bits),
    // so its pair is kept with the prefix length: the reverse map stays one-to-one.
    let network = false;
    if (a.kind === "ipv4") {
      const n = ((a.bytes[0]! << 24) | (a.bytes[1]! << 16) | (a.bytes[2]! << 8) | a.bytes[3]!) >>> 0;
      let m = this.mapper.ipv4(n) >>> 0;
      if (a.prefix !== null && a.prefix < 32) {
        const mask = a.prefix === 0 ? 0 : (0xffffffff << (32 - a.prefix)) >>> 0;
        if ((n & ~mask) >>> 0 === 0) {
          m = (m & mask) >>> 0;
          network = true;
        }
      }
      out = Uint8Array.of(m >>> 24, (m >>> 16) & 0xff, (m >>> 8) & 0xff, m & 0xff);
    } else if (a.kind === "ipv6") {
      out = Uint8Array.from(this.mapper.ipv6(a.bytes));
      if (a.prefix !== null && a.prefix < 128) {
        let hostZero = true;
        for (let bit = a.prefix; bit < 128; bit++) if (a.bytes[bit >> 3]! & (0x80 >> (bit & 7))) hostZero = false;
        if (hostZero) for (let bit = a.prefix; bit < 128; bit++) out[bit >> 3]! &= ~(0x80 >> (bit & 7));
        network = hostZero;
      }
    } else out = Uint8Array.from(this.mapper.mac(a.bytes));
    if (!sameBytes(out, a.bytes)) {
      this.count(a.kind, a.canonical);
      const suffix = network ? `/${a.prefix}` : "";
      const key = a.canonical + suffix;
      if (!this.pairs.has(key)) this.pairs.set(key, (a.kind === "ipv4" ? out.join(".") : a.kind === "ipv6" ? formatIpv6Like(out) : formatMacCanonical(out)) + suffix);
    }
    return out;
  }

  /**
   * What was replaced so far.
   *
   * @example
   * redactor.counts().replaced.ipv4; // 412
   */
  counts(): RedactionCounts {
    const distinct: Record<string, number> = {};
    for (const k of this.originals.values()) distinct[k] = (distinct[k] ?? 0) + 1;
    return { replaced: Object.fromEntries(this.replaced), distinct };
  }

  private count(kind: AddressKind | NameKind, original: string): void {
    this.events?.push([kind, original]);
    this.replaced.set(kind, (this.replaced.get(kind) ?? 0) + 1);
    const key = kind === "ipv4" || kind === "ipv6" || kind === "mac" ? original : original.toLowerCase();
    if (!this.originals.has(key)) this.originals.set(key, kind);
  }

  private addresses(s: string): string {
    // No digit and no hex digit before a colon or dash: no address (most strings). Every address form
    // holds a digit, a colon or a dash: each looked for natively first (a character search runs at
    // memory speed; one regex class over a 2.6 KB body costs ~1.4 µs, the twelve searches ~0.4 µs).
    if (!holdsAny(s, ADDRESS_CHARS) || !/[0-9]|[a-fA-F][:-]/.test(s)) return s;
    return s.replace(addressRegex(), (...args) => {
      const whole = args[0] as string;
      const groups = args[args.length - 1] as Record<string, string | undefined>;
      const a = parseCandidate(groups);
      if (!a) return whole;
      const out = this.address(a);
      if (sameBytes(out, a.bytes)) return whole;
      if (a.kind === "ipv4") return `${out.join(".")}${a.prefix !== null ? `/${a.prefix}` : ""}`;
      if (a.kind === "ipv6") {
        const src = groups.v6!;
        const text = formatIpv6Like(out, src.includes("."));
        return `${/[A-F]/.test(src) ? text.toUpperCase() : text}${a.prefix !== null ? `/${a.prefix}` : ""}`;
      }
      return formatMacLike(out, groups.macd ?? groups.v6!);
    });
  }

  // Wireshark's resolved form `RealtekU_3c:aa:21` names a MAC by its vendor and last three bytes: it
  // takes the pseudonym of the full MAC seen with those bytes (in full, as the address pass writes
  // it), or loses the bytes when no such MAC is known.
  private vendorMacs(s: string): string {
    if (!s.includes("_")) return s;
    return s.replace(/(?<![A-Za-z0-9_])([A-Za-z][A-Za-z0-9-]{0,15})_([0-9a-fA-F]{2}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2})(?![0-9A-Za-z:])/g, (whole, _vendor: string, tail: string) => {
      const suffix = `:${tail.toLowerCase()}`;
      for (const [orig, pseudo] of this.pairs) if (this.originals.get(orig) === "mac" && orig.endsWith(suffix)) return pseudo;
      return "xx:xx:xx:xx:xx:xx";
    });
  }

  // Values a table or a line cut short (`cent3…`, `10.47.2…`): a name's first characters become its
  // alias's, an address's complete octets their prefix-preserving pseudonym (the cut octet dropped).
  private cut(s: string): string {
    if (!s.includes("…") && !s.includes("...")) return s;
    let out = s.replace(/(?<![0-9.])((?:\d{1,3}\.){1,3})\d{0,3}(?=…|\.\.\.)/g, (whole, full: string) => {
      const octets = full.slice(0, -1).split(".").map(Number);
      if (octets.some((o) => o > 255)) return whole;
      const bits = octets.length * 8;
      const b = Uint8Array.of(octets[0] ?? 0, octets[1] ?? 0, octets[2] ?? 0, 0);
      const m = this.address({ kind: "ipv4", bytes: b, prefix: bits, canonical: `${[...b].join(".")}/${bits}` });
      return `${[...m].slice(0, octets.length).join(".")}.`;
    });
    const re = this.prefixRegex();
    if (re) {
      out = out.replace(re, (m) => {
        const names = this.aliases.names().filter((n) => n.length > m.length && n.toLowerCase().startsWith(m.toLowerCase()));
        const aliases = names.map((n) => this.aliases.get(n)!);
        if (aliases.length === 0) return m;
        this.count(this.aliases.kindOf(names[0]!)!, names[0]!);
        // Several names start so: what their aliases have in common (`node-`), which the cut then follows.
        let common = aliases[0]!;
        for (const a of aliases) while (!a.startsWith(common)) common = common.slice(0, -1);
        return common;
      });
    }
    return out;
  }

  private prefixRe: RegExp | null = null;
  private prefixVersion = -1;
  private prefixRegex(): RegExp | null {
    if (this.prefixVersion !== this.aliases.added) {
      this.prefixVersion = this.aliases.added;
      const prefixes = new Set<string>();
      for (const n of this.aliases.names()) for (let i = MIN_TEXT_NAME; i < n.length; i++) prefixes.add(n.slice(0, i));
      const list = [...prefixes].sort((a, b) => b.length - a.length);
      this.prefixRe = list.length ? new RegExp(`(?<=^|[^A-Za-z0-9]|\\\\[nrt])(?:${list.map(escapeRe).join("|")})(?=…|\\.\\.\\.)`, "gi") : null;
    }
    return this.prefixRe;
  }

  private names(s: string): string {
    const re = this.nameRegex();
    // a text without one character of every name (its anchor) holds no name: a few native searches
    // instead of the case-insensitive alternation over the whole text
    if (!re || (this.anchors !== null && !holdsAny(s, this.anchors)) || !this.namesAny!.test(s)) return s;
    re.lastIndex = 0;
    return s.replace(re, (m) => {
      const alias = this.aliases.get(m);
      if (alias === undefined) return m;
      this.count(this.aliases.kindOf(m)!, m);
      return alias;
    });
  }

  /**
   * The regex matching every known name of at least {@link MIN_TEXT_NAME} characters as a token
   * (case-insensitive, longest first, not inside a longer word), or null when there is none.
   *
   * @example
   * redactor.nameRegex()?.test("on cent222:"); // true
   */
  nameRegex(): RegExp | null {
    // by the table's version alone: a table with no name (null) is not rebuilt, nor the cache cleared, per call
    if (this.namesVersion !== this.aliases.added) {
      this.namesVersion = this.aliases.added;
      const names = this.aliases.names().filter((n) => n.length >= MIN_TEXT_NAME).sort((a, b) => b.length - a.length);
      this.namesRe = names.length ? new RegExp(`(?<=^|[^A-Za-z0-9]|\\\\[nrt])(?:${names.map(escapeRe).join("|")})(?![A-Za-z0-9])`, "gi") : null;
      this.namesAny = names.length ? new RegExp(names.map(escapeRe).join("|"), "i") : null;
      this.anchors = nameAnchors(names);
      this.cache.clear();
    }
    return this.namesRe;
  }
}

/** Characters every address form holds at least one of (IPv4 a digit, IPv6 a colon, a dashed MAC a dash). */
const ADDRESS_CHARS = [..."0123456789:-"];

/**
 * Whether `s` holds any of `chars` (single characters): one native search each, which runs at memory
 * speed, where a regex class is tried character by character.
 *
 * @example
 * holdsAny("xxxx", ["0", ":"]); // false
 */
export function holdsAny(s: string, chars: readonly string[]): boolean {
  for (let i = 0; i < chars.length; i++) if (s.indexOf(chars[i]!) >= 0) return true;
  return false;
}

// Letters, digits and signs from rare to common in text, HTTP and JSON (English letter frequencies):
// a name's anchor is its rarest character, so the anchor test rules out most texts.
const ANCHOR_ORDER = "zqxjkvbpygfwmucl0123456789dr-_hsnioate.:/ ";
/** At most this many searches per text for the name pre-test; more (many names), and the regex alone. */
const MAX_ANCHORS = 24;

/**
 * One ASCII character of each name (its rarest, both cases for a letter), such that a text holding a
 * name holds one of them (case-insensitively, as the name regexes match); null when some name has no
 * ASCII character or they need more than {@link MAX_ANCHORS} searches (no pre-test then).
 *
 * @example
 * nameAnchors(["cent222", "www.juniper.net"]); // ["c", "C", "j", "J"]
 */
export function nameAnchors(names: readonly string[]): string[] | null {
  const out = new Set<string>();
  for (const n of names) {
    let best = "", rank = Infinity;
    // each ASCII character of the name as written (lower-casing a non-ASCII one can give an ASCII one:
    // "İ" → "i̇"); under the regexes' case-insensitive match an ASCII character matches only itself in
    // either case
    for (const c of n) {
      if (c.charCodeAt(0) >= 128) continue;
      const ch = c.toLowerCase();
      const r = ANCHOR_ORDER.indexOf(ch);
      const k = r < 0 ? -1 : r; // signs not listed are rare
      if (k < rank) { rank = k; best = ch; }
    }
    if (best === "") return null;
    out.add(best);
    out.add(best.toUpperCase());
    if (out.size > MAX_ANCHORS) return null;
  }
  return [...out];
}

/**
 * A regex-safe literal.
 *
 * @example
 * escapeRe("a.b"); // "a\\.b"
 */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// The new MAC written like the original: its separator, letter case and padding.
function formatMacLike(b: Uint8Array, original: string): string {
  const sep = original.includes("-") ? "-" : ":";
  const padded = original.split(sep).every((g) => g.length === 2);
  const upper = /[A-F]/.test(original) && !/[a-f]/.test(original);
  const text = [...b].map((x) => (padded ? x.toString(16).padStart(2, "0") : x.toString(16))).join(sep);
  return upper ? text.toUpperCase() : text;
}
