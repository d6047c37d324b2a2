/**
 * packetwalk: the helpers a notebook imports with one line.
 *
 * @example
 * import { lab, probe, vrouter, flows, remote, capture, walk, show, chart, aq } from "packetwalk";
 * const l = await lab.startLab();
 * const r = await probe.probeHttp("http://101.101.101.1/", { addressMap: l.inventory.addressMap });
 * show(probe.toTable([r]));
 */
export * as aq from "arquero";
export * as capture from "./capture";
export * as flows from "./flows";
export * as introspect from "./introspect";
export * as investigation from "./investigation";
export * as kube from "./kube";
export * as lab from "./lab";
export * as probe from "./probe";
export * as remote from "./remote";
export * as vrouter from "./vrouter";
export * as walk from "./walk";
export { note, openTarget, showStage, type OpenTargetOptions, type Target } from "./notebook";
export { redact, type RedactOptions, type RedactResult } from "./redact/redact";
export { interruptAll, interruptSignal, InterruptedError, sleep, withInterrupt } from "./cancel";
export {
  chart,
  Chart,
  chartBundle,
  clearOutput,
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
