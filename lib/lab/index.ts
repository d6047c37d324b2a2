/**
 * The embedded lab: a simulated Tungsten Fabric / Contrail Kubernetes cluster reached over real SSH and
 * real loopback sockets, packetwalk's default target.
 *
 * @example
 * import { startLab } from "./lab";
 * const lab = await startLab();                 // the reference scenario on 127.0.0.1
 * lab.inventory.addressMap["101.101.101.1:80"]; // "127.0.0.1:41234"
 * lab.tool("cent222", ["flow", "-l"]).stdout;   // the vRouter flow table, real format
 * lab.setFault("wrong-label", true);
 * await lab.stop();
 * // A drill: hidden faults from a seed, graded answers (drill-client.ts).
 * const d = await drill.start({ seed: 7, level: 1, inventoryOut: "drill.json" });
 * await drill.check({ inventory: "drill.json", stage: "fip-nat", cause: "policy-drop" });
 */
export { startLab, scenarioOf, control, CONTROL_NODE } from "./lab";
export type { Lab, LabOptions, LabInventory, LabInventoryNode, LabScenario } from "./lab";
export { loadTopology, builtinTopology, validateTopology, vrfOf, BUILTIN_TOPOLOGIES } from "./topology";
export type { Topology, ComputeSpec, PodSpec, ServiceSpec, IngressSpec, IngressRule, NetworkSpec, GatewaySpec, InternetHostSpec } from "./topology";
export { FAULTS, buildModel, endpointsOf, lookupRoute, resolveLabel } from "./model";
export type { FaultName, ClusterModel, ComputeState, NextHop, Route, Vif } from "./model";
export { FlowTable, TCP } from "./flowtable";
export type { FlowEntry } from "./flowtable";
export { LabState } from "./state";
export { runTool, toolsFor } from "./commands";
export type { ToolResult, ToolStream, NodeRole } from "./commands";
export { compileTcpdumpFilter, startCapture } from "./tcpdump";
export type { CaptureHandle } from "./tcpdump";
export { errorResponse } from "./proxy";
export type { ProxyOptions, ProxyLogEntry } from "./proxy";
export { LabFlowSource, toFlowEntryCore } from "./snapshots";
export * as drill from "./drill-client";
export * as kube from "./kube";
