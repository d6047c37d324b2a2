/**
 * The check after a share is written: every file of the output is scanned for every original value
 * the redaction changed (addresses by their canonical form, wherever and however they are written;
 * names as tokens, case-insensitively). JSON, notebooks and the evidence log are scanned both as
 * written and with their strings decoded (a name after a `\n` escape); captures are read frame by
 * frame (the outermost Ethernet addresses, every IP header's, the HTTP Host: `listFrameAddresses`, one
 * pass comparing numbers, no object per frame) and their bytes scanned as text too.
 */
import * as path from "node:path";
import { listFrameAddresses, macAt } from "../capture/addresses";
import { u32 } from "../capture/context";
import { formatIpv4, formatIpv6, formatMac, parseIpv4 } from "../capture/format";
import { formatIpv4Number } from "../ipv4";
import { findAddresses } from "./find-addresses";
import { isCapture } from "./investigation";
import { parseIpv6 } from "./cidr";
import { MIN_TEXT_NAME, escapeRe } from "./text";

/** An original value found in the output. */
export interface Leftover {
  /** The file (path inside the output). */
  file: string;
  /** Where in it: `line 12`, `frame 7 (ip src)`, `string "…"`. */
  place: string;
  /** The original value found. */
  value: string;
  kind: string;
}

const V4_LOOSE = /(?<![0-9])(?:\d{1,3}\.){3}\d{1,3}(?![0-9])/g;

/**
 * Scans output files for originals (`originals`: canonical address text or lower-case name → kind).
 * A capture's frames are checked field by field in one pass (each value's first place is kept:
 * `frame 7 (ip 2 dst)`); a capture that does not read back to its end is a leftover of kind
 * `unreadable` itself, after the hits in the frames before the fault; its bytes are then scanned as
 * text like any file.
 *
 * @example
 * const leftovers = await findLeftovers(files, redactor.originals);
 * if (leftovers.length) console.error(`${leftovers[0].file}: ${leftovers[0].place}: ${leftovers[0].value}`);
 */
export async function findLeftovers(files: Map<string, Uint8Array>, originals: Map<string, string>): Promise<Leftover[]> {
  const out: Leftover[] = [];
  const names = [...originals].filter(([, k]) => k !== "ipv4" && k !== "ipv6" && k !== "mac").map(([n]) => n).filter((n) => n.length >= MIN_TEXT_NAME).sort((a, b) => b.length - a.length);
  const nameRe = names.length ? new RegExp(`(?<=^|[^A-Za-z0-9]|\\\\[A-Za-z])(?:${names.map(escapeRe).join("|")})(?![A-Za-z0-9])`, "gi") : null;
  // IPv6 and MAC originals also as plain text (padded and vRouter's unpadded MAC form), bounded by
  // non-hex characters only: a second net under the finder, which needs a separator before them.
  const forms = [...originals].filter(([, k]) => k === "ipv6" || k === "mac").flatMap(([v, k]) => (k === "mac" ? [v, v.split(":").map((g) => g.replace(/^0(?=.)/, "")).join(":")] : [v]));
  const formRe = forms.length ? new RegExp(`(?<![0-9A-Fa-f])(?:${[...new Set(forms)].sort((a, b) => b.length - a.length).map(escapeRe).join("|")})(?![0-9A-Fa-f])`, "gi") : null;
  const unpadded = new Map(forms.map((f) => [f, f.split(":").map((g) => g.padStart(2, "0")).join(":")]));
  // A name cut short by a table (`cent3…`): its first 4+ characters before an ellipsis.
  const prefixes = new Set<string>();
  for (const n of names) for (let i = 4; i < n.length; i++) prefixes.add(n.slice(0, i));
  const cutRe = prefixes.size ? new RegExp(`(?<=^|[^A-Za-z0-9]|\\\\[A-Za-z])(?:${[...prefixes].sort((a, b) => b.length - a.length).map(escapeRe).join("|")})(?=…|\\.\\.\\.)`, "gi") : null;
  const shortNames = new Set([...originals].filter(([n, k]) => k !== "ipv4" && k !== "ipv6" && k !== "mac" && n.length < MIN_TEXT_NAME).map(([n]) => n));
  const scan = (file: string, text: string, where: (index: number) => string): void => {
    const seen = new Set<string>();
    const hit = (value: string, kind: string, index: number): void => {
      if (seen.has(value)) return; // one line per value and file is enough to name the place
      seen.add(value);
      out.push({ file, place: where(index), value, kind });
    };
    for (const a of findAddresses(text)) if (originals.has(a.canonical)) hit(a.canonical, a.kind, a.index);
    for (const m of text.matchAll(V4_LOOSE)) if (originals.get(m[0]) === "ipv4") hit(m[0], "ipv4", m.index ?? 0);
    if (formRe) {
      for (const m of text.matchAll(formRe)) {
        const v = m[0].toLowerCase();
        const canon = originals.has(v) ? v : (unpadded.get(v) ?? v);
        if (originals.has(canon)) hit(canon, originals.get(canon)!, m.index ?? 0);
      }
    }
    if (nameRe) for (const m of text.matchAll(nameRe)) hit(m[0], originals.get(m[0].toLowerCase()) ?? "name", m.index ?? 0);
    if (cutRe && (text.includes("…") || text.includes("..."))) for (const m of text.matchAll(cutRe)) hit(`${m[0]}…`, "name cut short", m.index ?? 0);
  };
  let numbers: OriginalNumbers | undefined;
  const lineOf = (text: string) => (i: number) => `line ${text.slice(0, i).split("\n").length}`;
  for (const [file, bytes] of files) {
    const ext = path.extname(file).toLowerCase();
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (ext === ".pcap" || ext === ".pcapng" || isCapture(buf)) {
      checkFrames(file, bytes, originals, shortNames, numbers ??= originalNumbers(originals), out);
      scan(file, buf.toString("latin1"), (i) => `byte ${i}`);
      continue;
    }
    const text = buf.toString(ext === ".arrow" || ext === ".png" ? "latin1" : "utf8");
    // JSON is strings, numbers and punctuation: its decoded strings (keys too) are all there is to scan.
    let parsed = false;
    if (ext === ".json" || ext === ".ipynb") {
      try {
        JSON.parse(text);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    if (!parsed) scan(file, text, lineOf(text));
    if (ext === ".json" || ext === ".jsonl" || ext === ".ipynb") {
      const lines = ext === ".jsonl" ? text.split("\n") : [text];
      lines.forEach((line, li) => {
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          return;
        }
        for (const s of strings(v, ext === ".ipynb")) {
          scan(file, s, () => `${ext === ".jsonl" ? `line ${li + 1}, ` : ""}string ${JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}…` : s)}`);
          if (shortNames.has(s.toLowerCase())) out.push({ file, place: `${ext === ".jsonl" ? `line ${li + 1}, ` : ""}a field's value`, value: s, kind: "name" });
        }
      });
    }
  }
  // The same value found raw and decoded in one file: keep the first place.
  const unique = new Map<string, Leftover>();
  for (const l of out) if (!unique.has(`${l.file}\u0000${l.value}`)) unique.set(`${l.file}\u0000${l.value}`, l);
  return [...unique.values()];
}

/** The originals a frame's header can hold as numbers: IPv4 (uint32) and MACs (48 bits). */
interface OriginalNumbers {
  v4: Set<number>;
  macs: Set<number>;
}

const MAC_TEXT = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

// Every original that is the text formatIpv4 or formatMac gives for some bytes, as that number: a
// frame's address is then an original exactly when its number is in the set.
function originalNumbers(originals: Map<string, string>): OriginalNumbers {
  const v4 = new Set<number>();
  const macs = new Set<number>();
  for (const k of originals.keys()) {
    const n = parseIpv4(k);
    if (n >= 0 && formatIpv4Number(n) === k) v4.add(n);
    else if (MAC_TEXT.test(k)) macs.add(parseInt(k.replace(/:/g, ""), 16));
  }
  return { v4, macs };
}

const latin1 = new TextDecoder("latin1"); // as the decoder reads `http.host`

// A capture's frames, each checked for originals: its outermost Ethernet source and destination,
// every IP header's source and destination, the HTTP Host (without a port, any case), in that order
// frame by frame. One pass with no object per frame (listFrameAddresses): addresses are compared as
// numbers, IPv6 by its canonical text (worked out once per distinct address), and a leftover with its
// place is made for a hit only, once per value (the caller keeps each value's first place per file).
// A capture that does not read to its end is a leftover itself, after the hits in the frames before.
function checkFrames(file: string, bytes: Uint8Array, originals: Map<string, string>, shortNames: Set<string>, nums: OriginalNumbers, out: Leftover[]): void {
  const { v4, macs } = nums;
  const found = new Set<number | string>();
  const canon6 = new Map<string, string | null>();
  let lastHost: Uint8Array | null = null;
  const hit = (no: number, field: string, value: string, kind: string): void => {
    out.push({ file, place: `frame ${no} (${field})`, value, kind });
  };
  const { error } = listFrameAddresses(bytes, (f) => {
    const d = f.data;
    if (f.ethOff >= 0 && macs.size > 0) {
      for (let k = 0; k < 2; k++) {
        const o = k === 0 ? f.ethOff + 6 : f.ethOff;
        const m = macAt(d, o);
        if (!macs.has(m) || found.has(MAC_KEY + m)) continue;
        found.add(MAC_KEY + m);
        hit(f.no, k === 0 ? "eth src" : "eth dst", formatMac(d, o), "mac");
      }
    }
    for (let i = 0; i < f.ipCount; i++) {
      for (let k = 0; k < 2; k++) {
        const o = k === 0 ? f.ipSrc[i]! : f.ipDst[i]!;
        if (f.ipVer[i] === 4) {
          const a = u32(d, o);
          if (!v4.has(a) || found.has(a)) continue;
          found.add(a);
          hit(f.no, `ip ${i + 1} ${k === 0 ? "src" : "dst"}`, formatIpv4(d, o), "ipv4");
        } else {
          const v = formatIpv6(d, o);
          let c = canon6.get(v);
          if (c === undefined) {
            c = canonical6(v);
            canon6.set(v, c);
          }
          if (!c || !originals.has(c) || found.has(c)) continue;
          found.add(c);
          hit(f.no, `ip ${i + 1} ${k === 0 ? "src" : "dst"}`, c, "ipv6");
        }
      }
    }
    if (f.hostLen > 0) {
      // the same Host as the frame before: already checked
      if (lastHost !== null && sameBytes(lastHost, d, f.hostOff, f.hostLen)) return;
      const h = d.slice(f.hostOff, f.hostOff + f.hostLen);
      lastHost = h;
      const host = latin1.decode(h).replace(/:\d+$/, "").toLowerCase();
      if (host && (originals.has(host) || shortNames.has(host)) && !found.has(`host\u0000${host}`)) {
        found.add(`host\u0000${host}`);
        hit(f.no, "HTTP Host", host, "host");
      }
    }
  });
  if (error) out.push({ file, place: `the capture cannot be read back (${error.message})`, value: "", kind: "unreadable" });
}

// Keeps a MAC's key apart from every IPv4 number in one Set.
const MAC_KEY = 2 ** 48;

// `a` holds the bytes d[off..off+len).
function sameBytes(a: Uint8Array, d: Uint8Array, off: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== d[off + i]) return false;
  return true;
}

function canonical6(v: string): string | null {
  const b = parseIpv6(v);
  return b ? findAddresses(v)[0]?.canonical ?? null : null;
}

// Every string of a JSON value, keys included; in a notebook, not the base64 pixels of a PNG or JPEG
// (drawn from the chart spec beside it, which is scanned; text in pixels is no string to find).
function* strings(v: unknown, notebook: boolean, depth = 0): Generator<string> {
  if (depth > 500) return;
  if (typeof v === "string") yield v;
  else if (Array.isArray(v)) for (const x of v) yield* strings(x, notebook, depth + 1);
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      yield k;
      if (notebook && (k === "image/png" || k === "image/jpeg")) continue;
      yield* strings(x, notebook, depth + 1);
    }
}
