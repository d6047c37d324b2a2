/**
 * The lab API's object store: the objects of `objects.ts` for the current lab state, rebuilt when a
 * fault switches, with `resourceVersion`s stamped as the API server does (a cluster-wide counter; an
 * object keeps its version until its content changes).
 */
import type { LabState } from "../state";
import { buildKubeObjects, resourceKey, KUBE_RESOURCES, type KubeObject, type KubeObjectSet, type KubeResource } from "./objects";

/**
 * Holds the current objects of the lab cluster.
 *
 * @example
 * const store = new KubeStore(lab.state);
 * store.list(podsResource).length; // agent pods + backend pods
 * lab.setFault("backend-down", true); // the store rebuilds: backend pods turn unready, their resourceVersion moves
 * store.dispose();
 */
export class KubeStore {
  private objects: KubeObjectSet = new Map();
  private readonly seen = new Map<string, { json: string; rv: number }>();
  private counter = 1000;
  private readonly state: LabState;
  private readonly faultTimes: Record<string, number> = {};
  private readonly onFault = (name: string): void => {
    this.faultTimes[name] = Date.now();
    this.rebuild();
  };

  constructor(state: LabState) {
    this.state = state;
    this.rebuild();
    state.on("fault", this.onFault);
  }

  /** The cluster-wide resourceVersion (the list's `metadata.resourceVersion`). */
  get resourceVersion(): string {
    return String(this.counter);
  }

  /**
   * All objects of a resource type (copies), in namespace/name order.
   *
   * @example
   * store.list(KUBE_RESOURCES.find((r) => r.resource === "nodes")!).map((n) => n.metadata.name); // ["cent222", "cent333"]
   */
  list(r: Pick<KubeResource, "group" | "resource">): KubeObject[] {
    return (this.objects.get(resourceKey(r)) ?? []).map((o) => JSON.parse(JSON.stringify(o)) as KubeObject);
  }

  /**
   * One object by namespace and name (a copy), or `undefined`.
   *
   * @example
   * store.get(podsResource, "kube-system", agentPodName("cent222"))?.spec;
   */
  get(r: Pick<KubeResource, "group" | "resource">, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = (this.objects.get(resourceKey(r)) ?? []).find((x) => x.metadata.name === name && (x.metadata.namespace ?? undefined) === (namespace || undefined));
    return o ? (JSON.parse(JSON.stringify(o)) as KubeObject) : undefined;
  }

  /** Stops following the lab state's faults. */
  dispose(): void {
    this.state.off("fault", this.onFault);
  }

  private rebuild(): void {
    const next = buildKubeObjects(this.state, { faultTimes: this.faultTimes });
    for (const r of KUBE_RESOURCES) {
      for (const o of next.get(resourceKey(r)) ?? []) {
        const id = `${resourceKey(r)}|${o.metadata.namespace ?? ""}|${o.metadata.name}`;
        const json = JSON.stringify(o);
        const prev = this.seen.get(id);
        if (!prev || prev.json !== json) this.seen.set(id, { json, rv: ++this.counter });
        o.metadata.resourceVersion = String(this.seen.get(id)!.rv);
      }
    }
    this.objects = next;
  }
}
