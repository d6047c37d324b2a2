/**
 * `show(x)`: renders anything packetwalk knows as a rich multi-MIME output, and `live()` / `progress()`:
 * displays that update in place while a poller or a probe loop runs.
 */
import { randomUUID } from "node:crypto";
import * as util from "node:util";
import * as aq from "arquero";
import { DisplayBundle, isSelfDisplaying, JUPYTER_DISPLAY, normalizeBundle } from "./bundle";
import { Chart, chartBundle, isVegaLiteSpec } from "./chart";
import { Provenance, provenance } from "./provenance";
import { currentSink } from "./sink";
import { isArqueroTable, tableBundle, TableOptions } from "./table";

/** Options for {@link show} and {@link toDisplayBundle}. */
export interface ShowOptions extends TableOptions {
  /** What produced this output, stored in `metadata.packetwalk` (time, version and host are added). */
  provenance?: Partial<Provenance>;
  /** Reuse a display id (to update an earlier output). */
  displayId?: string;
}

function isPlainRowArray(x: unknown): x is Record<string, unknown>[] {
  return (
    Array.isArray(x) &&
    x.length > 0 &&
    x.every((r) => r !== null && typeof r === "object" && !Array.isArray(r) && Object.getPrototypeOf(r) === Object.prototype)
  );
}

/**
 * Turns a value into a display bundle:
 * - an object with `[Symbol.for("Jupyter.display")]()` → the bundle it returns (a `bundle()` method
 *   returning a promise is preferred when present, so charts inside rich objects get their fallbacks);
 * - an arquero table, or an array of plain row objects → `text/html` + `text/plain`, row-capped;
 * - a {@link Chart} or a vega-lite spec → vega-lite v5 JSON + SVG + PNG + text;
 * - a string → `text/plain`; anything else → `util.inspect` text.
 * Provenance goes into `metadata.packetwalk`.
 *
 * @example
 * const b = await toDisplayBundle(aq.table({ a: [1, 2] }), { provenance: { what: "demo" } });
 * b.metadata.packetwalk.what; // "demo"
 */
export async function toDisplayBundle(x: unknown, opts: ShowOptions = {}): Promise<DisplayBundle> {
  let b: DisplayBundle;
  if (x instanceof Chart) b = await x.bundle();
  else if (x && typeof (x as { bundle?: unknown }).bundle === "function" && isSelfDisplaying(x)) {
    b = normalizeBundle(await (x as unknown as { bundle(): Promise<DisplayBundle> }).bundle());
  } else if (isSelfDisplaying(x)) b = normalizeBundle(x[JUPYTER_DISPLAY]());
  else if (isArqueroTable(x)) b = tableBundle(x, opts);
  else if (isPlainRowArray(x)) b = tableBundle(aq.from(x), opts);
  else if (isVegaLiteSpec(x)) b = await chartBundle(x);
  else if (typeof x === "string") b = { data: { "text/plain": x }, metadata: {} };
  else b = { data: { "text/plain": util.inspect(x, { depth: 4, colors: false }) }, metadata: {} };
  const prov = provenance(opts.provenance);
  return { data: b.data, metadata: { ...b.metadata, packetwalk: { ...(b.metadata.packetwalk as object), ...prov } } };
}

/** A handle on a displayed output: update it in place. */
export interface DisplayHandle {
  /** The Jupyter `display_id`. */
  readonly id: string;
  /** Replaces the output in place with a new rendering of `x`. */
  update(x: unknown, opts?: ShowOptions): DisplayHandle;
  /** Resolves when every render sent so far has been delivered. */
  readonly ready: Promise<void>;
}

/** Marks display handles, so a cell ending in `show(x)` does not also print the handle. */
export const DISPLAY_HANDLE = Symbol.for("packetwalk.display.handle");

/**
 * Whether `x` is a handle returned by {@link show}, {@link live} or {@link progress}.
 *
 * @example
 * isDisplayHandle(show("hi")); // true
 */
export function isDisplayHandle(x: unknown): boolean {
  return !!x && typeof x === "object" && (x as Record<symbol, unknown>)[DISPLAY_HANDLE] === true;
}

function makeHandle(id: string): DisplayHandle {
  let chain: Promise<void> = Promise.resolve();
  const send = (x: unknown, opts: ShowOptions, update: boolean) => {
    const sink = currentSink();
    // Renders are chained so updates arrive in order even when a chart renders slowly.
    chain = chain.then(async () => {
      const bundle = await toDisplayBundle(x, opts);
      sink.send(bundle, { displayId: id, update });
    }).catch((e: unknown) => {
      sink.send({ data: { "text/plain": `[display failed: ${(e as Error).message}]` }, metadata: {} }, { displayId: id, update });
    });
    sink.track(chain);
  };
  const handle: DisplayHandle = {
    id,
    update(x, opts = {}) {
      send(x, opts, true);
      return handle;
    },
    get ready() {
      return chain;
    },
  };
  return Object.assign(handle, { _send: send, [DISPLAY_HANDLE]: true });
}

/**
 * Displays `x` as a rich output (see {@link toDisplayBundle} for what renders how) and returns a handle
 * to update it in place. Works in Jupyter, VS Code and the headless runner; outside a kernel it prints
 * the text rendering.
 *
 * @example
 * import { show, aq } from "packetwalk";
 * const h = show(aq.table({ node: ["cent222", "cent333"], flows: [2, 2] }), { provenance: { what: "flow -l" } });
 * h.update(aq.table({ node: ["cent222"], flows: [0] }));
 */
export function show(x: unknown, opts: ShowOptions = {}): DisplayHandle {
  const h = makeHandle(opts.displayId ?? randomUUID()) as DisplayHandle & { _send(x: unknown, o: ShowOptions, u: boolean): void };
  h._send(x, opts, false);
  return h;
}

/**
 * A live output: shown now, updated in place with `handle.update(x)` (tables that grow while a poller
 * runs, a status line). Updates are rate-limited to `maxPerSecond` (default 10); the last one always
 * lands.
 *
 * @example
 * const l = live("waiting for flows…");
 * for await (const snap of poller) l.update(flowTable(snap));
 */
export function live(initial: unknown = "…", opts: ShowOptions & { maxPerSecond?: number } = {}): DisplayHandle {
  const inner = show(initial, opts);
  const minGap = 1000 / (opts.maxPerSecond ?? 10);
  let last = 0;
  let pending: { x: unknown; o: ShowOptions } | null = null;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    if (!pending) return;
    last = Date.now();
    inner.update(pending.x, pending.o);
    pending = null;
  };
  const handle: DisplayHandle = {
    id: inner.id,
    update(x, o = opts) {
      pending = { x, o };
      const wait = last + minGap - Date.now();
      if (wait <= 0) flush();
      else if (!timer) {
        timer = setTimeout(flush, wait);
        currentSink().track(new Promise<void>((resolve) => setTimeout(resolve, wait + 1)));
      }
      return handle;
    },
    get ready() {
      return inner.ready;
    },
  };
  return Object.assign(handle, { [DISPLAY_HANDLE]: true });
}

/** A progress bar handle. */
export interface ProgressHandle {
  readonly [DISPLAY_HANDLE]: true;
  readonly id: string;
  /** Sets progress to `done` (of the total) with an optional note. */
  set(done: number, note?: string): void;
  /** Adds `n` (default 1). */
  tick(n?: number, note?: string): void;
  /** Marks it finished (or failed) with a final note. */
  finish(note?: string, failed?: boolean): void;
}

/**
 * Renders a progress bar as HTML (no JavaScript needed) and text, updated in place.
 *
 * @example
 * const p = progress({ total: 20, label: "probes" });
 * p.tick(1, "probe 1: 200 OK, port 42612");
 * p.finish("20 probes, 20 matched flows");
 */
export function progress(opts: { total: number; label?: string }): ProgressHandle {
  const total = Math.max(0, opts.total);
  const label = opts.label ?? "progress";
  let done = 0;
  let note = "";
  const started = Date.now();
  const render = (state: "running" | "done" | "failed") => {
    const frac = total > 0 ? Math.min(1, done / total) : state === "running" ? 0 : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    const mark = state === "done" ? "✔" : state === "failed" ? "✘" : "…";
    const text = `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${mark} ${secs}s${note ? ` ${note}` : ""}`;
    const color = state === "failed" ? "#c0392b" : state === "done" ? "#27ae60" : "#2980b9";
    const esc = (s: string) => s.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
    const html =
      `<div class="packetwalk-progress" style="font-family:sans-serif;font-size:13px">` +
      `<b>${esc(label)}</b> ${done}/${total} ${mark} <span style="color:#666">${secs}s</span>` +
      `<div style="background:#eee;width:300px;height:10px;border-radius:3px">` +
      `<div style="background:${color};width:${Math.round(frac * 300)}px;height:10px;border-radius:3px"></div></div>` +
      `${note ? `<div style="color:#444">${esc(note)}</div>` : ""}</div>`;
    return { [Symbol.for("Jupyter.display")]: () => ({ "text/html": html, "text/plain": text }) };
  };
  const h = live(render("running"), { maxPerSecond: 5 });
  return {
    [DISPLAY_HANDLE]: true,
    id: h.id,
    set(d, n) {
      done = d;
      if (n !== undefined) note = n;
      h.update(render("running"));
    },
    tick(n = 1, nt) {
      this.set(done + n, nt);
    },
    finish(n, failed = false) {
      if (n !== undefined) note = n;
      h.update(render(failed ? "failed" : "done"));
    },
  };
}
