/**
 * The chart renderer's worker thread: renders vega-lite specs to SVG and PNG (`renderSvg`,
 * `renderPng`) while the share goes on with text on the main thread. One message in (`{ id, spec }`),
 * one out (`{ id, svg, png }` or `{ id, error }`).
 */
import { parentPort } from "node:worker_threads";
import { renderPng, renderSvg } from "../display/chart";

/**
 * Renders one spec as the worker does (exported for the in-thread fallback and tests).
 *
 * @example
 * const { svg, png } = await renderChart({ mark: "point", data: { values: [{ x: 1 }] } });
 */
export async function renderChart(spec: Record<string, unknown>): Promise<{ svg: string; png: string | null }> {
  const svg = await renderSvg(spec);
  return { svg, png: renderPng(svg)?.toString("base64") ?? null };
}

parentPort?.on("message", (m: { id: number; spec: Record<string, unknown> }) => {
  renderChart(m.spec).then(
    (r) => parentPort!.postMessage({ id: m.id, ...r }),
    (e: unknown) => parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
