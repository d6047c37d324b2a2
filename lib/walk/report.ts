/**
 * `WalkReport`: the stage table, the first stage where the packet was not seen, the discovered values,
 * the charts; renders itself in Jupyter (`show(report)`), as an arquero table and as JSON.
 */
import * as aq from "arquero";
import { JUPYTER_DISPLAY, type DisplayBundle } from "../display/bundle";
import type { Chart } from "../display/chart";
import { provenance } from "../display/provenance";
import { textTable } from "../display/table";
import { headerChart, headerHops, headerRows, type HopHeaders } from "./headers";
import { kubeViewHtml, kubeViewMarkdown, kubeViewText, type KubeView } from "./kube-view";
import type { Discovery, StageResult, Verdict, WalkParams } from "./types";

/** One row of the stage table. */
export interface StageRow {
  step: number;
  stage: string;
  direction: string;
  node: string;
  evidence: string;
  verdict: Verdict;
  reason: string;
}

const MARK: Record<Verdict, string> = { pass: "✔ pass", fail: "✘ fail", unknown: "? unknown" };

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** The result of a walk. */
export class WalkReport {
  readonly params: WalkParams;
  readonly stages: StageResult[];
  readonly discovery: Discovery;
  readonly startedAt: number;
  readonly endedAt: number;
  /** The ladder diagram of both TCP connections (from the captures), null when it could not be drawn. */
  readonly ladder: Chart | null;
  /** The flow-entry timeline across nodes (from the snapshots). */
  readonly timeline: Chart | null;
  /** The per-hop latency breakdown (probe timings and capture timestamps). */
  readonly latency: Chart | null;
  /** Nodes that could not be reached, with the reason. */
  readonly unreachable: Record<string, string>;
  /** The Kubernetes view beside the stages (`kube-view.ts`): null when the walk did not build one. */
  readonly kubernetes: KubeView | null;

  constructor(init: {
    params: WalkParams; stages: StageResult[]; discovery: Discovery; startedAt: number; endedAt: number;
    charts?: { ladder?: Chart | null; timeline?: Chart | null; latency?: Chart | null }; unreachable?: Record<string, string>;
    kubernetes?: KubeView | null;
  }) {
    this.params = init.params;
    this.stages = init.stages;
    this.discovery = init.discovery;
    this.startedAt = init.startedAt;
    this.endedAt = init.endedAt;
    this.ladder = init.charts?.ladder ?? null;
    this.timeline = init.charts?.timeline ?? null;
    this.latency = init.charts?.latency ?? null;
    this.unreachable = init.unreachable ?? {};
    this.kubernetes = init.kubernetes ?? null;
  }

  /**
   * The charts (vega-lite v5 via `chart()`): ladder, flow timeline, latency, those that could be drawn.
   * The header chart is {@link WalkReport.headerChart} (its table is in `toHtml()` / `toMarkdown()`).
   *
   * @example
   * for (const c of report.charts()) show(c);
   */
  charts(): Chart[] {
    return [this.ladder, this.timeline, this.latency].filter((c): c is Chart => c !== null);
  }

  /**
   * The packet's headers at every hop and direction, each change with its reason and evidence
   * (`headerHops` in `headers.ts`, built from this report's discovered values and stage evidence).
   *
   * @example
   * report.headers().find((h) => h.stage === "fip-nat")!.changes.map((c) => c.reason);
   */
  headers(): HopHeaders[] {
    return headerHops(this);
  }

  /**
   * The header chart (one row per hop, changed fields coloured, full headers in every tooltip); null
   * when the walk found no client connection to draw.
   *
   * @example
   * const c = report.headerChart(); if (c) show(c);
   */
  headerChart(): Chart | null {
    if (!this.discovery.clientIp) return null;
    try {
      return headerChart(this.headers());
    } catch {
      return null;
    }
  }

  /** The first stage that failed (where the packet was last not seen), or null. */
  get firstFailure(): StageResult | null {
    return this.stages.find((s) => s.verdict === "fail") ?? null;
  }

  /** The last stage that passed before the first failure (where the packet was last seen). */
  get lastSeen(): StageResult | null {
    const ff = this.firstFailure;
    const before = ff ? this.stages.filter((s) => s.step < ff.step) : this.stages;
    return [...before].reverse().find((s) => s.verdict === "pass") ?? null;
  }

  /** `pass` when every stage passed, `fail` when one failed, else `unknown`. */
  get verdict(): Verdict {
    if (this.firstFailure) return "fail";
    return this.stages.every((s) => s.verdict === "pass") ? "pass" : "unknown";
  }

  /** The stage with this id. */
  stage(id: StageResult["id"]): StageResult | undefined {
    return this.stages.find((s) => s.id === id);
  }

  /**
   * One sentence for the incident channel.
   *
   * @example
   * report.headline(); // "✘ stopped at stage 6 (Service NAT to the backend pod) on cent333: cent333 has no flow for …"
   */
  headline(): string {
    const target = `${this.params.fip}:${this.params.fipPort} (Host: ${this.params.hostHeader})`;
    const ff = this.firstFailure;
    if (ff) {
      const last = this.lastSeen;
      const seen = last ? ` Last seen: stage ${last.step} (${last.title}${last.node ? ` on ${last.node}` : ""}).` : "";
      return `✘ ${target}: the packet stopped at stage ${ff.step} (${ff.title})${ff.node ? ` on ${ff.node}` : ""}: ${ff.reason}.${seen}`;
    }
    const unk = this.stages.filter((s) => s.verdict === "unknown");
    if (unk.length) return `? ${target}: no stage failed, but ${unk.length} could not be decided (first: stage ${unk[0].step}, ${unk[0].title}: ${unk[0].reason}).`;
    return `✔ ${target}: all ${this.stages.length} stages pass; active haproxy on ${this.discovery.activeNode}, backend pod ${this.discovery.backendPodIp ?? "?"} on ${this.discovery.backendNode ?? "?"}.`;
  }

  /** The stage table rows. */
  rows(): StageRow[] {
    return this.stages.map((s) => ({
      step: s.step, stage: s.title, direction: s.direction, node: s.node ?? "", evidence: s.summary || s.evidence.map((e) => e.title).join("; "),
      verdict: s.verdict, reason: s.reason,
    }));
  }

  /**
   * The stage table as an arquero table.
   *
   * @example
   * report.toTable().filter((d) => d.verdict === "fail").print();
   */
  toTable(): aq.ColumnTable {
    return aq.from(this.rows());
  }

  /**
   * Plain JSON (stages with evidence, discovery, charts as specs).
   *
   * @example
   * JSON.stringify(report.toJSON()).length > 0; // true
   */
  toJSON(): Record<string, unknown> {
    return {
      params: this.params, verdict: this.verdict, headline: this.headline(),
      firstFailure: this.firstFailure ? { step: this.firstFailure.step, id: this.firstFailure.id, node: this.firstFailure.node, reason: this.firstFailure.reason } : null,
      discovery: this.discovery, stages: this.stages, unreachable: this.unreachable, headers: this.headers(), kubernetes: this.kubernetes,
      charts: { ladder: this.ladder?.spec ?? null, timeline: this.timeline?.spec ?? null, latency: this.latency?.spec ?? null },
      startedAt: new Date(this.startedAt).toISOString(), endedAt: new Date(this.endedAt).toISOString(),
    };
  }

  /** Markdown: headline and stage table. */
  toMarkdown(): string {
    const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
    const lines = [
      `**${cell(this.headline())}**`, "",
      "| # | stage | dir | node | evidence | verdict | reason |", "|---|---|---|---|---|---|---|",
      ...this.rows().map((r) => `| ${r.step} | ${cell(r.stage)} | ${r.direction} | ${cell(r.node)} | ${cell(r.evidence)} | ${MARK[r.verdict]} | ${cell(r.reason)} |`),
    ];
    if (this.discovery.clientIp) {
      lines.push(
        "", "**The packet at every hop** (changed fields in *italics*)", "",
        "| # | hop | outer | tunnel | label | inner | connection | why | evidence |", "|---|---|---|---|---|---|---|---|---|",
        ...headerRows(this.headers()).map((r) => `| ${r.step} | ${cell(r.hop)} | ${cell(r.outer)} | ${r.tunnel} | ${r.label} | ${cell(r.inner)} | ${r.connection} | ${cell(r.why)} | ${cell(r.evidence)} |`),
      );
    }
    if (this.kubernetes) lines.push("", kubeViewMarkdown(this.kubernetes));
    return lines.join("\n");
  }

  /** Plain text: headline and stage table. */
  toString(): string {
    const rows = this.rows().map((r) => ({ ...r, verdict: MARK[r.verdict] }));
    return `${this.headline()}\n\n${textTable(["step", "stage", "node", "verdict", "reason"], rows, 90)}${this.kubernetes ? `\n\n${kubeViewText(this.kubernetes)}` : ""}`;
  }

  /** HTML: headline, stage table (failing row highlighted), discovered values. */
  toHtml(): string {
    const colour: Record<Verdict, string> = { pass: "#2e7d32", fail: "#c62828", unknown: "#9e9e9e" };
    const ff = this.firstFailure;
    const body = this.rows()
      .map((r) => `<tr${ff && r.step === ff.step ? ' style="background:#ffebee"' : ""}><td>${r.step}</td><td>${esc(r.stage)}</td><td>${r.direction}</td><td>${esc(r.node)}</td><td>${esc(r.evidence)}</td><td style="color:${colour[r.verdict]};font-weight:bold">${MARK[r.verdict]}</td><td>${esc(r.reason)}</td></tr>`)
      .join("\n");
    const disc = Object.entries(this.discovery)
      .filter(([, v]) => v !== null && typeof v !== "object")
      .map(([k, v]) => `<code>${esc(k)}</code>=${esc(String(v))}`)
      .join(", ");
    return (
      `<div class="packetwalk-walk"><p><b>${esc(this.headline())}</b></p>` +
      `<table><thead><tr><th>#</th><th>stage</th><th>dir</th><th>node</th><th>evidence</th><th>verdict</th><th>reason</th></tr></thead><tbody>\n${body}\n</tbody></table>` +
      this.headersHtml() +
      (this.kubernetes ? kubeViewHtml(this.kubernetes) : "") +
      `<details><summary>discovered values</summary><p>${disc}</p></details></div>`
    );
  }

  /** The header table as HTML (changed cells highlighted, each cell's evidence in its title). */
  private headersHtml(): string {
    if (!this.discovery.clientIp) return "";
    const td = (h: HopHeaders, f: keyof HopHeaders["values"], text: string) => {
      const ch = h.changes.find((c) => c.field === f);
      const ev = ch?.evidence ?? h.evidence[f];
      const title = [ch?.reason, ev ? `evidence: ${ev.stage}: ${ev.title}` : ""].filter(Boolean).join(" — ");
      return `<td${ch ? ' style="background:#ffe0b2;font-weight:bold"' : ""}${title ? ` title="${esc(title)}"` : ""}>${esc(text)}</td>`;
    };
    const v = (x: unknown) => (x === null || x === undefined ? "-" : String(x));
    const rows = this.headers()
      .map((h) => `<tr><td>${h.step}</td><td>${h.direction === "forward" ? "→" : "←"} ${esc(h.hop)}</td>${td(h, "outerSrc", v(h.values.outerSrc))}${td(h, "outerDst", v(h.values.outerDst))}${td(h, "tunnel", v(h.values.tunnel))}${td(h, "label", v(h.values.label))}${td(h, "src", v(h.values.src))}${td(h, "sport", v(h.values.sport))}${td(h, "dst", v(h.values.dst))}${td(h, "dport", v(h.values.dport))}${td(h, "connection", v(h.values.connection))}<td>${esc([...new Set(h.changes.map((c) => c.reason))].join("; "))}</td></tr>`)
      .join("\n");
    return (
      `<h4>The packet at every hop</h4><table class="packetwalk-headers"><thead><tr><th>#</th><th>hop</th><th>outer src</th><th>outer dst</th><th>tunnel</th><th>label</th><th>src</th><th>sport</th><th>dst</th><th>dport</th><th>connection</th><th>why (changed fields highlighted)</th></tr></thead><tbody>\n${rows}\n</tbody></table>`
    );
  }

  /** Jupyter display: text/markdown + text/html + text/plain, with provenance. */
  [JUPYTER_DISPLAY](): DisplayBundle {
    return {
      data: { "text/markdown": this.toMarkdown(), "text/html": this.toHtml(), "text/plain": this.toString() },
      metadata: { packetwalk: provenance({ what: `walk ${this.params.fip}:${this.params.fipPort} Host: ${this.params.hostHeader}`, where: this.discovery.activeNode ?? "" }) },
    };
  }
}
