/**
 * The lab's live state: the topology, the active faults, the derived forwarding model and the flow
 * tables. Everything the utilities print is rendered from here; traffic updates it.
 */
import { EventEmitter } from "node:events";
import type { DrillSession } from "./drill";
import type { FlowTable } from "./flowtable";
import { FAULTS, buildModel, type ClusterModel, type FaultName } from "./model";
import type { Topology } from "./topology";

/**
 * Holds the model and rebuilds it when faults change, keeping flow tables and interface counters.
 *
 * @example
 * const s = new LabState(loadTopology("default"));
 * s.setFault("wrong-label", true);
 * s.model.computes.get("cent333")!.mpls.has(38); // false
 */
export class LabState extends EventEmitter {
  readonly topology: Topology;
  readonly startedAt = Date.now();
  model: ClusterModel;
  private readonly faults = new Set<FaultName>();
  /** Set when the lab runs a drill: its faults are hidden from every printed view and the control socket. */
  drill?: DrillSession;

  constructor(topology: Topology, faults: Iterable<FaultName> = []) {
    super();
    this.topology = topology;
    for (const f of faults) this.faults.add(f);
    this.model = buildModel(topology, this.faults);
  }

  /** The faults currently on. */
  activeFaults(): FaultName[] {
    return FAULTS.filter((f) => this.faults.has(f));
  }

  /** Whether a fault is on. */
  hasFault(f: FaultName): boolean {
    return this.faults.has(f);
  }

  /**
   * Switches a fault; rebuilds next hops, routes and labels, keeping flows and vif counters. Throws on an
   * unknown name, or on `haproxy-failover` / `standby-answers` when the topology has no standby.
   */
  setFault(name: string, on: boolean): void {
    if (!(FAULTS as readonly string[]).includes(name)) throw new Error(`unknown fault ${name} (known: ${FAULTS.join(", ")})`);
    const f = name as FaultName;
    if ((f === "haproxy-failover" || f === "standby-answers") && !this.topology.ingress.standby) throw new Error(`${f} needs ingress.standby`);
    if (on === this.faults.has(f)) return;
    if (on) this.faults.add(f);
    else this.faults.delete(f);
    const flows = new Map<string, FlowTable>();
    const counters = new Map<string, Map<string, { rxPackets: number; rxBytes: number; txPackets: number; txBytes: number; drops: number }>>();
    for (const [n, c] of this.model.computes) {
      flows.set(n, c.flows);
      const m = new Map<string, { rxPackets: number; rxBytes: number; txPackets: number; txBytes: number; drops: number }>();
      for (const v of c.vifs.values()) m.set(v.os, { rxPackets: v.rxPackets, rxBytes: v.rxBytes, txPackets: v.txPackets, txBytes: v.txBytes, drops: v.drops });
      counters.set(n, m);
    }
    this.model = buildModel(this.topology, this.faults, flows);
    for (const [n, c] of this.model.computes) {
      const m = counters.get(n);
      for (const v of c.vifs.values()) Object.assign(v, m?.get(v.os) ?? {});
    }
    this.emit("fault", f, on);
  }
}
