/**
 * Which introspect request answers which utility command: `vif --list` → `/Snh_KInterfaceReq?if_id=-1`,
 * `nh --get 61` → `/Snh_KNHReq?nh_id=61`, `rt --get A/L --vrf V` → `/Snh_KRouteGetReq?vrf_id=V&prefix=A&prefix_len=L`,
 * `mpls --get 38` → `/Snh_KMplsReq?mpls_label=38`, `flow -l` → `/Snh_KFlowReq?flow_idx=-1`.
 */

/** A vRouter table query, the way the walk asks it of either source. */
export type KstateQuery =
  | { tool: "vif"; index?: number }
  | { tool: "nh"; id?: number }
  | { tool: "rt"; vrf: number; prefix?: string; plen?: number }
  | { tool: "mpls"; label?: number }
  | { tool: "flow"; index?: number };

/**
 * The introspect path answering `q`.
 *
 * @example
 * kstatePath({ tool: "rt", vrf: 2, prefix: "10.99.225.17", plen: 32 });
 * // "/Snh_KRouteGetReq?vrf_id=2&prefix=10.99.225.17&prefix_len=32"
 */
export function kstatePath(q: KstateQuery): string {
  const qs = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]): [string, string] => [k, String(v)])).toString();
  switch (q.tool) {
    case "vif":
      return `/Snh_KInterfaceReq?${qs({ if_id: q.index ?? -1 })}`;
    case "nh":
      return `/Snh_KNHReq?${qs({ nh_id: q.id ?? -1 })}`;
    case "rt":
      return q.prefix !== undefined
        ? `/Snh_KRouteGetReq?${qs({ vrf_id: q.vrf, prefix: q.prefix, prefix_len: q.plen ?? 32 })}`
        : `/Snh_KRouteReq?${qs({ vrf_id: q.vrf, family: "inet" })}`;
    case "mpls":
      return `/Snh_KMplsReq?${qs({ mpls_label: q.label ?? -1 })}`;
    case "flow":
      return `/Snh_KFlowReq?${qs({ flow_idx: q.index ?? -1 })}`;
  }
}

/**
 * The utility command the query stands for, as an operator would type it (for evidence titles).
 *
 * @example
 * kstateCommand({ tool: "nh", id: 61 }); // "nh --get 61"
 */
export function kstateCommand(q: KstateQuery): string {
  switch (q.tool) {
    case "vif":
      return q.index === undefined ? "vif --list" : `vif --get ${q.index}`;
    case "nh":
      return q.id === undefined ? "nh --list" : `nh --get ${q.id}`;
    case "rt":
      return q.prefix !== undefined ? `rt --get ${q.prefix}/${q.plen ?? 32} --vrf ${q.vrf}` : `rt --dump ${q.vrf}`;
    case "mpls":
      return q.label === undefined ? "mpls --dump" : `mpls --get ${q.label}`;
    case "flow":
      return q.index === undefined ? "flow -l" : `flow --get ${q.index}`;
  }
}
