/**
 * `packetwalk capture FILE [--json | --tsv FIELDS] [--filter EXPR] [--stats]`: decode a pcap/pcapng
 * file (or `-` for stdin, e.g. `ssh node tcpdump -w - -U | packetwalk capture -`) and print its frames.
 *
 * @example
 * packetwalk capture fabric.pcap --filter 'mpls.label==38 && tcp.port==80'
 * packetwalk capture fabric.pcap --json --filter http
 * packetwalk capture fabric.pcap --tsv no,epoch,tunnel,labels,src,dst,srcPort,dstPort,http.method
 * packetwalk capture fabric.pcap --stats
 */
import * as path from "node:path";
import type { MplsPayloadKind } from "../../lib/capture/layer-ids";
import { CaptureFormatError, FilterSyntaxError } from "../../lib/capture/errors";
import { compileFilter, filterFields } from "../../lib/capture/filter";
import type { FrameRow, FrameTable } from "../../lib/capture/table/frame-table";
// The decoder loads when a capture is read, not for --help or a usage error (start-up stays short).
import { CommandArgs, defineCommand, UsageError } from "./args";
import { loadModule } from "./lazy";
import type { CommandIO } from "./types";

const USAGE = `usage: packetwalk capture FILE [--json | --tsv FIELDS] [--filter EXPR] [--stats]
                          [--mpls-udp-port PORT]... [--vxlan-port PORT]... [--label-map LABEL=KIND,...]
                          [--limit N]

Decodes a pcap or pcapng capture (FILE "-" reads stdin) through MPLSoGRE, MPLSoUDP and VXLAN to
TCP and HTTP, and prints one line per frame (No., Time, Source, Destination, Protocol, Length, Info).
Link types: Ethernet (802.1Q, QinQ), Linux SLL/SLL2, raw IPv4/IPv6, BSD null/loopback, PPP,
PPP-in-HDLC, Cisco HDLC and Juniper's (monitor traffic … write-file); another link type gives one
warning for the file on stderr.

  --json               one JSON object per frame (JSON lines)
  --tsv FIELDS         tab-separated values of the comma-separated FIELDS, with a header line
                       (no, time, epoch, caplen, len, protocols, tunnel, vlan, outerSrc, outerDst, src,
                       dst, labels, vni, tunnelSrcPort, tunnelDstPort, greFlags, greKey, outerTtl, outerDscp,
                       proto, srcPort, dstPort, tcpFlags, seq, ack, payloadLength, http.method, http.path,
                       http.host, http.status, truncated, malformed, problem)
  --filter EXPR        keep frames matching EXPR, e.g. 'mpls.label==38 && tcp.port==80',
                       'tunnel==mplsoudp', 'ip.addr==10.47.255.238', 'http', '!tcp.flags.ack'
                       (&&, ||, !, parentheses; == != < <= > >= contains)
  --stats              frame and byte counts per tunnel type, label stack and VNI
  --mpls-udp-port P    UDP port carrying MPLSoUDP (repeatable; default 6635 and 51234)
  --vxlan-port P       UDP port carrying VXLAN (repeatable; default 4789)
  --label-map MAP      MPLS payload per label from 'mpls --dump', e.g. 38=ip,40=ethernet
  --limit N            stop after N frames

Filter fields: ${filterFields().join(" ")}

Exit status: 0 ok, 1 the file is cut short or corrupt part-way (frames before it are printed),
2 usage error or unreadable input.`;

const TSV_FIELDS = [
  "no", "time", "epoch", "caplen", "len", "protocols", "tunnel", "vlan", "outerSrc", "outerDst", "src", "dst", "labels",
  "vni", "tunnelSrcPort", "tunnelDstPort", "greFlags", "greKey", "outerTtl", "outerDscp", "proto", "srcPort", "dstPort", "tcpFlags", "seq", "ack", "payloadLength", "http.method", "http.path",
  "http.host", "http.status", "truncated", "malformed", "problem",
];

function field(row: FrameRow, name: string): string {
  let v: unknown = row;
  for (const part of name.split(".")) v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[part];
  if (v === undefined) return "";
  if (Array.isArray(v)) return v.join(",");
  return String(v);
}

function parseLabelMap(text: string): Map<number, MplsPayloadKind> {
  const map = new Map<number, MplsPayloadKind>();
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)\s*=\s*(ip|ipv4|ipv6|ethernet|eth|l2|l3)$/i.exec(item);
    if (!m) throw new Error(`bad --label-map entry '${item}' (want LABEL=ip|ipv4|ipv6|ethernet)`);
    const k = m[2]!.toLowerCase();
    map.set(Number(m[1]), (k === "eth" || k === "l2" ? "ethernet" : k === "l3" ? "ip" : k) as MplsPayloadKind);
  }
  return map;
}

function ports(values: string[] | undefined, flag: string): number[] | undefined {
  if (!values || values.length === 0) return undefined;
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`bad ${flag} '${v}'`);
    return n;
  });
}

function printStats(t: FrameTable, out: NodeJS.WritableStream): void {
  const tunnels = new Map<string, { frames: number; bytes: number }>();
  const labels = new Map<string, { tunnel: string; frames: number; bytes: number }>();
  for (let i = 0; i < t.length; i++) {
    const tunnel = String(t.value("tunnel", i)) || "none";
    const len = t.columns.len[i]!;
    const e = tunnels.get(tunnel) ?? { frames: 0, bytes: 0 };
    e.frames++;
    e.bytes += len;
    tunnels.set(tunnel, e);
    const stack = t.columns.mplsLabels[i] ? `label ${t.dicts.labelStacks[t.columns.mplsLabels[i]!]}` : t.columns.vni[i]! >= 0 ? `vni ${t.columns.vni[i]}` : "";
    if (stack) {
      const key = `${tunnel}\t${stack}`;
      const l = labels.get(key) ?? { tunnel, frames: 0, bytes: 0 };
      l.frames++;
      l.bytes += len;
      labels.set(key, l);
    }
  }
  out.write("tunnel\tframes\tbytes\n");
  for (const [k, v] of [...tunnels].sort((a, b) => b[1].frames - a[1].frames)) out.write(`${k}\t${v.frames}\t${v.bytes}\n`);
  out.write("\ntunnel\tlabel/vni\tframes\tbytes\n");
  for (const [k, v] of [...labels].sort((a, b) => b[1].frames - a[1].frames)) out.write(`${k}\t${v.frames}\t${v.bytes}\n`);
  out.write(`\ntotal\t${t.length} frames\n`);
}

/** Writes, honouring back-pressure once per batch. */
async function writeLines(out: NodeJS.WritableStream, lines: Iterable<string>): Promise<void> {
  let batch = "";
  for (const line of lines) {
    batch += line + "\n";
    if (batch.length > 1 << 16) {
      const ok = out.write(batch);
      batch = "";
      if (!ok) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
  }
  if (batch) out.write(batch);
}

const OPTIONS = {
  json: { type: "boolean" },
  tsv: { type: "string" },
  filter: { type: "string" },
  stats: { type: "boolean" },
  "mpls-udp-port": { type: "string", multiple: true },
  "vxlan-port": { type: "string", multiple: true },
  "label-map": { type: "string" },
  limit: { type: "string" },
} as const;

async function run({ values, positionals }: CommandArgs<typeof OPTIONS>, io: CommandIO): Promise<number> {
  const err = (msg: string) => io.stderr.write(`packetwalk capture: ${msg}\n`);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "missing FILE" : `one FILE expected, got ${positionals.length}`);
  if (values.json && values.tsv !== undefined) throw new UsageError("--json and --tsv exclude each other", { usage: false });
  const file = positionals[0]!;
  let tsvFields: string[] | undefined;
  if (values.tsv !== undefined) {
    tsvFields = values.tsv.split(",").map((s) => s.trim()).filter(Boolean);
    const bad = tsvFields.filter((f) => !TSV_FIELDS.includes(f));
    if (tsvFields.length === 0 || bad.length > 0) {
      throw new UsageError(`unknown --tsv field${bad.length > 1 ? "s" : ""} ${bad.join(", ") || "(none given)"}; known: ${TSV_FIELDS.join(",")}`, { usage: false });
    }
  }
  let keep: ReturnType<typeof compileFilter> | undefined;
  let options;
  try {
    if (values.filter !== undefined) keep = compileFilter(values.filter);
    const limit = values.limit !== undefined ? Number(values.limit) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error(`bad --limit '${values.limit}'`);
    options = {
      mplsUdpPorts: ports(values["mpls-udp-port"], "--mpls-udp-port"),
      vxlanPorts: ports(values["vxlan-port"], "--vxlan-port"),
      ...(values["label-map"] !== undefined ? { mplsPayload: parseLabelMap(values["label-map"]) } : {}),
      ...(limit !== undefined ? { limit } : {}),
      signal: io.signal,
    };
  } catch (e) {
    err(e instanceof FilterSyntaxError ? e.message : (e as Error).message);
    return 2;
  }
  const source = file === "-" ? io.stdin : path.resolve(io.cwd, file);
  let table: FrameTable;
  try {
    const { readCapture } = await loadModule<typeof import("../../lib/capture/read")>("../../lib/capture/read");
    table = await readCapture(source, { ...options, name: file === "-" ? "stdin" : file });
  } catch (e) {
    err(e instanceof CaptureFormatError ? e.message : `${file}: ${(e as Error).message}`);
    return 2;
  }
  for (const w of table.warnings) err(`warning: ${w}`);
  if (keep !== undefined) table = table.select(table.indices(keep));
  if (values.stats) {
    printStats(table, io.stdout);
  } else if (values.json) {
    await writeLines(io.stdout, (function* () { for (const r of table.rows()) yield JSON.stringify(r); })());
  } else if (tsvFields) {
    const fields = tsvFields;
    await writeLines(io.stdout, (function* () {
      yield fields.join("\t");
      for (const r of table.rows()) yield fields.map((f) => field(r, f)).join("\t");
    })());
  } else {
    const { frameListRows } = await loadModule<typeof import("../../lib/capture/analyses/frame-list")>("../../lib/capture/analyses/frame-list");
    await writeLines(io.stdout, (function* () {
      yield ["No.", "Time", "Source", "Destination", "Protocol", "Length", "Info"].join("\t");
      for (const r of frameListRows(table)) {
        yield [r["No."], r.Time.toFixed(6), r.Source, r.Destination, r.Protocol, r.Length, r.Info].join("\t");
      }
    })());
  }
  if (table.error) {
    err(`${table.error.message} (${table.length} frames read before it)`);
    return 1;
  }
  return 0;
}

/** The `capture` command. */
const capture = defineCommand({ name: "capture", usage: USAGE, options: OPTIONS, run });

export default capture;
