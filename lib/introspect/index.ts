/**
 * The vRouter agent's HTTP introspect (Sandesh XML, port 8085) as an evidence source: the kstate
 * tables (`KInterfaceReq`, `KNHReq`, `KRouteReq`/`KRouteGetReq`, `KMplsReq`, `KFlowReq`) read into the
 * same rows as the `vif`, `nh`, `rt`, `mpls` and `flow` parsers, fetched over HTTP or HTTPS with a
 * client certificate. See README.md.
 */
export { readSandesh, type SandeshDocument, type SandeshLink, type SandeshRow, type SandeshStruct, type SandeshValue } from "./sandesh";
export {
  parseIntrospectFlow,
  parseIntrospectMpls,
  parseIntrospectNh,
  parseIntrospectRt,
  parseIntrospectVif,
  INTROSPECT_FIELDS,
  type IntrospectParseResult,
} from "./kstate";
export {
  fetchIntrospect,
  fetchIntrospectPage,
  introspectEndpoint,
  introspectGetter,
  IntrospectError,
  INTROSPECT_PORT,
  type IntrospectAccess,
  type IntrospectAnswer,
  type IntrospectEndpoint,
  type IntrospectGet,
  type IntrospectPage,
  type IntrospectStage,
  type IntrospectTls,
} from "./fetch";
export { kstatePath, kstateCommand, type KstateQuery } from "./paths";
export { IntrospectFlowPoller, parseIntrospectSnapshot, INTROSPECT_SNAPSHOT_FORMAT, type IntrospectFlowPollerOptions } from "./poller";
