/**
 * The lab cluster's Kubernetes objects, in the JSON shapes the real API serves, derived from the lab's
 * topology and its active faults: namespaces, nodes, the vRouter agent DaemonSet and its pod per node,
 * the backend Deployments / ReplicaSets / pods, the services with their Endpoints and
 * discovery.k8s.io/v1 EndpointSlices, and the ingress with the floating IP in its status.
 *
 * The names follow a Contrail "single yaml" Kubernetes deployment: DaemonSet `contrail-agent` in
 * `kube-system`, whose pods run the containers `contrail-vrouter-agent` (the vRouter utilities) and
 * `contrail-agent-nodemgr`, with host networking (pod IP = node IP).
 *
 * Faults change only what a real cluster would show. Of the lab's faults only `backend-down` is visible
 * to Kubernetes (nothing listens on the pods' port, so their readiness probes fail): every backend pod
 * is Ready=False, its address moves to `notReadyAddresses`, its slice endpoint is `ready: false,
 * serving: false`, the Deployment's `readyReplicas` drops. The others live in the vRouter's forwarding
 * state (routes, labels, flows, security groups, the haproxy's state) that the API never sees.
 *
 * Pure: the same state gives the same objects (uids and names are hashes of the object's identity).
 */
import * as crypto from "node:crypto";
import type { LabState } from "../state";
import type { Topology } from "../topology";
import { endpointsOf } from "../model";

/** The Kubernetes version the lab's API reports (`/version`, nodes' kubelet). */
export const LAB_KUBE_VERSION = { major: "1", minor: "30", gitVersion: "v1.30.4" } as const;

/** Namespace, DaemonSet, label and container names of the lab's vRouter agent. */
export const AGENT = {
  namespace: "kube-system",
  daemonSet: "contrail-agent",
  labels: { app: "contrail-agent" } as Record<string, string>,
  container: "contrail-vrouter-agent",
  nodemgrContainer: "contrail-agent-nodemgr",
} as const;

/** One served resource type. */
export interface KubeResource {
  group: string;
  version: string;
  /** Plural, as in URLs (`pods`). */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources listed in discovery (`exec`). */
  subresources?: { name: string; kind: string; verbs: string[] }[];
}

/** Every resource type the lab's API serves (read-only: get, list). */
export const KUBE_RESOURCES: readonly KubeResource[] = [
  { group: "", version: "v1", resource: "namespaces", singular: "namespace", kind: "Namespace", namespaced: false, shortNames: ["ns"] },
  { group: "", version: "v1", resource: "nodes", singular: "node", kind: "Node", namespaced: false, shortNames: ["no"] },
  {
    group: "", version: "v1", resource: "pods", singular: "pod", kind: "Pod", namespaced: true, shortNames: ["po"],
    subresources: [{ name: "exec", kind: "PodExecOptions", verbs: ["create", "get"] }],
  },
  { group: "", version: "v1", resource: "services", singular: "service", kind: "Service", namespaced: true, shortNames: ["svc"] },
  { group: "", version: "v1", resource: "endpoints", singular: "endpoints", kind: "Endpoints", namespaced: true, shortNames: ["ep"] },
  { group: "", version: "v1", resource: "secrets", singular: "secret", kind: "Secret", namespaced: true },
  { group: "apps", version: "v1", resource: "daemonsets", singular: "daemonset", kind: "DaemonSet", namespaced: true, shortNames: ["ds"] },
  { group: "apps", version: "v1", resource: "deployments", singular: "deployment", kind: "Deployment", namespaced: true, shortNames: ["deploy"] },
  { group: "apps", version: "v1", resource: "replicasets", singular: "replicaset", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"] },
  { group: "networking.k8s.io", version: "v1", resource: "ingresses", singular: "ingress", kind: "Ingress", namespaced: true, shortNames: ["ing"] },
  { group: "discovery.k8s.io", version: "v1", resource: "endpointslices", singular: "endpointslice", kind: "EndpointSlice", namespaced: true },
];

/** A Kubernetes object as JSON (`apiVersion`, `kind`, `metadata`, then `spec` / `status` / … ). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMeta;
  [field: string]: unknown;
}

/** The object metadata the lab fills in. */
export interface KubeMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generateName?: string;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion: boolean }[];
}

/** The objects of one resource type, in a stable order (namespace, then name). */
export type KubeObjectSet = Map<string, KubeObject[]>;

/**
 * `group/resource` key of a resource type (`"/pods"`, `"apps/daemonsets"`).
 *
 * @example
 * resourceKey({ group: "apps", resource: "daemonsets" }); // "apps/daemonsets"
 */
export function resourceKey(r: { group: string; resource: string }): string {
  return `${r.group}/${r.resource}`;
}

const hash = (s: string): Buffer => crypto.createHash("sha256").update(s).digest();

/**
 * A stable UUID for an object identity (the same names give the same uid at every lab start).
 *
 * @example
 * kubeUid("Pod", "ns-user-1", "webservice-7db5dcb4c6-h9xk2"); // "3f1c…-…" (36 characters)
 */
export function kubeUid(kind: string, namespace: string, name: string): string {
  const h = hash(`uid|${kind}|${namespace}|${name}`);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

// The alphabet of Kubernetes' generated name suffixes (no vowels, no confusable digits).
const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/**
 * A stable generated-name suffix (`contrail-agent-` + 5 characters), as the controllers make them.
 *
 * @example
 * nameSuffix("contrail-agent|cent222"); // e.g. "x7q2m"
 */
export function nameSuffix(seed: string, length = 5): string {
  const h = hash(`suffix|${seed}`);
  let s = "";
  for (let i = 0; i < length; i++) s += SUFFIX_ALPHABET[h[i]! % SUFFIX_ALPHABET.length];
  return s;
}

function hexId(seed: string, n = 64): string {
  let s = "";
  for (let i = 0; s.length < n; i++) s += hash(`${seed}|${i}`).toString("hex");
  return s.slice(0, n);
}

/** Splits a `namespace/name` (or a bare name, in `fallbackNs`). */
function splitNsName(s: string, fallbackNs: string): { namespace: string; name: string } {
  const i = s.indexOf("/");
  return i > 0 ? { namespace: s.slice(0, i), name: s.slice(i + 1) } : { namespace: fallbackNs, name: s };
}

/** The Deployment and ReplicaSet names of a pod named like `web-7db5dcb4c6-h9xk2`. */
function podOwners(podName: string, app: string): { deployment: string; replicaSet: string; hash: string } {
  const m = /^(.+)-([a-z0-9]{6,10})-([a-z0-9]{5})$/.exec(podName);
  if (m) return { deployment: m[1]!, replicaSet: `${m[1]}-${m[2]}`, hash: m[2]! };
  const h = nameSuffix(`rs|${app}`, 10);
  return { deployment: app, replicaSet: `${app}-${h}`, hash: h };
}

/** Creation times relative to the lab's start: a cluster built days ago, apps deployed since. */
const AGE_MS = { cluster: 9 * 86400_000 + 4 * 3600_000, agent: 9 * 86400_000 + 3 * 3600_000, app: 2 * 86400_000 + 5 * 3600_000, pod: 2 * 86400_000 + 5 * 3600_000 - 40_000 };

/** Options of {@link buildKubeObjects}. */
export interface KubeObjectOptions {
  /** When the lab started (creation times are set before it). Default: the state's `startedAt`. */
  startedAt?: number;
  /** When each fault last switched (epoch ms): the time a condition it changes moved (`lastTransitionTime`). */
  faultTimes?: Partial<Record<string, number>>;
}

/**
 * Builds every object of the lab cluster from the lab state (topology + faults). `resourceVersion`
 * is left `"0"`: the API server (`server.ts`) stamps versions as objects change.
 *
 * @example
 * const objs = buildKubeObjects(lab.state);
 * objs.get("/pods")!.filter((p) => p.metadata.namespace === "kube-system").map((p) => p.spec);
 * objs.get("networking.k8s.io/ingresses")![0].status; // { loadBalancer: { ingress: [{ ip: "101.101.101.1" }, …] } }
 */
export function buildKubeObjects(state: LabState, opts: KubeObjectOptions = {}): KubeObjectSet {
  const t: Topology = state.topology;
  const started = opts.startedAt ?? state.startedAt;
  const at = (ago: number) => new Date(Math.floor((started - ago) / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const backendDown = state.hasFault("backend-down");
  const stamp = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  // When the backends' readiness last moved: the fault's switch, else when they started.
  const readyMoved = opts.faultTimes?.["backend-down"] !== undefined ? stamp(opts.faultTimes["backend-down"]!) : undefined;
  const out: KubeObjectSet = new Map(KUBE_RESOURCES.map((r) => [resourceKey(r), []]));
  const add = (key: string, o: KubeObject) => out.get(key)!.push(o);
  const meta = (kind: string, name: string, namespace: string | undefined, created: string, extra: Partial<KubeMeta> = {}): KubeMeta => ({
    name, ...(namespace !== undefined ? { namespace } : {}), uid: kubeUid(kind, namespace ?? "", name), resourceVersion: "0", creationTimestamp: created, ...extra,
  });
  const owner = (apiVersion: string, kind: string, namespace: string, name: string) => ({
    apiVersion, kind, name, uid: kubeUid(kind, namespace, name), controller: true, blockOwnerDeletion: true,
  });

  // Namespaces.
  const ingress = splitNsName(t.ingress.name, t.namespace);
  const appNs = [...new Set([t.namespace, ingress.namespace])];
  for (const ns of ["default", "kube-node-lease", "kube-public", "kube-system", ...appNs.filter((n) => !["default", "kube-system", "kube-public", "kube-node-lease"].includes(n))]) {
    add("/namespaces", {
      apiVersion: "v1", kind: "Namespace",
      metadata: meta("Namespace", ns, undefined, at(appNs.includes(ns) ? AGE_MS.app + 3600_000 : AGE_MS.cluster), { labels: { "kubernetes.io/metadata.name": ns } }),
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
  }

  // Nodes.
  for (const c of t.computes) {
    add("/nodes", {
      apiVersion: "v1", kind: "Node",
      metadata: meta("Node", c.name, undefined, at(AGE_MS.cluster), {
        labels: {
          "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": c.name, "kubernetes.io/os": "linux",
        },
        annotations: { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
      }),
      spec: {},
      status: {
        addresses: [{ type: "InternalIP", address: c.fabricIp }, { type: "Hostname", address: c.name }],
        allocatable: { cpu: "8", "ephemeral-storage": "47233297124", memory: "16163748Ki", pods: "110" },
        capacity: { cpu: "8", "ephemeral-storage": "51250Mi", memory: "16266148Ki", pods: "110" },
        conditions: [
          ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
          ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
          ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
          ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
        ].map(([type, status, reason, message]) => ({
          type, status, reason, message, lastHeartbeatTime: at(0), lastTransitionTime: at(AGE_MS.cluster - 120_000),
        })),
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: "amd64", bootID: kubeUid("boot", "", c.name), containerRuntimeVersion: "containerd://1.7.13",
          kernelVersion: "3.10.0-1160.el7.x86_64", kubeProxyVersion: LAB_KUBE_VERSION.gitVersion, kubeletVersion: LAB_KUBE_VERSION.gitVersion,
          machineID: hexId(`machine|${c.name}`, 32), operatingSystem: "linux", osImage: "CentOS Linux 7 (Core)",
          systemUUID: kubeUid("system", "", c.name).toUpperCase(),
        },
      },
    });
  }

  // The vRouter agent: a DaemonSet with one pod per compute node, host networking.
  const dsName = AGENT.daemonSet;
  const revHash = nameSuffix(`ds-rev|${dsName}`, 10).replace(/[^a-z0-9]/g, "x");
  const agentImage = (c: string) => `tungstenfabric/${c}:R2011-latest`;
  const agentContainers = [
    { name: AGENT.container, image: agentImage("contrail-vrouter-agent") },
    { name: AGENT.nodemgrContainer, image: agentImage("contrail-nodemgr") },
  ];
  const agentInit = ["contrail-node-init", "contrail-vrouter-kernel-init", "contrail-kubernetes-cni-init"];
  add("apps/daemonsets", {
    apiVersion: "apps/v1", kind: "DaemonSet",
    metadata: meta("DaemonSet", dsName, AGENT.namespace, at(AGE_MS.agent), { labels: { ...AGENT.labels }, annotations: { "deprecated.daemonset.template.generation": "1" } }),
    spec: {
      selector: { matchLabels: { ...AGENT.labels } },
      template: {
        metadata: { labels: { ...AGENT.labels } },
        spec: {
          hostNetwork: true,
          initContainers: agentInit.map((n) => ({ name: n, image: agentImage(n), securityContext: { privileged: true } })),
          containers: agentContainers.map((c) => ({ ...c, securityContext: { privileged: true } })),
        },
      },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    },
    status: {
      currentNumberScheduled: t.computes.length, desiredNumberScheduled: t.computes.length, numberAvailable: t.computes.length,
      numberMisscheduled: 0, numberReady: t.computes.length, observedGeneration: 1, updatedNumberScheduled: t.computes.length,
    },
  });
  for (const c of t.computes) {
    const name = `${dsName}-${nameSuffix(`${dsName}|${c.name}`)}`;
    const created = at(AGE_MS.agent - 60_000);
    const running = at(AGE_MS.agent - 180_000);
    add("/pods", {
      apiVersion: "v1", kind: "Pod",
      metadata: meta("Pod", name, AGENT.namespace, created, {
        generateName: `${dsName}-`,
        labels: { ...AGENT.labels, "controller-revision-hash": revHash, "pod-template-generation": "1" },
        ownerReferences: [owner("apps/v1", "DaemonSet", AGENT.namespace, dsName)],
      }),
      spec: {
        hostNetwork: true, nodeName: c.name, dnsPolicy: "ClusterFirstWithHostNet", restartPolicy: "Always", schedulerName: "default-scheduler",
        serviceAccountName: "default", terminationGracePeriodSeconds: 30,
        initContainers: agentInit.map((n) => ({ name: n, image: agentImage(n), securityContext: { privileged: true } })),
        containers: agentContainers.map((x) => ({ ...x, securityContext: { privileged: true } })),
        tolerations: [{ operator: "Exists" }],
      },
      status: {
        phase: "Running", hostIP: c.fabricIp, hostIPs: [{ ip: c.fabricIp }], podIP: c.fabricIp, podIPs: [{ ip: c.fabricIp }], startTime: created, qosClass: "BestEffort",
        conditions: podConditions(true, created, running),
        initContainerStatuses: agentInit.map((n) => ({
          name: n, image: agentImage(n), imageID: `docker.io/${agentImage(n).split(":")[0]}@sha256:${hexId(`img|${n}`)}`,
          containerID: `containerd://${hexId(`ctr|${name}|${n}`)}`, ready: true, restartCount: 0, started: false,
          state: { terminated: { exitCode: 0, reason: "Completed", startedAt: created, finishedAt: created, containerID: `containerd://${hexId(`ctr|${name}|${n}`)}` } },
        })),
        containerStatuses: agentContainers.map((x) => ({
          name: x.name, image: x.image, imageID: `docker.io/${x.image.split(":")[0]}@sha256:${hexId(`img|${x.name}`)}`,
          containerID: `containerd://${hexId(`ctr|${name}|${x.name}`)}`, ready: true, restartCount: 0, started: true,
          state: { running: { startedAt: running } },
        })),
      },
    });
  }

  // Backends: Deployments → ReplicaSets → pods, by app.
  const apps = new Map<string, typeof t.pods>();
  for (const p of t.pods) apps.set(p.app, [...(apps.get(p.app) ?? []), p]);
  const svcOfApp = (app: string) => t.services.find((s) => s.selector === app);
  const ns = t.namespace;
  const podUid = (name: string) => kubeUid("Pod", ns, name);
  for (const [app, pods] of apps) {
    const own = podOwners(pods[0]!.name, app);
    const port = svcOfApp(app)?.targetPort ?? 80;
    const ready = backendDown ? 0 : pods.length;
    const template = {
      metadata: { labels: { app } },
      spec: {
        containers: [{
          name: app, image: "contrailk8sdayone/contrail-webserver", imagePullPolicy: "IfNotPresent",
          ports: [{ containerPort: port, protocol: "TCP" }],
          readinessProbe: { httpGet: { path: "/", port, scheme: "HTTP" }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        }],
        restartPolicy: "Always", dnsPolicy: "ClusterFirst", schedulerName: "default-scheduler", terminationGracePeriodSeconds: 30,
      },
    };
    const replicaStatus = { replicas: pods.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 };
    add("apps/deployments", {
      apiVersion: "apps/v1", kind: "Deployment",
      metadata: meta("Deployment", own.deployment, ns, at(AGE_MS.app), { labels: { app }, annotations: { "deployment.kubernetes.io/revision": "1" } }),
      spec: { replicas: pods.length, selector: { matchLabels: { app } }, template, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } } },
      status: {
        ...replicaStatus, updatedReplicas: pods.length, ...(ready < pods.length ? { unavailableReplicas: pods.length - ready } : {}),
        conditions: [
          { type: "Available", status: ready > 0 ? "True" : "False", reason: ready > 0 ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", message: ready > 0 ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", lastUpdateTime: readyMoved ?? at(AGE_MS.pod - 9_000), lastTransitionTime: readyMoved ?? at(AGE_MS.pod - 9_000) },
          { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${own.replicaSet}" has successfully progressed.`, lastUpdateTime: at(AGE_MS.pod), lastTransitionTime: at(AGE_MS.app) },
        ],
      },
    });
    add("apps/replicasets", {
      apiVersion: "apps/v1", kind: "ReplicaSet",
      metadata: meta("ReplicaSet", own.replicaSet, ns, at(AGE_MS.app), {
        labels: { app, "pod-template-hash": own.hash },
        annotations: { "deployment.kubernetes.io/desired-replicas": String(pods.length), "deployment.kubernetes.io/max-replicas": String(pods.length + 1), "deployment.kubernetes.io/revision": "1" },
        ownerReferences: [owner("apps/v1", "Deployment", ns, own.deployment)],
      }),
      spec: { replicas: pods.length, selector: { matchLabels: { app, "pod-template-hash": own.hash } }, template },
      status: { ...replicaStatus, fullyLabeledReplicas: pods.length },
    });
    for (const p of pods) {
      const node = t.computes.find((c) => c.name === p.node)!;
      const created = at(AGE_MS.pod);
      const running = at(AGE_MS.pod - 9_000);
      const po = podOwners(p.name, app);
      const cid = `containerd://${hexId(`ctr|${p.name}|${app}`)}`;
      add("/pods", {
        apiVersion: "v1", kind: "Pod",
        metadata: meta("Pod", p.name, ns, created, {
          generateName: `${po.replicaSet}-`,
          labels: { app, "pod-template-hash": po.hash },
          annotations: { "k8s.v1.cni.cncf.io/network-status": JSON.stringify([{ name: "cluster-wide-default", interface: "eth0", ips: [p.ip], mac: p.mac ?? "", default: true, dns: {} }]) },
          ownerReferences: [owner("apps/v1", "ReplicaSet", ns, po.replicaSet)],
        }),
        spec: { ...template.spec, nodeName: p.node, serviceAccountName: "default" },
        status: {
          phase: "Running", hostIP: node.fabricIp, hostIPs: [{ ip: node.fabricIp }], podIP: p.ip, podIPs: [{ ip: p.ip }], startTime: created, qosClass: "BestEffort",
          conditions: podConditions(!backendDown, created, running, backendDown ? [app] : [], readyMoved ?? running),
          containerStatuses: [{
            name: app, image: "docker.io/contrailk8sdayone/contrail-webserver:latest", imageID: `docker.io/contrailk8sdayone/contrail-webserver@sha256:${hexId("img|webserver")}`,
            containerID: cid, ready: !backendDown, restartCount: 0, started: true, state: { running: { startedAt: running } },
          }],
        },
      });
    }
  }

  // Services, Endpoints, EndpointSlices.
  for (const s of t.services) {
    const eps = endpointsOf(t, s.name);
    const created = at(AGE_MS.app);
    add("/services", {
      apiVersion: "v1", kind: "Service",
      metadata: meta("Service", s.name, ns, created, { labels: { app: s.selector } }),
      spec: {
        type: "ClusterIP", clusterIP: s.ip, clusterIPs: [s.ip], internalTrafficPolicy: "Cluster", ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack",
        ports: [{ port: s.port, protocol: "TCP", targetPort: s.targetPort }], selector: { app: s.selector }, sessionAffinity: "None",
      },
      status: { loadBalancer: {} },
    });
    const address = (p: (typeof eps)[number]) => ({ ip: p.ip, nodeName: p.node, targetRef: { kind: "Pod", namespace: ns, name: p.name, uid: podUid(p.name) } });
    const subset: Record<string, unknown> = { ports: [{ port: s.targetPort, protocol: "TCP" }] };
    if (eps.length && !backendDown) subset.addresses = eps.map(address);
    if (eps.length && backendDown) subset.notReadyAddresses = eps.map(address);
    add("/endpoints", {
      apiVersion: "v1", kind: "Endpoints",
      metadata: meta("Endpoints", s.name, ns, created, { labels: { app: s.selector }, annotations: { "endpoints.kubernetes.io/last-change-trigger-time": at(AGE_MS.pod - 9_000) } }),
      subsets: eps.length ? [subset] : [],
    });
    const sliceName = `${s.name}-${nameSuffix(`slice|${ns}|${s.name}`)}`;
    add("discovery.k8s.io/endpointslices", {
      apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
      metadata: meta("EndpointSlice", sliceName, ns, created, {
        generateName: `${s.name}-`,
        labels: { app: s.selector, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io", "kubernetes.io/service-name": s.name },
        annotations: { "endpoints.kubernetes.io/last-change-trigger-time": at(AGE_MS.pod - 9_000) },
        ownerReferences: [owner("v1", "Service", ns, s.name)],
      }),
      addressType: "IPv4",
      endpoints: eps.map((p) => ({
        addresses: [p.ip], conditions: { ready: !backendDown, serving: !backendDown, terminating: false }, nodeName: p.node,
        targetRef: { kind: "Pod", namespace: ns, name: p.name, uid: podUid(p.name) },
      })),
      ports: [{ name: "", port: s.targetPort, protocol: "TCP" }],
    });
  }

  // The ingress: Contrail's haproxy behind the floating IP; status lists the VIP and the FIP.
  const hosts = [...new Set(t.ingress.rules.map((r) => r.host))];
  add("networking.k8s.io/ingresses", {
    apiVersion: "networking.k8s.io/v1", kind: "Ingress",
    metadata: meta("Ingress", ingress.name, ingress.namespace, at(AGE_MS.app - 600_000), { annotations: { "kubernetes.io/ingress.class": "opencontrail" } }),
    spec: {
      rules: hosts.map((host) => ({
        host,
        http: {
          paths: t.ingress.rules.filter((r) => r.host === host).map((r) => {
            const svc = t.services.find((s) => s.name === r.service)!;
            return { path: r.path, pathType: "Prefix", backend: { service: { name: svc.name, port: { number: svc.port } } } };
          }),
        },
      })),
    },
    status: { loadBalancer: { ingress: [{ ip: t.ingress.vip }, { ip: t.ingress.fip }] } },
  });

  for (const list of out.values()) list.sort((a, b) => (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || a.metadata.name.localeCompare(b.metadata.name));
  return out;
}

function podConditions(ready: boolean, created: string, running: string, notReady: string[] = [], readyAt = running): Record<string, unknown>[] {
  const why = notReady.length ? { reason: "ContainersNotReady", message: `containers with unready status: [${notReady.join(" ")}]` } : {};
  return [
    { type: "PodReadyToStartContainers", status: "True", lastProbeTime: null, lastTransitionTime: running },
    { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: created },
    { type: "Ready", status: ready ? "True" : "False", lastProbeTime: null, lastTransitionTime: readyAt, ...why },
    { type: "ContainersReady", status: ready ? "True" : "False", lastProbeTime: null, lastTransitionTime: readyAt, ...why },
    { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: created },
  ];
}

/**
 * The vRouter agent pod of a node in the lab cluster (what `kubectl get pods -n kube-system -l
 * app=contrail-agent --field-selector spec.nodeName=NODE` finds).
 *
 * @example
 * agentPodName("cent222"); // "contrail-agent-…" (5 characters, stable)
 */
export function agentPodName(node: string): string {
  return `${AGENT.daemonSet}-${nameSuffix(`${AGENT.daemonSet}|${node}`)}`;
}
