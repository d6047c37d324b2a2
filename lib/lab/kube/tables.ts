/**
 * Server-side printing: the `meta.k8s.io/v1` Table the API returns when kubectl asks for
 * `application/json;as=Table;v=v1;g=meta.k8s.io`, with the columns the real API server prints for each
 * kind (`kubectl get pods` → NAME READY STATUS RESTARTS AGE, `-o wide` adds IP NODE …). Each row carries
 * the object's metadata (`PartialObjectMetadata`), from which kubectl takes the NAMESPACE column of `-A`.
 */
import type { KubeObject } from "./objects";

/** One column definition of a Table. */
export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean;
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Kubernetes' short duration (`duration.HumanDuration`): `45s`, `3m10s`, `5h12m`, `2d5h`, `9d`, `3y20d`.
 *
 * @example
 * humanDuration(59_000); // "59s"
 * humanDuration(2 * 86400_000 + 5 * 3600_000); // "2d5h"
 */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(s / 3600);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / (24 * 365));
  if (y < 8) return `${y}y${Math.floor(h / 24) % 365}d`;
  return `${y}y`;
}

const col = (name: string, type: TableColumn["type"], description: string, priority = 0, format = ""): TableColumn => ({ name, type, format, description, priority });
const NAME = col("Name", "string", "Name must be unique within a namespace.", 0, "name");
const AGE = col("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.");

const none = (s: string | undefined | null): string => (s === undefined || s === null || s === "" ? "<none>" : s);

function age(o: KubeObject, now: number): string {
  return humanDuration(now - Date.parse(o.metadata.creationTimestamp));
}

function joinMax(list: string[], max = 3): string {
  if (list.length === 0) return "<none>";
  return list.length > max ? `${list.slice(0, max).join(",")} + ${list.length - max} more...` : list.join(",");
}

function selectorText(sel: Record<string, string> | undefined): string {
  return sel && Object.keys(sel).length ? Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(",") : "<none>";
}

interface Printer {
  columns: TableColumn[];
  cells(o: KubeObject, now: number): Cell[];
}

const PRINTERS: Record<string, Printer> = {
  Namespace: {
    columns: [NAME, col("Status", "string", "The status of the namespace"), AGE],
    cells: (o, now) => [o.metadata.name, String((o.status as Any)?.phase ?? ""), age(o, now)],
  },
  Node: {
    columns: [
      NAME, col("Status", "string", "The status of the node"), col("Roles", "string", "The roles of the node"), AGE,
      col("Version", "string", "Kubelet Version reported by the node."), col("Internal-IP", "string", "List of addresses reachable to the node.", 1),
      col("External-IP", "string", "List of addresses reachable to the node.", 1), col("OS-Image", "string", "OS Image reported by the node.", 1),
      col("Kernel-Version", "string", "Kernel Version reported by the node.", 1), col("Container-Runtime", "string", "Container Runtime Version reported by the node.", 1),
    ],
    cells: (o, now) => {
      const st = o.status as Any;
      const ready = (st.conditions as Any[]).find((c) => c.type === "Ready");
      const roles = Object.keys(o.metadata.labels ?? {}).filter((k) => k.startsWith("node-role.kubernetes.io/")).map((k) => k.slice(24));
      const addr = (t: string) => none((st.addresses as Any[]).find((a) => a.type === t)?.address);
      return [
        o.metadata.name, ready?.status === "True" ? "Ready" : "NotReady", roles.length ? roles.join(",") : "<none>", age(o, now), st.nodeInfo.kubeletVersion,
        addr("InternalIP"), addr("ExternalIP"), st.nodeInfo.osImage, st.nodeInfo.kernelVersion, st.nodeInfo.containerRuntimeVersion,
      ];
    },
  },
  Pod: {
    columns: [
      NAME, col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."), col("Status", "string", "The aggregate status of the containers in this pod."),
      col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."), AGE,
      col("IP", "string", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
      col("Node", "string", "NodeName is a request to schedule this pod onto a specific node.", 1),
      col("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node.", 1),
      col("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
    ],
    cells: (o, now) => {
      const st = o.status as Any;
      const cs = (st.containerStatuses ?? []) as Any[];
      const total = ((o.spec as Any).containers as Any[]).length;
      const ready = cs.filter((c) => c.ready).length;
      const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
      return [o.metadata.name, `${ready}/${total}`, st.phase, String(restarts), age(o, now), none(st.podIP), none((o.spec as Any).nodeName), "<none>", "<none>"];
    },
  },
  Service: {
    columns: [
      NAME, col("Type", "string", "type determines how the Service is exposed."), col("Cluster-IP", "string", "clusterIP is the IP address of the service."),
      col("External-IP", "string", "List of IP addresses for which nodes in the cluster will also accept traffic for this service."),
      col("Port(s)", "string", "The list of ports that are exposed by this service."), AGE,
      col("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1),
    ],
    cells: (o, now) => {
      const sp = o.spec as Any;
      const ports = (sp.ports as Any[]).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol}`).join(",");
      const ext = [...((sp.externalIPs as string[]) ?? []), ...(((o.status as Any)?.loadBalancer?.ingress as Any[]) ?? []).map((i) => i.ip)];
      return [o.metadata.name, sp.type, sp.clusterIP, ext.length ? ext.join(",") : "<none>", ports, age(o, now), selectorText(sp.selector)];
    },
  },
  Endpoints: {
    columns: [NAME, col("Endpoints", "string", "Endpoints of the service"), AGE],
    cells: (o, now) => {
      const list: string[] = [];
      for (const s of (o.subsets as Any[]) ?? []) for (const a of (s.addresses as Any[]) ?? []) for (const p of s.ports as Any[]) list.push(`${a.ip}:${p.port}`);
      return [o.metadata.name, joinMax(list), age(o, now)];
    },
  },
  EndpointSlice: {
    columns: [
      NAME, col("AddressType", "string", "The IP protocol for this slice"), col("Ports", "string", "The ports that are exposed by this slice"),
      col("Endpoints", "string", "Endpoints of the slice"), AGE,
    ],
    cells: (o, now) => {
      const ports = ((o.ports as Any[]) ?? []).map((p) => String(p.port));
      const addrs = ((o.endpoints as Any[]) ?? []).flatMap((e) => e.addresses as string[]);
      return [o.metadata.name, String(o.addressType), ports.length ? ports.join(",") : "<unset>", addrs.length ? joinMax(addrs) : "<unset>", age(o, now)];
    },
  },
  Secret: {
    columns: [NAME, col("Type", "string", "The type of the secret"), col("Data", "string", "The number of entries in the data"), AGE],
    cells: (o, now) => [o.metadata.name, String(o.type ?? "Opaque"), String(Object.keys((o.data as Any) ?? {}).length), age(o, now)],
  },
  DaemonSet: {
    columns: [
      NAME, col("Desired", "integer", "The total number of nodes that should be running the daemon pod."), col("Current", "integer", "The number of nodes running at least one daemon pod."),
      col("Ready", "integer", "The number of nodes that should be running the daemon pod and have one or more running and ready."), col("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
      col("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more available."), col("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node."), AGE,
      col("Containers", "string", "Names of each container in the template.", 1), col("Images", "string", "Images referenced by each container in the template.", 1), col("Selector", "string", "A label query over pods.", 1),
    ],
    cells: (o, now) => {
      const st = o.status as Any;
      const tpl = (o.spec as Any).template.spec;
      return [
        o.metadata.name, st.desiredNumberScheduled, st.currentNumberScheduled, st.numberReady, st.updatedNumberScheduled, st.numberAvailable,
        selectorText(tpl.nodeSelector), age(o, now), (tpl.containers as Any[]).map((c) => c.name).join(","), (tpl.containers as Any[]).map((c) => c.image).join(","), selectorText((o.spec as Any).selector.matchLabels),
      ];
    },
  },
  Deployment: {
    columns: [
      NAME, col("Ready", "string", "Number of the pod with ready state"), col("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
      col("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."), AGE,
      col("Containers", "string", "Names of each container in the template.", 1), col("Images", "string", "Images referenced by each container in the template.", 1), col("Selector", "string", "Label selector for pods.", 1),
    ],
    cells: (o, now) => {
      const st = o.status as Any;
      const tpl = (o.spec as Any).template.spec;
      return [
        o.metadata.name, `${st.readyReplicas ?? 0}/${(o.spec as Any).replicas}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0, age(o, now),
        (tpl.containers as Any[]).map((c) => c.name).join(","), (tpl.containers as Any[]).map((c) => c.image).join(","), selectorText((o.spec as Any).selector.matchLabels),
      ];
    },
  },
  ReplicaSet: {
    columns: [
      NAME, col("Desired", "integer", "Number of desired pods."), col("Current", "integer", "Number of actual replicas."), col("Ready", "integer", "The number of ready replicas for this replica set."), AGE,
      col("Containers", "string", "Names of each container in the template.", 1), col("Images", "string", "Images referenced by each container in the template.", 1), col("Selector", "string", "Label selector for pods.", 1),
    ],
    cells: (o, now) => {
      const st = o.status as Any;
      const tpl = (o.spec as Any).template.spec;
      return [
        o.metadata.name, (o.spec as Any).replicas, st.replicas, st.readyReplicas ?? 0, age(o, now),
        (tpl.containers as Any[]).map((c) => c.name).join(","), (tpl.containers as Any[]).map((c) => c.image).join(","), selectorText((o.spec as Any).selector.matchLabels),
      ];
    },
  },
  Ingress: {
    columns: [
      NAME, col("Class", "string", "The name of the IngressClass resource that should be used for this Ingress."), col("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
      col("Address", "string", "Address is a list containing ingress points for the load-balancer"), col("Ports", "string", "Ports of TLS configurations that open"), AGE,
    ],
    cells: (o, now) => {
      const sp = o.spec as Any;
      const hosts = ((sp.rules as Any[]) ?? []).map((r) => r.host ?? "*");
      const addrs = (((o.status as Any)?.loadBalancer?.ingress as Any[]) ?? []).map((i) => i.ip ?? i.hostname);
      return [o.metadata.name, none(sp.ingressClassName), joinMax(hosts, 4) === "<none>" ? "*" : joinMax(hosts, 4), addrs.join(","), sp.tls?.length ? "80, 443" : "80", age(o, now)];
    },
  },
};

/**
 * The Table of a list of objects of one kind, as the API server prints it.
 *
 * @example
 * const t = toTable("Pod", pods, Date.now(), "123");
 * t.columnDefinitions.map((c) => c.name); // ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", …]
 * t.rows[0].cells; // ["webservice-7db5dcb4c6-h9xk2", "1/1", "Running", "0", "2d5h", "10.47.255.236", "cent333", "<none>", "<none>"]
 */
export function toTable(kind: string, items: KubeObject[], now: number, resourceVersion: string, apiVersion = "meta.k8s.io/v1"): Record<string, unknown> {
  const p: Printer = PRINTERS[kind] ?? { columns: [NAME, AGE], cells: (o, n) => [o.metadata.name, age(o, n)] };
  return {
    kind: "Table",
    apiVersion,
    metadata: { resourceVersion },
    columnDefinitions: p.columns,
    rows: items.map((o) => ({
      cells: p.cells(o, now),
      object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}
