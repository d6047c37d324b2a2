/**
 * Charts: a vega-lite v5 spec rendered as the four MIME types every frontend can read —
 * `application/vnd.vegalite.v5+json` (JupyterLab, VS Code), `image/svg+xml` (nbconvert, classic
 * notebook), `image/png` (GitHub) and `text/plain` (terminals, diffs).
 */
import type { DisplayBundle, MimeBundle } from "./bundle";
import { JUPYTER_DISPLAY } from "./bundle";

/** The MIME type JupyterLab 4 renders (v5, not v6). */
export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";
/** The `$schema` of every spec packetwalk emits. */
export const VEGALITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** A vega-lite spec: a plain JSON object. */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * A chart: a vega-lite v5 spec plus a one-paragraph text summary for `text/plain`.
 * `show(chart)` renders it; `await chart.bundle()` gives the four-MIME bundle.
 */
export class Chart {
  readonly spec: VegaLiteSpec;
  readonly summary: string;
  constructor(spec: VegaLiteSpec, summary?: string) {
    this.spec = { $schema: VEGALITE_SCHEMA, ...spec };
    this.summary = summary ?? defaultSummary(this.spec);
  }
  /** The full bundle (SVG and PNG rendered). */
  bundle(): Promise<DisplayBundle> {
    return chartBundle(this.spec, this.summary);
  }
  /** A synchronous bundle without rasterised fallbacks (used only where rendering is impossible). */
  [JUPYTER_DISPLAY](): MimeBundle {
    return { [VEGALITE_MIME]: this.spec, "text/plain": this.summary };
  }
}

/**
 * Wraps a vega-lite spec as a {@link Chart}.
 *
 * @example
 * const c = chart({ mark: "bar", data: { values: [{ stage: "FIP NAT", pkts: 3 }] },
 *   encoding: { x: { field: "stage", type: "nominal" }, y: { field: "pkts", type: "quantitative" } } },
 *   "packets per stage: FIP NAT 3");
 * show(c);
 */
export function chart(spec: VegaLiteSpec, summary?: string): Chart {
  return new Chart(spec, summary);
}

/**
 * Whether `x` is a plain vega-lite spec (by its `$schema`).
 *
 * @example
 * isVegaLiteSpec({ $schema: "https://vega.github.io/schema/vega-lite/v5.json", mark: "bar" }); // true
 */
export function isVegaLiteSpec(x: unknown): x is VegaLiteSpec {
  return !!x && typeof x === "object" && typeof (x as { $schema?: unknown }).$schema === "string" &&
    /vega-lite/.test((x as { $schema: string }).$schema);
}

function defaultSummary(spec: VegaLiteSpec): string {
  const title = typeof spec.title === "string" ? spec.title : (spec.title as { text?: string } | undefined)?.text;
  const values = (spec.data as { values?: unknown[] } | undefined)?.values;
  const mark = typeof spec.mark === "string" ? spec.mark : (spec.mark as { type?: string } | undefined)?.type;
  return `${title ?? "chart"} (${mark ?? "layered"} chart${Array.isArray(values) ? `, ${values.length} data points` : ""})`;
}

/**
 * Renders a vega-lite spec to SVG with vega's headless renderer (no canvas, no browser).
 *
 * @example
 * const svg = await renderSvg({ mark: "point", data: { values: [{ x: 1 }] },
 *   encoding: { x: { field: "x", type: "quantitative" } } });
 * svg.startsWith("<svg"); // true
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const url = findDataUrl(spec);
  if (url !== null) throw new Error(`charts must carry their data inline; refusing to load ${JSON.stringify(url)}`);
  const vl = await import("vega-lite");
  const vega = await import("vega");
  const compiled = vl.compile({ $schema: VEGALITE_SCHEMA, ...spec } as never).spec;
  // Defence in depth: a loader that refuses every load, so rendering never touches the network or disk.
  const loader = vega.loader();
  loader.load = async (uri: string) => {
    throw new Error(`charts must carry their data inline; refusing to load ${JSON.stringify(uri)}`);
  };
  loader.sanitize = async (uri: string) => {
    throw new Error(`charts must carry their data inline; refusing to load ${JSON.stringify(uri)}`);
  };
  const view = new vega.View(vega.parse(compiled), { renderer: "none", loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The first `url` of a `data` block anywhere in a spec (layers, concatenations, lookups), or null.
 *
 * @example
 * findDataUrl({ data: { url: "x.csv" } }); // "x.csv"
 * findDataUrl({ data: { values: [] } });   // null
 */
export function findDataUrl(spec: unknown, depth = 0): string | null {
  if (!spec || typeof spec !== "object" || depth > 50) return null;
  if (Array.isArray(spec)) {
    for (const s of spec) {
      const u = findDataUrl(s, depth + 1);
      if (u !== null) return u;
    }
    return null;
  }
  for (const [k, v] of Object.entries(spec)) {
    if (k === "data" && v && typeof v === "object" && typeof (v as { url?: unknown }).url === "string") return (v as { url: string }).url;
    if (k === "url" && typeof v === "string" && depth > 0) return v;
    const u = findDataUrl(v, depth + 1);
    if (u !== null) return u;
  }
  return null;
}

type ResvgCtor = new (svg: string, opts: object) => { render(): { asPng(): Uint8Array } };
let resvg: ResvgCtor | null | undefined;

/**
 * Rasterises SVG to PNG with resvg (a prebuilt binary from npm); `null` when resvg cannot load on this
 * platform, in which case the PNG fallback is skipped.
 *
 * @example
 * const png = renderPng(svg); // Buffer starting with \x89PNG, or null
 */
export function renderPng(svg: string, scale = 2): Buffer | null {
  if (resvg === undefined) {
    try {
      resvg = (require("@resvg/resvg-js") as { Resvg: ResvgCtor }).Resvg;
    } catch {
      resvg = null;
    }
  }
  if (!resvg) return null;
  const r = new resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return Buffer.from(r.render().asPng());
}

/**
 * The four-MIME bundle of a chart. A spec that vega cannot render still gives the vega-lite JSON and
 * the text, with the render error in the text so nothing fails silently.
 *
 * @example
 * const b = await chartBundle(spec, "3 probes, all 200");
 * Object.keys(b.data); // ["application/vnd.vegalite.v5+json", "image/svg+xml", "image/png", "text/plain"]
 */
export async function chartBundle(spec: VegaLiteSpec, summary?: string): Promise<DisplayBundle> {
  const full = { $schema: VEGALITE_SCHEMA, ...spec };
  const text = summary ?? defaultSummary(full);
  const data: MimeBundle = { [VEGALITE_MIME]: full };
  try {
    const svg = await renderSvg(full);
    data["image/svg+xml"] = svg;
    const png = renderPng(svg);
    if (png) data["image/png"] = png.toString("base64");
    data["text/plain"] = text;
  } catch (e) {
    data["text/plain"] = `${text}\n[chart could not be rendered: ${(e as Error).message}]`;
  }
  return { data, metadata: { [VEGALITE_MIME]: { embed_options: { actions: false } } } };
}
