/**
 * Which pod runs the vRouter agent on each node, and in which container: the kubectl access discovery
 * writes into the inventory (`vrouter: { via: kubectl, namespace, pod, container }`).
 *
 * Contrail and Tungsten Fabric deploy the agent as a DaemonSet: `contrail-agent-xxxxx` with container
 * `contrail-vrouter-agent` (Contrail's Kubernetes manifests), `vrouter1-vrouter-daemonset-xxxxx` with
 * container `vrouteragent` (tf-operator). A container whose name reads as a vRouter agent is taken first;
 * else, in a pod whose name says vrouter, a container called agent.
 */
import type { KubePod } from "./types";

/** The agent pod of one node. */
export interface VrouterAgentPod {
  node: string;
  namespace: string;
  pod: string;
  container: string;
  /** Whether the pod is Ready. */
  ready: boolean;
  /** The DaemonSet (or other owner) it belongs to, for a selector. */
  owners: string[];
  labels: Record<string, string>;
}

const AGENT_CONTAINER = /^(contrail-)?vrouter[-_]?agent$|^vrouteragent$/i;
const AGENT_LOOSE = /vrouter.*agent|agent.*vrouter/i;

function agentContainer(p: KubePod): string | null {
  return p.containers.find((c) => AGENT_CONTAINER.test(c)) ?? p.containers.find((c) => AGENT_LOOSE.test(c)) ?? (/vrouter/i.test(p.name) ? (p.containers.find((c) => /agent/i.test(c)) ?? null) : null);
}

/**
 * The vRouter agent pod on each node (one per node: a Ready one first, then the newest name). Nodes
 * without one are absent.
 *
 * @example
 * vrouterAgentPods(pods).get("cent222");
 * // { node: "cent222", namespace: "kube-system", pod: "contrail-agent-7xk2p", container: "contrail-vrouter-agent", ready: true, … }
 */
export function vrouterAgentPods(pods: readonly KubePod[]): Map<string, VrouterAgentPod> {
  const out = new Map<string, VrouterAgentPod>();
  for (const p of pods) {
    if (!p.node) continue;
    const container = agentContainer(p);
    if (!container) continue;
    const cand: VrouterAgentPod = { node: p.node, namespace: p.namespace, pod: p.name, container, ready: p.ready === "True", owners: p.owners, labels: p.labels };
    const prev = out.get(p.node);
    if (!prev || (!prev.ready && cand.ready)) out.set(p.node, cand);
  }
  return out;
}
