/**
 * Executed notebooks (`.ipynb`) redacted in every place they carry text: cell sources, cell and
 * notebook metadata (parameters, provenance), stream outputs, error names, values and tracebacks, and
 * every MIME type of a display: text/plain, text/html, text/markdown and JSON types through the text
 * rewriter; a chart's vega-lite spec through the JSON redactor, and its image/svg+xml and image/png
 * **rendered again** from the redacted spec with the project's chart renderer (never edited as pixels).
 * An image with no spec to render it from, a cell attachment, and a MIME type not known here are
 * removed and listed: they cannot be redacted.
 */
import { renderPng, renderSvg, VEGALITE_MIME } from "../display/chart";
import { redactJson } from "./json";
import type { TextRedactor } from "./text";

/** A notebook's JSON, as read. */
export type NotebookJson = { cells?: unknown[]; metadata?: unknown; [k: string]: unknown };

const TEXT_MIMES = new Set(["text/plain", "text/html", "text/markdown", "text/latex", "text/csv", "text/tab-separated-values"]);
const VEGA_MIMES = new Set([VEGALITE_MIME, "application/vnd.vegalite.v4+json", "application/vnd.vegalite.v3+json"]);
const IMAGE_MIMES = new Set(["image/svg+xml", "image/png", "image/jpeg", "image/gif"]);

/**
 * Renders charts from redacted specs, once per distinct spec.
 *
 * @example
 * const charts = new ChartRenderer();
 * await redactNotebook(nb1, redactor, charts); await redactNotebook(nb2, redactor, charts); // shared cache
 */
export class ChartRenderer {
  private readonly cache = new Map<string, Promise<{ svg: string; png: string | null }>>();
  /** Charts rendered (distinct specs), and the milliseconds it took. */
  rendered = 0;
  ms = 0;

  /**
   * The SVG and PNG (base64) of a vega-lite spec.
   *
   * @example
   * const { svg, png } = await renderer.render(spec);
   */
  render(spec: unknown): Promise<{ svg: string; png: string | null }> {
    const k = JSON.stringify(spec);
    let p = this.cache.get(k);
    if (!p) {
      this.rendered++;
      const t0 = performance.now();
      p = renderSvg(spec as Record<string, unknown>).then((svg) => {
        const png = renderPng(svg)?.toString("base64") ?? null;
        this.ms += performance.now() - t0;
        return { svg, png };
      });
      this.cache.set(k, p);
    }
    return p;
  }
}

/**
 * A redacted copy of a notebook, and what had to be removed.
 *
 * @example
 * const { notebook, removed } = await redactNotebook(JSON.parse(text), redactor, new ChartRenderer());
 */
export async function redactNotebook(nb: NotebookJson, r: TextRedactor, charts: ChartRenderer): Promise<{ notebook: NotebookJson; removed: string[]; charts: number }> {
  const removed: string[] = [];
  let chartCount = 0;
  const text = (v: unknown): unknown => (typeof v === "string" ? r.text(v) : Array.isArray(v) ? v.map((x) => (typeof x === "string" ? r.text(x) : x)) : v);
  const out: NotebookJson = { ...nb, metadata: redactJson(nb.metadata ?? {}, r) };
  const cells = Array.isArray(nb.cells) ? nb.cells : [];
  out.cells = [];
  for (let ci = 0; ci < cells.length; ci++) {
    const cell = cells[ci] as Record<string, unknown>;
    const c: Record<string, unknown> = { ...cell, source: text(cell.source), metadata: redactJson(cell.metadata ?? {}, r) };
    if (cell.attachments !== undefined) {
      delete c.attachments;
      removed.push(`cell ${ci + 1}: attachments (images cannot be redacted)`);
    }
    if (Array.isArray(cell.outputs)) {
      const outs: unknown[] = [];
      for (let oi = 0; oi < cell.outputs.length; oi++) {
        const o = cell.outputs[oi] as Record<string, unknown>;
        const where = `cell ${ci + 1} output ${oi + 1}`;
        const ro: Record<string, unknown> = { ...o };
        if (o.metadata !== undefined) ro.metadata = redactJson(o.metadata, r);
        if (o.output_type === "stream") ro.text = text(o.text);
        else if (o.output_type === "error") {
          ro.ename = text(o.ename);
          ro.evalue = text(o.evalue);
          ro.traceback = Array.isArray(o.traceback) ? o.traceback.map((t) => (typeof t === "string" ? r.text(t) : t)) : o.traceback;
        } else if (o.data && typeof o.data === "object") {
          const data = o.data as Record<string, unknown>;
          const nd: Record<string, unknown> = {};
          const spec = Object.keys(data).find((k) => VEGA_MIMES.has(k));
          let rendered: { svg: string; png: string | null } | null = null;
          if (spec) {
            nd[spec] = redactJson(data[spec], r);
            if (data["image/svg+xml"] !== undefined || data["image/png"] !== undefined) {
              try {
                rendered = await charts.render(nd[spec]);
                chartCount++;
              } catch (e) {
                removed.push(`${where}: the chart could not be rendered again (${(e as Error).message}); its images removed`);
              }
            }
          }
          for (const [mime, v] of Object.entries(data)) {
            if (mime === spec) continue;
            if (TEXT_MIMES.has(mime)) nd[mime] = text(v);
            else if (IMAGE_MIMES.has(mime)) {
              if (rendered && mime === "image/svg+xml") nd[mime] = rendered.svg;
              else if (rendered && mime === "image/png" && rendered.png) nd[mime] = rendered.png;
              else removed.push(`${where}: ${mime} (no chart spec to render it from)`);
            } else if (/json$/.test(mime)) nd[mime] = redactJson(v, r);
            else removed.push(`${where}: ${mime} (a kind this version cannot redact)`);
          }
          if (Object.keys(nd).length === 0) nd["text/plain"] = "[removed by packetwalk share: this output could not be redacted]";
          ro.data = nd;
        }
        outs.push(ro);
      }
      c.outputs = outs;
    }
    (out.cells as unknown[]).push(c);
  }
  return { notebook: out, removed, charts: chartCount };
}
