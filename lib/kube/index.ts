/**
 * The Kubernetes API as evidence: discovery (nodes, vRouter agent pods, ingresses, services, endpoints,
 * pods) through `@kubernetes/client-node`, pure readers of the API's lists, the ingress → service →
 * endpoints → pods → nodes chain of a request, and the findings where the API and the forwarding disagree.
 *
 * @example
 * import { kube } from "packetwalk";
 * const snap = await kube.readCluster(await kube.openKubeApi({ kubeconfig: "lab.kubeconfig" }));
 * const chain = kube.kubeChain(kube.kubeObjects(snap), { fip: "101.101.101.1", host: "www.juniper.net" });
 * chain.endpoints.map((e) => `${e.ip} ${e.ready ? "ready" : "not ready"} on ${e.node}`);
 */
export * from "./types";
export { openKubeApi, loadKubeConfig, kubeReadError, KubeConfigError, type KubeApi, type KubeLister, type KubeTarget } from "./client";
export { readCluster, readGaps, CLUSTER_READS, type ReadClusterOptions } from "./read";
export { kubeObjects, readNodes, readPods, readServices, readEndpoints, readEndpointSlices, readIngresses } from "./objects";
export { vrouterAgentPods, type VrouterAgentPod } from "./agents";
export { kubeChain, matchRule, hostMatches, pathMatches, type KubeChain, type ChainEndpoint } from "./chain";
export { kubeFindings, type KubeFinding, type FindingSeverity, type ForwardingEvidence, type EndpointRoute } from "./findings";
export { draftInventory, inventoryYaml, baseDirFor, type InventoryDraft, type DraftOptions } from "./inventory-draft";
export { kubeRecorder, replayKube } from "./record";
