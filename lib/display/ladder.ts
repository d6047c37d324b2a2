/**
 * The one ladder (sequence) diagram builder: lanes left to right, time downwards, one arrow per
 * message with its label, arrowheads pointing the way the message went. A vega-lite v5 spec with its
 * data inline; wrap it with `chart()` for the SVG / PNG / text fallbacks. Used by the capture's
 * `ladderChart` (the frames of a table, lanes = endpoints) and the walk's `ladderDiagram` (captured
 * packets placed on the walk's lanes).
 */
import { VEGALITE_SCHEMA, type VegaLiteSpec } from "./chart";

/** A data cell of an arrow. */
export type LadderCell = string | number | boolean | null;

/** One arrow of a ladder. Fields beyond these stay in the spec's data (for colour and tooltips). */
export interface LadderArrow {
  /** The lane it leaves: its position in `lanes`, or its name. */
  from: number | string;
  /** The lane it reaches: its position in `lanes`, or its name. */
  to: number | string;
  label: string;
  /** Milliseconds since the first arrow, printed at the left of its row (see {@link LadderSpecOptions.times}). */
  ms?: number;
  [field: string]: LadderCell | undefined;
}

/** What {@link ladderSpec} draws. */
export interface LadderSpecOptions {
  /** Lane names, left to right. */
  lanes: readonly string[];
  /** Arrows, top to bottom. */
  arrows: readonly LadderArrow[];
  title: string;
  /** Pixels (default 560). */
  width?: number;
  /** Pixels per arrow row (default 22). */
  rowHeight?: number;
  /** The arrow field that colours the arrows (`tunnel`, `connection`), with a legend of that name. */
  color?: string;
  /** Tooltip fields of an arrow: a field name, or a field with its title. Every mark of an arrow (rule, arrowhead, label, time) carries it. */
  tooltip?: readonly (string | { field: string; title: string })[];
  /** Print each arrow's `ms` at the left of its row (default: when the arrows carry `ms`). */
  times?: boolean;
}

/**
 * The vega-lite v5 spec of a ladder: lifelines, one rule + arrowhead + label per arrow, and the time
 * of each arrow at the left. The data rows are the arrows as given plus `row`, `x1`, `x2` (lane
 * positions), `mid` and `head` (arrowhead shape), in layer 1.
 *
 * @example
 * show(chart(ladderSpec({ lanes: ["client", "server"], title: "3-way handshake", arrows: [
 *   { from: "client", to: "server", label: "[S]", ms: 0 },
 *   { from: 1, to: 0, label: "[S.]", ms: 0.4 },
 *   { from: 0, to: 1, label: "[.]", ms: 0.5 },
 * ] }), "handshake: 3 packets"));
 */
export function ladderSpec(o: LadderSpecOptions): VegaLiteSpec & { $schema: string } {
  const { lanes, width = 560, rowHeight = 22 } = o;
  const lane = (x: number | string) => (typeof x === "number" ? x : lanes.indexOf(x));
  const values = o.arrows.map((a, row) => {
    const x1 = lane(a.from);
    const x2 = lane(a.to);
    return { ...a, row, x1, x2, mid: (x1 + x2) / 2, head: x2 >= x1 ? "triangle-right" : "triangle-left" };
  });
  const n = values.length;
  const times = o.times ?? values.some((v) => typeof v.ms === "number");
  const lifelines = lanes.map((name, k) => ({ k, name, top: -0.5, bottom: Math.max(n - 0.5, 0.5) }));
  const labelExpr = `${JSON.stringify(lanes)}[datum.value] || ''`;
  const x = {
    type: "quantitative",
    scale: { domain: [-0.5, Math.max(lanes.length - 0.5, 0.5)] },
    axis: { orient: "top", values: lanes.map((_, k) => k), labelExpr, title: null, grid: false, labelAngle: 0 },
  };
  const y = { type: "quantitative", scale: { reverse: true, domain: [-0.5, Math.max(n - 0.5, 0.5)] }, axis: null };
  const color = o.color ? { color: { field: o.color, type: "nominal", legend: { title: o.color } } } : {};
  const tooltip = o.tooltip?.length ? { tooltip: o.tooltip.map((t) => (typeof t === "string" ? { field: t } : t)) } : {};
  return {
    $schema: VEGALITE_SCHEMA,
    title: o.title,
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
          { mark: { type: "rule", strokeWidth: 1.5 }, encoding: { x: { field: "x1", ...x }, x2: { field: "x2" }, y: { field: "row", ...y }, ...color, ...tooltip } },
          {
            mark: { type: "point", filled: true, size: 60 },
            encoding: { x: { field: "x2", ...x }, y: { field: "row", ...y }, shape: { field: "head", type: "nominal", scale: null }, ...color, ...tooltip },
          },
          { mark: { type: "text", dy: -7, fontSize: 10 }, encoding: { x: { field: "mid", ...x }, y: { field: "row", ...y }, text: { field: "label" }, ...tooltip } },
          ...(times
            ? [{
                mark: { type: "text", align: "right", dx: -4, fontSize: 9, color: "#666" },
                encoding: { x: { datum: -0.5, ...x }, y: { field: "row", ...y }, text: { field: "ms", format: ".3f" }, ...tooltip },
              }]
            : []),
        ],
      },
    ],
  };
}

/**
 * The text fallback of a ladder: how many arrows across which lanes, and the first one.
 *
 * @example
 * ladderSummary(["client", "server"], [{ from: 0, to: 1, label: "[S]" }]);
 * // "ladder: 1 packets across client, server; first [S] client → server"
 */
export function ladderSummary(lanes: readonly string[], arrows: readonly LadderArrow[]): string {
  const name = (x: number | string) => (typeof x === "number" ? (lanes[x] ?? String(x)) : x);
  const a = arrows[0];
  return `ladder: ${arrows.length} packets across ${lanes.join(", ")}` + (a ? `; first ${a.label} ${name(a.from)} → ${name(a.to)}` : "");
}
