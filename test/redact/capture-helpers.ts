/**
 * Helpers of the capture redaction tests: records of a capture, the addresses a capture holds (as the
 * decoder sees them), a byte scan for leftovers, and the tshark checksum / malformed check.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CaptureParser } from "../../lib/capture/file/parser";
import { decodeFrame } from "../../lib/capture/decode";
import { macBytes } from "../../lib/capture/build";
import { parseIpv4 } from "../../lib/ipv4";
import { parseIpv6 } from "../../lib/redact/cidr";
import type { AddressMapper } from "../../lib/redact/address";

/** One packet record. */
export interface Rec { data: Uint8Array; origLen: number; linkType: number }

/** Every packet record of a pcap/pcapng image (throws on a corrupt file: the tests want to know). */
export function records(bytes: Uint8Array): Rec[] {
  const out: Rec[] = [];
  const p = new CaptureParser("test");
  p.push(bytes, (data, off, caplen, origLen, _s, _n, linkType) => {
    out.push({ data: data.slice(off, off + caplen), origLen, linkType });
  });
  p.end();
  return out;
}

/** The addresses (as byte patterns) in every header the decoder reads, with their text, not in kept ranges. */
export function headerAddresses(bytes: Uint8Array, mapper: AddressMapper, decode = {}): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  for (const r of records(bytes)) {
    const f = decodeFrame(r.data, r.linkType, decode);
    const add = (t: string | undefined) => {
      if (!t) return;
      if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(t)) {
        const m = macBytes(t);
        if ((m[0]! & 1) === 0 && m.some((b) => b !== 0)) found.set(t, m);
      } else if (t.includes(":")) {
        const b = parseIpv6(t)!;
        if (!mapper.keptV6(b) && !t.startsWith("::ffff:")) found.set(t, b);
      } else {
        const n = parseIpv4(t);
        if (n >= 0 && !mapper.keptV4(n)) found.set(t, Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255));
      }
    };
    add(f.ethSrc); add(f.ethDst); add(f.src); add(f.dst);
    for (const ip of f.ips) { add(ip.src); add(ip.dst); }
  }
  return found;
}

/** Text forms of addresses (and their byte patterns) still present in `bytes`. */
export function leftovers(bytes: Uint8Array, originals: Map<string, Uint8Array>): string[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const left: string[] = [];
  for (const [text, pattern] of originals) {
    if (buf.indexOf(Buffer.from(pattern)) >= 0) left.push(`${text} (bytes)`);
    if (buf.indexOf(Buffer.from(text, "latin1")) >= 0) left.push(`${text} (text)`);
  }
  return left;
}

let tsharkPresent: boolean | undefined;
/** Whether tshark can be run. */
export function haveTshark(): boolean {
  if (tsharkPresent === undefined) {
    try { execFileSync("tshark", ["-v"], { stdio: "ignore" }); tsharkPresent = true; } catch { tsharkPresent = false; }
  }
  return tsharkPresent;
}

const BAD = [
  "ip.checksum.status==0", "tcp.checksum.status==0", "udp.checksum.status==0", "icmp.checksum.status==0",
  "icmpv6.checksum.status==0", "gre.checksum.status==0", "_ws.malformed", "_ws.expert.severity==error",
].join(" || ");

/**
 * Frames tshark (checksum validation on) reports with a bad checksum, as malformed or with an error:
 * `number<TAB>protocols<TAB>expert messages` lines; `extra` adds tshark arguments (`-d …`).
 */
export function tsharkProblems(bytes: Uint8Array, extra: string[] = [], warnings = false): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redact-"));
  const file = path.join(dir, "x.pcap");
  fs.writeFileSync(file, bytes);
  try {
    const out = execFileSync("tshark", [
      "-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
      ...extra, "-Y", warnings ? `${BAD} || _ws.expert.severity>=warning` : BAD,
      "-T", "fields", "-e", "frame.number", "-e", "frame.protocols", "-e", "_ws.expert.message",
    ], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.split("\n").filter((l) => l.trim() !== "");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** tshark's frame count and protocol stacks of a capture. */
export function tsharkStacks(bytes: Uint8Array, extra: string[] = []): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redact-"));
  const file = path.join(dir, "x.pcap");
  fs.writeFileSync(file, bytes);
  try {
    const out = execFileSync("tshark", ["-r", file, ...extra, "-T", "fields", "-e", "frame.protocols"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.split("\n").filter((l) => l !== "");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
