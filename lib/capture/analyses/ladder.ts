/**
 * A sequence (ladder) diagram as a vega-lite v5 spec: endpoints on x, time downwards on y, one
 * arrow per packet labelled with its TCP flags or HTTP line. The display layer renders it.
 * @module
 */
import type { FrameTable } from "../table/frame-table";
import { tcpFlagNames } from "../format";
import { tunnelText } from "./frame-list";

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
  const values: Record<string, unknown>[] = [];
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
    values.push({
      no: c.no[i], row: i, ms: Math.round((c.sec[i]! + c.nsec[i]! / 1e9 - t0) * 1e9) / 1e6,
      from, to, mid: (from + to) / 2, head: to >= from ? "triangle-right" : "triangle-left",
      label, tunnel: tunnelText(t, i),
    });
  }
  const lifelines = names.map((name, k) => ({ k, name, top: 0, bottom: Math.max(n - 1, 0) }));
  const xScale = { domain: [-0.5, Math.max(names.length - 0.5, 0.5)] };
  const labelExpr = `${JSON.stringify(names)}[datum.value] || ''`;
  const x = { type: "quantitative", scale: xScale, axis: { orient: "top", values: names.map((_, k) => k), labelExpr, title: null, grid: false, labelAngle: 0 } };
  const y = { type: "quantitative", scale: { reverse: true, domain: [-0.5, Math.max(n - 0.5, 0.5)] }, axis: null };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? (t.length > n ? `first ${n} of ${t.length} packets` : `${n} packets`),
    width,
    height: Math.max(n, 1) * rowHeight,
    layer: [
      {
        data: { values: lifelines },
        mark: { type: "rule", color: "#999", strokeDash: [4, 4] },
        encoding: { x: { field: "k", ...x }, y: { field: "top", ...y }, y2: { field: "bottom" } },
      },
      {
        data: { values },
        layer: [
          {
            mark: { type: "rule", strokeWidth: 1.5 },
            encoding: {
              x: { field: "from", ...x }, x2: { field: "to" }, y: { field: "row", ...y },
              color: { field: "tunnel", type: "nominal", legend: { title: "tunnel" } },
              tooltip: [
                { field: "no", title: "frame" }, { field: "ms", title: "ms" }, { field: "label" }, { field: "tunnel" },
              ],
            },
          },
          {
            mark: { type: "point", filled: true, size: 60 },
            encoding: {
              x: { field: "to", ...x }, y: { field: "row", ...y },
              shape: { field: "head", type: "nominal", scale: null },
              color: { field: "tunnel", type: "nominal" },
            },
          },
          {
            mark: { type: "text", dy: -7, fontSize: 10 },
            encoding: { x: { field: "mid", ...x }, y: { field: "row", ...y }, text: { field: "label" } },
          },
          {
            mark: { type: "text", align: "right", dx: -4, fontSize: 9, color: "#666" },
            encoding: { x: { datum: -0.5, ...x }, y: { field: "row", ...y }, text: { field: "ms", format: ".3f" } },
          },
        ],
      },
    ],
  };
}
