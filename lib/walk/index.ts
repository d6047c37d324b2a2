/**
 * The walk model: every stage of a request from the Internet host through the gateway, the floating IP
 * NAT, haproxy, the MPLSoUDP overlay and the service NAT to the backend pod, and back, each with a
 * verdict, the reason in words, and its evidence.
 *
 * @example
 * import { runWalk } from "packetwalk/lib/walk";
 * const report = await runWalk({ inventory, fip: "101.101.101.1", fipPort: 80, hostHeader: "www.juniper.net" });
 * show(report);
 * report.firstFailure?.reason;
 */
export * from "./types";
export { checkWalkParams, createContext, emptyDiscovery, WalkParamError, type WalkContext, type WalkParamProblem } from "./context";
export { runWalk, walkWith, STAGE_CHECKS, STAGE_TABLE, type StageCheck, type StageEntry } from "./run";
export { WalkReport, type StageRow } from "./report";
export { checkClient, checkGateway, checkFipNat, checkProxy, checkOverlay, checkServiceNat, checkBackend } from "./stages-forward";
export { checkReturnOverlay, checkReturnProxy, checkReturnClient } from "./stages-return";
export { gatewayRoute, fabricMap, junos, type GatewayRoute, type FabricMap } from "./discover";
export { serviceRoute, labelLookup, type ServiceRoute, type LabelLookup } from "./route";
export { step, type StepResult } from "./exec";
export { readTable, flowSource, flowCommand, evidenceSourceOf, introspectGet, introspectCommandLine, type TableQuery, type TableAnswer, type RowOf } from "./evidence";
export { observe, type Observation, type NodeCapture, type WalkProbe } from "./traffic";
export { facts, type Facts, type Packet } from "./facts";
export { ladderDiagram, flowTimeline, latencyBreakdown, ladderArrows, timelineRows, latencyRows, packetHeaders, flowHeaders } from "./charts";
export {
  headers, headerHops, headerRows, headerTable, headerChart, headerText, headerLine, HEADER_FIELDS,
  type HopHeaders, type HeaderChange, type HeaderField, type HeaderRow, type HeaderSource, type EvidenceLink,
} from "./headers";
export { kubeView, kubeViewText, kubeViewHtml, kubeViewMarkdown, type KubeView, type KubeEndpointRow } from "./kube-view";
export { seenFlows, normalizeEntry, type SeenFlow, type SeenPair } from "./select";
export { evidenceFrameMarks, evidenceFramesPcapng, recordedCaptures, type EvidenceFrameMark, type EvidenceFramesFile } from "./evidence-frames";
export { recordWalkProducts, type WalkProducts } from "./recording";
