/**
 * The lab's Kubernetes door: an HTTPS API on 127.0.0.1 that the real kubectl and
 * @kubernetes/client-node read (nodes, pods, services, endpoints, endpoint slices, ingresses …,
 * consistent with the lab's topology and faults) and whose pod `exec` runs the vRouter utilities in
 * the agent container, exactly as SSH does.
 *
 * @example
 * import { startLab } from "../lab";
 * const lab = await startLab();
 * lab.inventory.kubernetes!.kubeconfig; // <lab dir>/kubeconfig, context "packetwalk-lab"
 * lab.writeKubeconfig("/tmp/lab.kubeconfig"); // kubectl --kubeconfig /tmp/lab.kubeconfig get pods -A
 * buildKubeObjects(lab.state).get("/pods"); // the objects the API serves
 */
export { AGENT, KUBE_RESOURCES, LAB_KUBE_VERSION, agentPodName, buildKubeObjects, kubeUid, nameSuffix, resourceKey } from "./objects";
export type { KubeMeta, KubeObject, KubeObjectOptions, KubeObjectSet, KubeResource } from "./objects";
export { KubeStore } from "./store";
export { KUBE_USERS, authenticate, authorize, makeKubeUsers } from "./auth";
export type { KubeAttributes, KubeUser, KubeUserName } from "./auth";
export { kubeStatus, resourceList, startKubeApi } from "./server";
export type { ExecEnvironment, KubeApiOptions, KubeApiServer } from "./server";
export { EXEC_PROTOCOLS, execStartFailure, execStatus, runExec } from "./exec";
export type { ExecProcessOptions, ExecTarget } from "./exec";
export { compileFieldSelector, matchLabels, parseLabelSelector } from "./selectors";
export type { LabelRequirement, Matcher } from "./selectors";
export { humanDuration, toTable } from "./tables";
export type { TableColumn } from "./tables";
export { WebSocketConnection, acceptWebSocket, decodeFrame, encodeFrame, websocketAccept } from "./websocket";
export type { WsFrame } from "./websocket";
export { LAB_KUBE_CONTEXT, labContextName, labKubeconfig, writeLabKubeconfig } from "./kubeconfig";
export type { KubeconfigSource } from "./kubeconfig";
export { derOid, makeLabCertificates } from "./x509";
export type { CertKeyPair } from "./x509";
