/**
 * The vRouter look-ups of the overlay stages, through lib/vrouter's joins: the service route on the
 * active node (`rt --get` → `nh --get` → tunnel → node, ECMP member picked from the flow's RPF next
 * hop) and a label on the backend node (`mpls --get` → `nh --get` → `vif --get` → pod).
 */
import { followLabel, followPrefix, subNhList } from "../vrouter";
import type { LabelTarget, PrefixTarget } from "../vrouter/joins";
import type { NhRow } from "../vrouter/types";
import { once, type WalkContext } from "./context";
import { fabricMap } from "./discover";
import { evidenceOf } from "./exec";
import { readTable } from "./evidence";
import type { Evidence } from "./types";

/** Where the service prefix leads from the active node. */
export interface ServiceRoute {
  target: PrefixTarget | null;
  /** The chain broke here (`rt --get 10.99.225.17/32 --vrf 2: no route`), or the node did not answer. */
  missing: string | null;
  unreachable: boolean;
  /** The member followed (ECMP: the one the flow used). */
  label: number | null;
  node: string | null;
  tunnelType: string | null;
  sip: string | null;
  dip: string | null;
  /** Members of the route's composite (ECMP) next hop, 0 when it is not one. */
  ecmpMembers: number;
  evidence: Evidence[];
}

/**
 * Follows `prefix` in `vrf` on `node`: `rt --get`, then `nh --get` of the route's next hop and of its
 * composite members; picks the ECMP member whose next hop is `preferNh` (the flow's RPF next hop).
 *
 * @example
 * const r = await serviceRoute(ctx, "cent222", "10.99.225.17", 2, 51);
 * r.label; // 38
 * r.node;  // "cent333"
 */
export function serviceRoute(ctx: WalkContext, node: string, prefix: string, vrf: number, preferNh: number | null): Promise<ServiceRoute> {
  return once(ctx, `route|${node}|${prefix}|${vrf}|${preferNh}`, async () => {
    const evidence: Evidence[] = [];
    const fm = await fabricMap(ctx);
    const { step: rt, rows: rtRows } = await readTable(ctx, node, { tool: "rt", prefix, plen: 32, vrf });
    evidence.push(evidenceOf(`route to ${prefix} in VRF ${vrf}`, rt, rtRows));
    const none = { target: null, label: null, node: null, tunnelType: null, sip: null, dip: null, ecmpMembers: 0, evidence };
    if (!rt.ok) return { ...none, missing: `${node}: ${rt.error}`, unreachable: rt.unreachable };
    const nhRows: NhRow[] = [];
    const route = rtRows.find((r) => r.prefix !== null) ?? null;
    if (route?.nh != null) {
      const { step: nh, rows } = await readTable(ctx, node, { tool: "nh", id: route.nh });
      evidence.push(evidenceOf(`next hop ${route.nh}`, nh, rows));
      nhRows.push(...rows);
      for (const r of rows.filter((x) => x.type === "Composite")) {
        for (const s of subNhList(r)) {
          if (s.nh < 0) continue;
          const { step: m, rows: mr } = await readTable(ctx, node, { tool: "nh", id: s.nh });
          evidence.push(evidenceOf(`ECMP member next hop ${s.nh}`, m, mr));
          nhRows.push(...mr);
        }
      }
    }
    // A tunnel to an address that is no compute node (the gateway, a node that did not answer) is still
    // followed: node null, and the stages say what that address is.
    const t = followPrefix(prefix, { rt: rtRows, nh: nhRows, vrf, nodes: fm.byIp });
    if (!t.ok) {
      const missing = /no route/.test(t.missing) || route === null ? `${node} has no route for ${prefix}/32 in VRF ${vrf} (rt --get ${prefix}/32 --vrf ${vrf}: no route)` : `${node}: ${t.missing}`;
      return { ...none, missing, unreachable: false };
    }
    const ep = (preferNh !== null ? t.endpoints.find((e) => e.nh === preferNh) : undefined) ?? t.endpoints[0];
    return {
      target: t, missing: null, unreachable: false, evidence,
      label: ep ? ep.label : t.label,
      node: ep ? ep.node : t.local ? node : t.node,
      tunnelType: ep ? ep.tunnelType : t.tunnelType,
      sip: ep ? ep.sip : t.sip,
      dip: ep ? ep.dip : t.dip,
      ecmpMembers: nhRows.filter((x) => x.type === "Composite" && x.id === t.nh).reduce((n, x) => n + subNhList(x).filter((m) => m.nh >= 0).length, 0),
    };
  });
}

/** Where a label leads on a node. */
export interface LabelLookup {
  target: LabelTarget | null;
  missing: string | null;
  unreachable: boolean;
  evidence: Evidence[];
}

/**
 * `mpls --get LABEL` → `nh --get` → `vif --list` on `node`, joined with `followLabel`.
 *
 * @example
 * (await labelLookup(ctx, "cent333", 38)).target?.podIp; // "10.47.255.236"
 */
export function labelLookup(ctx: WalkContext, node: string, label: number): Promise<LabelLookup> {
  return once(ctx, `label|${node}|${label}`, async () => {
    const evidence: Evidence[] = [];
    const { step: m, rows: mRows } = await readTable(ctx, node, { tool: "mpls", label });
    evidence.push(evidenceOf(`label ${label}`, m, mRows));
    if (!m.ok) return { target: null, missing: `${node}: ${m.error}`, unreachable: m.unreachable, evidence };
    const mr = mRows.find((r) => r.label === label);
    const nhRows: NhRow[] = [];
    if (mr && mr.nh !== null) {
      const { step: nh, rows } = await readTable(ctx, node, { tool: "nh", id: mr.nh });
      nhRows.push(...rows);
      evidence.push(evidenceOf(`next hop ${mr.nh}`, nh, rows));
    }
    // `vif --get <Oif>` as the book does for a plain next hop; the whole list for a composite.
    const oif = nhRows.length === 1 && nhRows[0].type !== "Composite" ? nhRows[0].oif : null;
    const { step: vif, rows: vifRows } = await readTable(ctx, node, oif !== null ? { tool: "vif", index: oif } : { tool: "vif" });
    const t = followLabel(label, { mpls: mRows, nh: nhRows, vif: vifRows });
    if (t.ok) evidence.push(evidenceOf(`interface ${t.vif}`, vif, vifRows.filter((v) => t.members.some((m) => m.vif === v.name))));
    else if (mr) evidence.push(evidenceOf("interfaces", vif, vifRows));
    return t.ok ? { target: t, missing: null, unreachable: false, evidence } : { target: null, missing: t.missing, unreachable: false, evidence };
  });
}
