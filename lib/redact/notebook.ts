/**
 * Executed notebooks (`.ipynb`) redacted in every place they carry text: cell sources, cell and
 * notebook metadata (parameters, provenance), stream outputs, error names, values and tracebacks, and
 * every MIME type of a display: text/plain, text/html, text/markdown and JSON types through the text
 * rewriter; a chart's vega-lite spec through the JSON redactor, and its image/svg+xml and image/png
 * **rendered again** from the redacted spec with the project's chart renderer (never edited as pixels).
 * An image with no spec to render it from, a cell attachment, and a MIME type not known here are
 * removed and listed: they cannot be redacted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { VEGALITE_MIME } from "../display/chart";
import { renderChart } from "./chart-worker";
import { redactJson } from "./json";
import type { TextRedactor } from "./text";

/** A notebook's JSON, as read. */
export type NotebookJson = { cells?: unknown[]; metadata?: unknown; [k: string]: unknown };

const TEXT_MIMES = new Set(["text/plain", "text/html", "text/markdown", "text/latex", "text/csv", "text/tab-separated-values"]);
const VEGA_MIMES = new Set([VEGALITE_MIME, "application/vnd.vegalite.v4+json", "application/vnd.vegalite.v3+json"]);
const IMAGE_MIMES = new Set(["image/svg+xml", "image/png", "image/jpeg", "image/gif"]);
const EMPTY = "[removed by packetwalk share: this output could not be redacted]";

/**
 * Renders charts from redacted specs, once per distinct spec, in a worker thread when running from the
 * compiled package (so text redaction goes on meanwhile on the other core), else in this thread.
 *
 * @example
 * const charts = new ChartRenderer();
 * await redactNotebook(nb1, redactor, charts); await redactNotebook(nb2, redactor, charts); // shared cache
 * charts.close();
 */
export class ChartRenderer {
  private readonly cache = new Map<string, Promise<{ svg: string; png: string | null }>>();
  private worker: Worker | null | undefined;
  private readonly waiting = new Map<number, { resolve: (r: { svg: string; png: string | null }) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private started = 0;
  /** Charts rendered (distinct specs), and the milliseconds from the first request to the last answer. */
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
      if (this.started === 0) this.started = performance.now();
      const w = this.getWorker();
      p = (w ? this.inWorker(w, spec) : renderChart(spec as Record<string, unknown>)).then((r) => {
        this.ms = performance.now() - this.started;
        return r;
      });
      this.cache.set(k, p);
    }
    return p;
  }

  /**
   * Stops the worker thread (renders still waiting fail).
   *
   * @example
   * charts.close();
   */
  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }

  private inWorker(w: Worker, spec: unknown): Promise<{ svg: string; png: string | null }> {
    const id = this.nextId++;
    w.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ id, spec });
    });
  }

  private getWorker(): Worker | null {
    if (this.worker !== undefined) return this.worker;
    const file = path.join(__dirname, "chart-worker.js");
    // From the TypeScript sources (tests) there is no compiled worker: render in this thread.
    if (!__filename.endsWith(".js") || !fs.existsSync(file)) return (this.worker = null);
    const w = new Worker(file);
    w.unref();
    w.on("message", (m: { id: number; svg?: string; png?: string | null; error?: string }) => {
      const p = this.waiting.get(m.id);
      if (!p) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) w.unref();
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve({ svg: m.svg ?? "", png: m.png ?? null });
    });
    const fail = (e: Error): void => {
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
      this.worker = null;
    };
    w.on("error", fail);
    w.on("exit", (code) => {
      if (this.waiting.size) fail(new Error(`the chart worker stopped (exit ${code})`));
    });
    return (this.worker = w);
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
  const pending: Promise<void>[] = [];
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
          const images = Object.keys(data).filter((k) => IMAGE_MIMES.has(k));
          if (spec) nd[spec] = redactJson(data[spec], r);
          for (const [mime, v] of Object.entries(data)) {
            if (mime === spec || IMAGE_MIMES.has(mime)) continue;
            if (TEXT_MIMES.has(mime)) nd[mime] = text(v);
            else if (/json$/.test(mime)) nd[mime] = redactJson(v, r);
            else removed.push(`${where}: ${mime} (a kind this version cannot redact)`);
          }
          const drawable: string[] = spec ? images.filter((m) => m === "image/svg+xml" || m === "image/png") : [];
          for (const m of images) if (!drawable.includes(m)) removed.push(`${where}: ${m} (no chart spec to render it from)`);
          if (drawable.length) {
            // Rendered while the rest is redacted; filled in below.
            chartCount++;
            pending.push(
              charts.render(nd[spec!]).then(
                (g) => {
                  if (drawable.includes("image/svg+xml")) nd["image/svg+xml"] = g.svg;
                  if (drawable.includes("image/png") && g.png) nd["image/png"] = g.png;
                },
                (e: Error) => {
                  chartCount--;
                  removed.push(`${where}: the chart could not be rendered again (${e.message}); its images removed`);
                  if (Object.keys(nd).length === 0) nd["text/plain"] = EMPTY;
                },
              ),
            );
          } else if (Object.keys(nd).length === 0) nd["text/plain"] = EMPTY;
          ro.data = nd;
        }
        outs.push(ro);
      }
      c.outputs = outs;
    }
    (out.cells as unknown[]).push(c);
  }
  await Promise.all(pending);
  return { notebook: out, removed, charts: chartCount };
}
