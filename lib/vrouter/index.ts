/**
 * vRouter utility parsers (`flow`, `nh`, `rt`, `mpls`, `vif`, `vxlan`, `dropstats`, Junos `show route`):
 * pure functions from text to flat rows, their joins, and table helpers.
 */
export * from "./types";
export { parseFlow, parseFlowStream, FlowScanner, parseFlowColumns, FlowColumns, type FlowColumnsResult } from "./flow";
export { decodeNat, decodeFlowFlags, decodeTcpFlags, describeTcpFlags, tcpState, protoName, protoNumber } from "./flow/letters";
export { parseNh, subNhList, type SubNh } from "./nh";
export { parseRt } from "./rt";
export { parseMpls } from "./mpls";
export { parseVxlan } from "./vxlan";
export { parseDropstats } from "./dropstats";
export { parseVif, decodeVifFlags, VIF_FLAGS } from "./vif";
export { parseJunosRoute, junosNextHops, type JunosNextHop } from "./junos";
export { detectKind, parseAny, parseTranscript, isKind, KINDS, type TranscriptResult } from "./detect";
export { toTable, formatTable, columnNames, DISPLAY_COLUMNS, type ColumnTable } from "./table";
export {
  pairFlows,
  pairOf,
  orientPair,
  explainNat,
  followLabel,
  followPrefix,
  lookupRoute,
  ipToBigInt,
  type FlowPair,
  type JoinFailure,
  type LabelTarget,
  type PrefixTarget,
  type NatExplanation,
} from "./joins";
export { normalizeText, parsePromptLine, type ToolKind } from "./text";
export {
  cleanLines,
  cleanText,
  remapProblem,
  readTranscript,
  selectSections,
  parseShellLine,
  commandTool,
  type CleanText,
  type HygieneKind,
  type HygieneOptions,
  type HygieneWarning,
  type Transcript,
} from "./hygiene";
export { checkedInt, RANGES } from "./values";
export { parseIpRoute, type IpRouteRow, type IpRouteOptions } from "./ip-route";
