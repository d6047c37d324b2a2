/**
 * A sequence (ladder) diagram of a frame table as a vega-lite v5 spec: endpoints on x, time downwards
 * on y, one arrow per packet labelled with its TCP flags or HTTP line. The spec itself is drawn by
 * the one ladder builder, `ladderSpec` (`lib/display/ladder.ts`); this module places frames on lanes.
 * @module
 */
import type { FrameTable } from "../table/frame-table";
import { tcpFlagNames } from "../format";
import { tunnelText } from "./frame-list";
import { ladderSpec, type LadderArrow } from "../../display/ladder";

/** Options for {@link ladderChart}. */
export interface LadderOptions {
  /** Endpoint naming: `"socket"` (addr:port, default) or `"host"` (addr only). */
  endpoints?: "socket" | "host";
  /** Most packets drawn (default 200); the rest are dropped with a note in the title. */
  maxPackets?: number;
  title?: string;
  width?: number;
  /** Pixels per packet row (default 22). */
  rowHeight?: number;
}

/** A vega-lite spec object. */
export type VegaLiteSpec = Record<string, unknown> & { $schema: string };

/**
 * Builds the ladder diagram of the table's frames (filter the table first, e.g. with
 * `connectionFrames`).
 * @example
 * display.vegalite(ladderChart(connectionFrames(t, { client: "15.15.15.2", clientPort: 40000, server: "101.101.101.1" })));
 */
export function ladderChart(t: FrameTable, options: LadderOptions = {}): VegaLiteSpec {
  const { endpoints = "socket", maxPackets = 200, width = 560, rowHeight = 22 } = options;
  const c = t.columns;
  const a = t.dicts.addresses;
  const n = Math.min(t.length, maxPackets);
  const names: string[] = [];
  const index = new Map<string, number>();
  const at = (name: string) => {
    let k = index.get(name);
    if (k === undefined) { k = names.length; names.push(name); index.set(name, k); }
    return k;
  };
  const t0 = n > 0 ? c.sec[0]! + c.nsec[0]! / 1e9 : 0;
  const arrows: LadderArrow[] = [];
  for (let i = 0; i < n; i++) {
    const src = a[c.src[i]!] ?? "?", dst = a[c.dst[i]!] ?? "?";
    const ports = (c.ipProto[i] === 6 || c.ipProto[i] === 17) && endpoints === "socket";
    const from = at(ports ? `${src}:${c.srcPort[i]}` : src);
    const to = at(ports ? `${dst}:${c.dstPort[i]}` : dst);
    let label: string;
    if (c.httpMethod[i]) label = `${t.value("httpMethod", i)} ${t.dicts.strings[c.httpPath[i]!]}`;
    else if (c.httpStatus[i]) label = `HTTP ${c.httpStatus[i]}`;
    else if (c.ipProto[i] === 6) label = `[${tcpFlagNames(c.tcpFlags[i]!).join(",")}]${c.payloadLen[i]! > 0 ? ` len ${c.payloadLen[i]}` : ""}`;
    else label = t.dicts.protocols[c.protocols[i]!]!.split(":").pop() ?? "";
    arrows.push({ no: c.no[i]!, ms: Math.round((c.sec[i]! + c.nsec[i]! / 1e9 - t0) * 1e9) / 1e6, from, to, label, tunnel: tunnelText(t, i) });
  }
  return ladderSpec({
    lanes: names,
    arrows,
    title: options.title ?? (t.length > n ? `first ${n} of ${t.length} packets` : `${n} packets`),
    width,
    rowHeight,
    color: "tunnel",
    tooltip: [{ field: "no", title: "frame" }, { field: "ms", title: "ms" }, "label", "tunnel"],
    times: true,
  });
}
