/**
 * Exports an executed notebook as one self-contained HTML file that needs no network and no
 * JavaScript: markdown rendered, tables as HTML, charts as inline SVG (PNG when there is no SVG),
 * errors shown, every cell's status and duration. It is what people attach to an incident ticket.
 */
import { marked } from "marked";
import type { Cell, CodeCell, Notebook, Output } from "./notebook";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const text = (v: unknown) => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : JSON.stringify(v, null, 2));
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

/**
 * Removes active content from HTML or SVG: script/iframe/object/embed elements, `on…=` handlers and
 * `javascript:` URLs. The report must render with JavaScript off and must not run anything.
 *
 * @example
 * stripActive('<b onclick="x()">hi</b><script>x()</script>'); // "<b>hi</b>"
 */
export function stripActive(html: string): string {
  return html
    .replace(/<(script|iframe|object|embed)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<(script|iframe|object|embed)\b[^>]*\/?>/gi, "")
    .replace(/\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "")
    .replace(/(href|src|xlink:href)\s*=\s*("|')\s*javascript:[^"']*\2/gi, '$1="#"');
}

/** Picks and renders the best MIME type of a bundle for a static page. */
export function renderBundle(data: Record<string, unknown>): string {
  if (typeof data["text/html"] === "string" || Array.isArray(data["text/html"])) return `<div class="out-html">${stripActive(text(data["text/html"]))}</div>`;
  if (data["image/svg+xml"] !== undefined) {
    const svg = stripActive(text(data["image/svg+xml"])).replace(/^\s*<\?xml[^>]*>/, "");
    return `<div class="out-svg">${svg}</div>`;
  }
  if (data["image/png"] !== undefined) return `<div class="out-img"><img alt="chart" src="data:image/png;base64,${esc(text(data["image/png"]).replace(/\s/g, ""))}"></div>`;
  if (data["image/jpeg"] !== undefined) return `<div class="out-img"><img alt="image" src="data:image/jpeg;base64,${esc(text(data["image/jpeg"]).replace(/\s/g, ""))}"></div>`;
  if (data["text/markdown"] !== undefined) return `<div class="out-md">${stripActive(marked.parse(text(data["text/markdown"]), { async: false }) as string)}</div>`;
  if (data["text/plain"] !== undefined) return `<pre class="out-text">${esc(text(data["text/plain"]))}</pre>`;
  const json = Object.entries(data).find(([k]) => /json$/.test(k));
  if (json) return `<pre class="out-text">${esc(JSON.stringify(json[1], null, 2))}</pre>`;
  return `<pre class="out-text">(no renderable output: ${esc(Object.keys(data).join(", "))})</pre>`;
}

function renderOutput(o: Output): string {
  switch (o.output_type) {
    case "stream":
      return `<pre class="out-stream ${o.name}">${esc(stripAnsi(text(o.text)))}</pre>`;
    case "display_data":
    case "execute_result":
      return renderBundle(o.data);
    case "error":
      return `<div class="out-error"><div class="ename">${esc(o.ename)}: ${esc(stripAnsi(o.evalue))}</div>${
        o.traceback.length ? `<pre>${esc(stripAnsi(o.traceback.join("\n")))}</pre>` : ""
      }</div>`;
    default:
      return "";
  }
}

function renderCell(cell: Cell, n: number, hideInput: boolean): string {
  if (cell.cell_type === "markdown") return `<section class="md">${stripActive(marked.parse(cell.source, { async: false }) as string)}</section>`;
  if (cell.cell_type === "raw") return `<pre class="raw">${esc(cell.source)}</pre>`;
  const c = cell as CodeCell;
  const pw = (c.metadata.packetwalk ?? {}) as { status?: string; duration_seconds?: number };
  const status = pw.status ?? "not run";
  const tags = (c.metadata.tags ?? []).map((t) => `<span class="tag">${esc(t)}</span>`).join(" ");
  const dur = typeof pw.duration_seconds === "number" ? `${pw.duration_seconds.toFixed(2)} s` : "";
  const input = hideInput ? "" : `<pre class="source">${esc(c.source)}</pre>`;
  // In report mode a cell is its outputs; the badge line only matters next to code.
  const head = hideInput && status === "ok" ? "" : `<div class="cellhead"><span class="count">[${c.execution_count ?? " "}]</span> <span class="badge">${esc(status)}</span> <span class="dur">${dur}</span> ${tags}</div>`;
  return `<section class="code status-${esc(status)}" id="cell-${esc(c.id)}">
${head}
${input}
${c.outputs.map(renderOutput).join("\n")}
</section>`;
  void n;
}

const CSS = `
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
header{border-bottom:2px solid #2c3e50;margin-bottom:1.5em;padding-bottom:.5em}
header h1{margin:.2em 0}
.meta{color:#555;font-size:.9em}
.meta code{background:#f3f3f3;padding:0 .3em}
section{margin:1em 0}
pre{white-space:pre-wrap;word-break:break-word;margin:.4em 0}
pre.source{background:#f6f8fa;border-left:3px solid #9aa;padding:.5em .8em;font-size:.85em}
pre.out-text,pre.out-stream{font-size:.85em;padding:.2em .8em}
pre.stderr{background:#fff4f4}
.cellhead{font-size:.8em;color:#666}
.badge{border-radius:3px;padding:0 .4em;background:#ddd}
.status-ok .badge{background:#d4edda;color:#155724}
.status-error .badge,.status-timeout .badge,.status-dead .badge{background:#f8d7da;color:#721c24}
.status-aborted .badge,.status-skipped .badge{background:#fff3cd;color:#856404}
.tag{background:#eef;border-radius:3px;padding:0 .3em}
.out-error{background:#fdecea;border-left:3px solid #c0392b;padding:.4em .8em;margin:.4em 0}
.out-error .ename{font-weight:bold;color:#c0392b}
table{border-collapse:collapse;font-size:.85em;margin:.4em 0}
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left}
th{background:#f0f0f0}
.out-svg svg,.out-img img{max-width:100%;height:auto}
.summary td.bad{color:#c0392b;font-weight:bold}
`;

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  title?: string;
  /** Report mode: hide code, keep outputs. */
  hideInput?: boolean;
}

/**
 * Renders the notebook as a self-contained HTML page.
 *
 * @example
 * fs.writeFileSync("out/walk.html", renderHtml(result.notebook, { title: "packet walk" }));
 */
export function renderHtml(nb: Notebook, opts: HtmlOptions = {}): string {
  const meta = (nb.metadata.packetwalk ?? {}) as {
    version?: string; executed_at?: string; duration_seconds?: number; status?: string; source?: string;
    parameters?: Record<string, unknown>; cells?: Record<string, number>;
  };
  const h1 = nb.cells.find((c) => c.cell_type === "markdown" && /^#\s+/m.test(c.source));
  const title = opts.title ?? (h1 ? h1.source.match(/^#\s+(.+)$/m)![1] : meta.source ?? "packetwalk notebook");
  const params = meta.parameters && Object.keys(meta.parameters).length
    ? `<div>parameters: ${Object.entries(meta.parameters).map(([k, v]) => `<code>${esc(k)}=${esc(JSON.stringify(v))}</code>`).join(" ")}</div>`
    : "";
  const cells = meta.cells ? Object.entries(meta.cells).filter(([, v]) => v > 0).map(([k, v]) => `${v} ${k}`).join(", ") : "";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="packetwalk ${esc(meta.version ?? "")}">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<header><h1>${esc(title)}</h1>
<div class="meta">${meta.source ? `notebook <code>${esc(meta.source)}</code> · ` : ""}${meta.executed_at ? `run ${esc(meta.executed_at)}` : "not executed"}${
    typeof meta.duration_seconds === "number" ? ` · ${meta.duration_seconds.toFixed(1)} s` : ""
  }${meta.status ? ` · <b>${esc(meta.status)}</b>` : ""}${cells ? ` (${esc(cells)})` : ""} · packetwalk ${esc(meta.version ?? "")}</div>
${params}</header>
<main>
${nb.cells.map((c, i) => renderCell(c, i, opts.hideInput ?? false)).join("\n")}
</main>
</body></html>
`;
}
