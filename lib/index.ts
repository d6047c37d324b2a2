/**
 * packetwalk: the helpers a notebook imports with one line.
 *
 * @example
 * import { show, chart, live, progress, aq } from "packetwalk";
 * show(aq.table({ stage: ["gateway", "FIP NAT"], verdict: ["pass", "pass"] }));
 */
export * as aq from "arquero";
export { interruptAll, interruptSignal, InterruptedError, sleep, withInterrupt } from "./cancel";
export {
  chart,
  Chart,
  chartBundle,
  inKernel,
  JUPYTER_DISPLAY,
  live,
  packetwalkVersion,
  progress,
  provenance,
  renderSvg,
  show,
  tableBundle,
  textTable,
  toDisplayBundle,
} from "./display";
export type { DisplayBundle, DisplayHandle, MimeBundle, ProgressHandle, Provenance, ShowOptions, VegaLiteSpec } from "./display";
