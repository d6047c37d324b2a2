/**
 * Probes: the held TCP session (`openTcp` / `probeTcp`), the curl-like HTTP probe (`probeHttp`), remote
 * curl through an SSH runner (`probeHttpRemote`, `probeHttpRemoteLoop`), and the repeat-and-snapshot loop
 * (`probeWhileSnapshotting`) that joins probes to vRouter flow entries.
 */
export * from "./types";
export { isLoopback, parseEndpoint, resolveDial, type AddressMap, type DialPlan, type LookupFn } from "./address";
export { HttpResponseParser, headerValue, parseHttpResponse, serializeHttpRequest } from "./http-wire";
export type { BodyFraming, HttpRequestSpec, HttpResponse, InterimResponse, SerializedRequest } from "./http-wire";
export { probeHttp, summarizeHttp } from "./http";
export type { HttpExchange, HttpProbeOptions, HttpProbeResult, HttpTimings } from "./http";
export { formatTcpResult, openTcp, probeTcp } from "./tcp";
export type { TcpChunk, TcpEnding, TcpHandle, TcpProbeOptions, TcpProbeResult, TcpSendItem } from "./tcp";
export { CURL_W_VARS, curlWriteOut, parseCurlVerbose, type ParseCurlOptions } from "./curl-parse";
export {
  buildCurlCommand,
  buildCurlLoopCommand,
  localExec,
  newCurlMarker,
  parseCurlLoop,
  probeHttpRemote,
  probeHttpRemoteLoop,
  remoteExecOn,
} from "./remote";
export type { CommandRunnerLike, RemoteCurlLoopOptions, RemoteCurlOptions, RemoteExec } from "./remote";
export { joinProbesToFlows, probeFlowRows } from "./join";
export type { FlowRole, FlowTrack, JoinOptions, LinkedBy, NatStep, ProbeFlowRow, ProbeJoin } from "./join";
export { probeWhileSnapshotting } from "./loop";
export type { ProbeFailure, ProbeLoopOptions, ProbeLoopProgress, ProbeLoopResult } from "./loop";
export { probeResultRows, toTable, type ProbeResultRow } from "./table";
