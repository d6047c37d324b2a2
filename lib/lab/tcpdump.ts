/**
 * `tcpdump` on a lab node: a live stream of the frames the fabric renders for one interface (or `any`),
 * as a pcap stream (`-w -`, Ethernet, or Linux cooked v1 for `any`) or as tcpdump's one-line text, with
 * `-c N` and a filter over the outer headers (the usual primitives: `host`, `src`/`dst`, `port`,
 * `tcp`/`udp`/`icmp`/`gre`, `proto`, `ip proto`, `and`/`or`/`not`, parentheses). Also
 * {@link startCapture}, which writes a node's capture to a pcap file. The pcap bytes come from capture's
 * `PcapWriter`, unbuffered (every frame goes out as it is captured, as with `tcpdump -U`).
 *
 * The filter language here is tcpdump's ({@link compileTcpdumpFilter}, over raw IPv4 bytes); capture's
 * display filter over decoded frames is another language (`compileFilter` in `lib/capture/filter.ts`).
 */
import { formatIpv4 } from "../ipv4";
import * as fs from "node:fs";
import { PcapWriter, type Timestamp } from "../capture/file/writer";
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from "../capture/link-types";
import type { ToolResult, ToolStream } from "./commands";
import type { Fabric } from "./fabric";

/** A compiled capture filter: true when the frame (starting at its IPv4 header) matches. */
export type PacketFilter = (ip: Buffer) => boolean;

const PROTOS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, gre: 47 };

function ports(ip: Buffer): [number, number] | undefined {
  const proto = ip[9];
  if (proto !== 6 && proto !== 17) return undefined;
  const hl = (ip[0] & 15) * 4;
  if (ip.length < hl + 4) return undefined;
  return [ip.readUInt16BE(hl), ip.readUInt16BE(hl + 2)];
}

/**
 * Compiles a tcpdump (pcap-filter) expression over a frame's outer IPv4 header. Returns an error
 * string on bad syntax.
 *
 * @example
 * const f = compileTcpdumpFilter("udp port 6635 or proto gre");
 * typeof f === "function"; // true
 */
export function compileTcpdumpFilter(expr: string): PacketFilter | string {
  const toks = expr.replace(/\(/g, " ( ").replace(/\)/g, " ) ").replace(/&&/g, " and ").replace(/\|\|/g, " or ").replace(/!/g, " not ").trim().split(/\s+/).filter(Boolean);
  if (toks.length === 0) return () => true;
  let i = 0;
  const peek = () => toks[i];
  const err = (m: string) => {
    throw new Error(m);
  };
  const isIp = (s: string | undefined) => !!s && /^\d+\.\d+\.\d+\.\d+$/.test(s);
  const isNum = (s: string | undefined) => !!s && /^\d+$/.test(s);
  function primary(): PacketFilter {
    const t = toks[i++];
    if (t === undefined) return err("syntax error");
    if (t === "(") {
      const e = orExpr();
      if (toks[i++] !== ")") err("syntax error");
      return e;
    }
    if (t === "not") {
      const e = primary();
      return (p) => !e(p);
    }
    let dir: "src" | "dst" | undefined;
    let w = t;
    if (w === "src" || w === "dst") {
      dir = w;
      w = toks[i] === "host" || toks[i] === "port" ? toks[i++] : isIp(toks[i]) ? "host" : err("syntax error");
      if (w === "host" && !isIp(toks[i])) err("syntax error");
      if (w === "port" && !isNum(toks[i])) err("syntax error");
      return prim(w, dir);
    }
    if (w === "ip" && toks[i] === "proto") {
      i++;
      return protoPrim();
    }
    if (w === "proto") return protoPrim();
    if (w === "ip") return (p) => (p[0] >> 4) === 4;
    if (w === "mpls") return (p) => p[9] === 47 || ((ports(p)?.[1] ?? 0) === 6635);
    if (PROTOS[w] !== undefined) {
      const n = PROTOS[w];
      if (toks[i] === "port" || (toks[i] === "src" || toks[i] === "dst") && toks[i + 1] === "port") {
        const d = toks[i] === "src" || toks[i] === "dst" ? (toks[i++] as "src" | "dst") : undefined;
        i++;
        const pf = portPrim(d);
        return (p) => p[9] === n && pf(p);
      }
      return (p) => p[9] === n;
    }
    if (w === "host" || w === "port") return prim(w, undefined);
    if (isIp(w)) {
      i--;
      return prim("host", undefined);
    }
    return err(`syntax error`);
  }
  function protoPrim(): PacketFilter {
    const v = toks[i++];
    const n = v !== undefined && PROTOS[v] !== undefined ? PROTOS[v] : isNum(v) ? Number(v) : err("syntax error");
    return (p) => p[9] === n;
  }
  function portPrim(dir: "src" | "dst" | undefined): PacketFilter {
    const v = toks[i++];
    if (!isNum(v)) err("syntax error");
    const n = Number(v);
    return (p) => {
      const pp = ports(p);
      if (!pp) return false;
      return dir === "src" ? pp[0] === n : dir === "dst" ? pp[1] === n : pp[0] === n || pp[1] === n;
    };
  }
  function prim(kind: string, dir: "src" | "dst" | undefined): PacketFilter {
    if (kind === "port") return portPrim(dir);
    const v = toks[i++];
    if (!isIp(v)) err("syntax error");
    return (p) => (dir === "dst" ? false : formatIpv4(p, 12) === v) || (dir === "src" ? false : formatIpv4(p, 16) === v);
  }
  function andExpr(): PacketFilter {
    let l = primary();
    while (peek() === "and" || (peek() !== undefined && peek() !== "or" && peek() !== ")")) {
      if (peek() === "and") i++;
      const a = l;
      const r = primary();
      l = (p) => a(p) && r(p);
    }
    return l;
  }
  function orExpr(): PacketFilter {
    let l = andExpr();
    while (peek() === "or") {
      i++;
      const a = l;
      const r = andExpr();
      l = (p) => a(p) || r(p);
    }
    return l;
  }
  try {
    const f = orExpr();
    if (i !== toks.length) return "syntax error";
    return f;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * A capture time in epoch milliseconds (fractional, as the fabric gives it) as a pcap timestamp
 * rounded to the microsecond.
 * @example pcapTime(1732456800123.4567) // { sec: 1732456800, nsec: 123457000 }
 */
export function pcapTime(atMs: number): Timestamp {
  const sec = Math.floor(atMs / 1000);
  const usec = Math.min(999999, Math.round((atMs - sec * 1000) * 1000));
  return { sec, nsec: usec * 1000 };
}

/** Linux cooked capture v1 header + the frame's payload (what `-i any` records). */
function toSll(frame: Buffer, outgoing: boolean): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(outgoing ? 4 : 0, 0);
  h.writeUInt16BE(1, 2);
  h.writeUInt16BE(6, 4);
  frame.copy(h, 6, 6, 12);
  h.writeUInt16BE(frame.readUInt16BE(12), 14);
  return Buffer.concat([h, frame.subarray(14)]);
}

function hhmmss(at: number): string {
  const d = new Date(at);
  const us = Math.floor((at % 1000) * 1000);
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}:${String(d.getUTCSeconds()).padStart(2, "0")}.${String(us).padStart(6, "0")}`;
}

function tcpText(ip: Buffer, off: number): string {
  const hl = (ip[off] & 15) * 4;
  const t = off + hl;
  const src = formatIpv4(ip, off + 12);
  const dst = formatIpv4(ip, off + 16);
  const sp = ip.readUInt16BE(t);
  const dp = ip.readUInt16BE(t + 2);
  const flags = ip[t + 13];
  const doff = (ip[t + 12] >> 4) * 4;
  const len = ip.readUInt16BE(off + 2) - hl - doff;
  let f = "";
  if (flags & 0x02) f += "S";
  if (flags & 0x01) f += "F";
  if (flags & 0x04) f += "R";
  if (flags & 0x08) f += "P";
  if (flags & 0x10) f += ".";
  const seq = ip.readUInt32BE(t + 4);
  const ack = ip.readUInt32BE(t + 8);
  const seqTxt = len > 0 ? `seq ${seq}:${(seq + len) >>> 0}, ` : flags & 0x07 ? `seq ${seq}, ` : "";
  return `IP ${src}.${sp} > ${dst}.${dp}: Flags [${f}], ${seqTxt}${flags & 0x10 ? `ack ${ack}, ` : ""}win ${ip.readUInt16BE(t + 14)}, length ${len}`;
}

/**
 * One line of `tcpdump -nn` text for a frame (IPv4 start offset in the frame given).
 *
 * @example
 * textLine(frame, Date.now()); // "14:00:00.000000 IP 192.168.0.204 > 10.169.25.20: GREv0, length 84: MPLS (label 20, exp 0, [S], ttl 63) IP 15.15.15.2.40000 > 101.101.101.1.80: Flags [S], ..."
 */
export function textLine(frame: Buffer, at: number): string {
  const ip = frame.subarray(14);
  const proto = ip[9];
  const src = formatIpv4(ip, 12);
  const dst = formatIpv4(ip, 16);
  const hl = (ip[0] & 15) * 4;
  const mplsText = (off: number) => {
    const v = ip.readUInt32BE(off);
    return `MPLS (label ${v >>> 12}, exp ${(v >> 9) & 7}, [S], ttl ${v & 255}) ${tcpText(ip, off + 4)}`;
  };
  let body: string;
  if (proto === 47) body = `IP ${src} > ${dst}: GREv0, length ${ip.length - hl}: ${mplsText(hl + 4)}`;
  else if (proto === 17 && ip.readUInt16BE(hl + 2) === 6635) body = `IP ${src}.${ip.readUInt16BE(hl)} > ${dst}.6635: UDP, length ${ip.length - hl - 8}`.replace("UDP,", `${mplsText(hl + 8)} (UDP,`) + ")";
  else if (proto === 6) body = tcpText(ip, 0);
  else body = `IP ${src} > ${dst}: ip-proto-${proto} ${ip.length - hl}`;
  return `${hhmmss(at)} ${body}\n`;
}

/**
 * The `tcpdump` tool of the lab's nodes.
 *
 * @example
 * const provider = tcpdumpProvider(fabric);
 * provider("cent222", ["-i", "ens3", "-w", "-", "-c", "10", "udp", "port", "6635"]);
 */
export function tcpdumpProvider(fabric: Fabric): (node: string, argv: string[]) => ToolResult | ToolStream {
  return (node, argv) => {
    let iface: string | undefined;
    let write: string | undefined;
    let count = Infinity;
    const filt: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === "-i") iface = argv[++i];
      else if (a.startsWith("-i") && a.length > 2) iface = a.slice(2);
      else if (a === "-w") write = argv[++i];
      else if (a === "-c") {
        const v = argv[++i];
        if (!/^\d+$/.test(v ?? "") || Number(v) === 0) return { stdout: "", stderr: `tcpdump: invalid packet count ${v ?? ""}\n`, code: 1 };
        count = Number(v);
      } else if (a === "-s" || a === "-B" || a === "-y") i++;
      else if (/^-[nUvlqtepNSK]+$/.test(a) || a === "--immediate-mode" || a === "-nn") continue;
      else if (a.startsWith("-")) return { stdout: "", stderr: `tcpdump: invalid option -- '${a.replace(/^-+/, "")}'\n`, code: 1 };
      else filt.push(a);
    }
    const ifaces = fabric.interfaces(node);
    if (iface === undefined) iface = ifaces[0];
    if (iface === undefined) return { stdout: "", stderr: "tcpdump: no suitable device found\n", code: 1 };
    if (iface !== "any" && !ifaces.includes(iface)) {
      return { stdout: "", stderr: `tcpdump: ${iface}: No such device exists\n(No such device exists)\n`, code: 1 };
    }
    if (write !== undefined && write !== "-") {
      return { stdout: "", stderr: `tcpdump: ${write}: Read-only file system (use -w - and redirect)\n`, code: 1 };
    }
    const filter = compileTcpdumpFilter(filt.join(" "));
    if (typeof filter === "string") return { stdout: "", stderr: `tcpdump: ${filter}\n`, code: 1 };
    const any = iface === "any";
    const linkName = any ? "LINUX_SLL (Linux cooked v1)" : "EN10MB (Ethernet)";
    let unsub: (() => void) | undefined;
    let n = 0;
    return {
      start(out, err, done) {
        err(`tcpdump: ${write ? "" : "verbose output suppressed, use -v[v]... for full protocol decode\n"}listening on ${iface}, link-type ${linkName}, snapshot length 262144 bytes\n`.replace("tcpdump: listening", "tcpdump: listening"));
        const pcap = write
          ? new PcapWriter((chunk) => out(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)), { linkType: any ? LINKTYPE_LINUX_SLL : LINKTYPE_ETHERNET, bufferSize: 0 })
          : undefined;
        unsub = fabric.subscribe(node, iface!, (frame, at, _hopIface, outgoing) => {
          if (n >= count) return;
          if (!filter(frame.subarray(14))) return;
          n++;
          if (pcap) pcap.write(any ? toSll(frame, outgoing) : frame, pcapTime(at));
          else out(Buffer.from(textLine(frame, at)));
          if (n >= count) {
            unsub?.();
            err(`${n} packets captured\n${n} packets received by filter\n0 packets dropped by kernel\n`);
            done(0);
          }
        });
      },
      stop() {
        unsub?.();
      },
    };
  };
}

/** A running file capture. */
export interface CaptureHandle {
  file: string;
  /** Packets written so far. */
  readonly packets: number;
  stop(): Promise<void>;
}

/**
 * Writes a node interface's frames to a pcap file until `stop()`.
 *
 * @example
 * const cap = lab.capture("cent222", "ens3", "/tmp/cent222.pcap");
 * // ... traffic ...
 * await cap.stop(); // tshark -r /tmp/cent222.pcap
 */
export function startCapture(fabric: Fabric, node: string, iface: string, file: string): CaptureHandle {
  const ws = fs.createWriteStream(file);
  ws.on("error", () => undefined);
  const any = iface === "any";
  const pcap = new PcapWriter(ws, { linkType: any ? LINKTYPE_LINUX_SLL : LINKTYPE_ETHERNET, bufferSize: 0 });
  let packets = 0;
  const unsub = fabric.subscribe(node, iface, (frame, at, _hopIface, outgoing) => {
    packets++;
    pcap.write(any ? toSll(frame, outgoing) : frame, pcapTime(at));
  });
  return {
    file,
    get packets() {
      return packets;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        unsub();
        ws.end(() => resolve());
      }),
  };
}
