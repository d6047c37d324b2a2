/**
 * Renders the gateway's Junos `show route table <vrf>.inet.0 <prefix> detail` (text and
 * `| display json`) and the brief `show route <prefix> [exact]` for the floating IP, from the lab's
 * gateway state.
 *
 * The lab's gateway VRF models one route, the floating IP's /32. Asked for any other prefix, the text
 * form prints nothing at all (as a real router does when no route in the table matches: no table
 * header either), and the JSON form is the bare `route-information` reply with no `route-table`.
 */
import type { GatewayState } from "../model";
import type { Topology } from "../topology";

/** What the route command needs: the gateway state, the topology, and whether the route exists. */
export interface JunosRouteInput {
  gw: GatewayState;
  topology: Topology;
  /** The prefix asked for (`101.101.101.1/32`). */
  prefix: string;
  /** Seconds since the lab started (for `Age:`). */
  uptimeSec: number;
}

function age(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = Math.floor(sec % 60);
  const hms = `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return d ? `${d}d ${hms}` : hms;
}

/**
 * Whether the gateway's VRF holds a route for `prefix` (an address or `address/len`): only the
 * floating IP's /32 is modelled.
 *
 * @example
 * holdsRoute(topology, "101.101.101.1");    // true
 * holdsRoute(topology, "101.101.101.9/32"); // false
 */
export function holdsRoute(topology: Topology, prefix: string): boolean {
  const p = prefix.includes("/") ? prefix : `${prefix}/32`;
  return p === `${topology.ingress.fip}/32`;
}

function known(i: JunosRouteInput): boolean {
  return holdsRoute(i.topology, i.prefix);
}

/**
 * Renders the brief form, `show route PREFIX [exact]` (no table named): for each table holding a
 * matching route, its header, the legend and the route's line with its next hop; nothing when no
 * table holds one.
 *
 * @example
 * renderJunosRouteBrief({ gw, topology, prefix: "101.101.101.1/32", uptimeSec: 100 });
 * // "\nk8s-ns-user-1-public.inet.0: 8 destinations, 8 routes (8 active, 0 holddown, 0 hidden)\n+ = Active Route, …\n\n101.101.101.1/32   *[BGP/170] 1:40, localpref 100, from 10.169.25.19\n …"
 */
export function renderJunosRouteBrief(i: JunosRouteInput): string {
  const { gw, topology: t } = i;
  if (i.prefix !== "" && !known(i)) return "";
  const n = gw.routeCount;
  const fip = `${t.ingress.fip}/32`;
  return (
    `\n${gw.vrf}.inet.0: ${n} destinations, ${n} routes (${n} active, 0 holddown, 0 hidden)\n` +
    "+ = Active Route, - = Last Active, * = Both\n\n" +
    `${fip.padEnd(18)} *[BGP/170] ${age(i.uptimeSec)}, localpref 100, from ${t.gateway.routerId}\n` +
    "                      AS path: ?, validation-state: unverified\n" +
    `                    >  via ${t.gateway.greInterface}, Push ${gw.pushLabel}\n`
  );
}

/**
 * Renders the text form: the table header and the route, or nothing when `prefix` matches no route
 * (the whole table, header only, when no prefix is given).
 *
 * @example
 * renderJunosRoute({ gw, topology, prefix: "101.101.101.1/32", uptimeSec: 100 });
 * // "\nk8s-ns-user-1-public.inet.0: 8 destinations, 8 routes (8 active, 0 holddown, 0 hidden)\n101.101.101.1/32 (1 entry, 1 announced)\n        *BGP    Preference: 170/-101\n..."
 * renderJunosRoute({ gw, topology, prefix: "101.101.101.9/32", uptimeSec: 100 }); // ""
 */
export function renderJunosRoute(i: JunosRouteInput): string {
  const { gw, topology: t } = i;
  const n = gw.routeCount;
  if (i.prefix !== "" && !known(i)) return "";
  let out = `\n${gw.vrf}.inet.0: ${n} destinations, ${n} routes (${n} active, 0 holddown, 0 hidden)\n`;
  if (!known(i)) return out;
  const rd = `${gw.protocolNextHop}:${t.networks.find((x) => x.role === "fip")!.vrf}`;
  out += `${t.ingress.fip}/32 (1 entry, 1 announced)\n`;
  const l = (s: string) => (out += "                " + s + "\n");
  out += "        *BGP    Preference: 170/-101\n";
  l(`Route Distinguisher: ${rd}`);
  l("Next hop type: Indirect, Next hop index: 0");
  l("Address: 0xc5ab0fc");
  l("Next-hop reference count: 6");
  l(`Source: ${t.gateway.routerId}`);
  l("Next hop type: Router, Next hop index: 617");
  l(`Next hop: via ${t.gateway.greInterface}, selected`);
  l(`Label operation: Push ${gw.pushLabel}`);
  l("Label TTL action: prop-ttl");
  l(`Load balance label: Label ${gw.pushLabel}: None; `);
  l("Label element ptr: 0xc5ab540");
  l("Label parent element ptr: 0x0");
  l("Label element references: 2");
  l("Label element child references: 0");
  l("Label element lsp id: 0");
  l("Session Id: 0x0");
  l(`Protocol next hop: ${gw.protocolNextHop}`);
  l(`Label operation: Push ${gw.pushLabel}`);
  l("Label TTL action: prop-ttl");
  l("Load balance label: Label " + gw.pushLabel + ": None; ");
  l("Indirect next hop: 0xc5b8e00 1048577 INH Session ID: 0x0");
  l("State: <Secondary Active Int Ext ProtectionCand>");
  l(`Local AS: ${t.asn} Peer AS: ${t.asn}`);
  l(`Age: ${age(i.uptimeSec)} \tMetric2: 0 `);
  l("Validation State: unverified ");
  l(`Task: BGP_${t.asn}.${t.gateway.routerId}`);
  l("Announcement bits (1): 1-KRT ");
  l("AS path: ? ");
  l(`Communities: target:${t.asn}:8000007 encapsulation:mpls-in-udp(0xd)`);
  l("Import Accepted");
  l(`VPN Label: ${gw.pushLabel}`);
  l("Localpref: 100");
  l(`Router ID: ${t.gateway.routerId}`);
  l("Primary Routing Table bgp.l3vpn.0");
  return out;
}

const d = (v: string | number) => [{ data: String(v) }];

/**
 * Renders the `| display json` form (Junos JSON: every leaf is `[{"data": "..."}]`). When `prefix`
 * matches no route, the reply holds no `route-table` (the text form prints nothing).
 *
 * @example
 * JSON.parse(renderJunosRouteJson(input))["route-information"][0]["route-table"][0]["rt"][0]["rt-destination"][0].data;
 * // "101.101.101.1/32"
 * JSON.parse(renderJunosRouteJson({ ...input, prefix: "101.101.101.9/32" }))["route-information"][0]["route-table"]; // undefined
 */
export function renderJunosRouteJson(i: JunosRouteInput): string {
  const { gw, topology: t } = i;
  const info = { attributes: { xmlns: "http://xml.juniper.net/junos/21.4R0/junos-routing" } };
  if (i.prefix !== "" && !known(i)) return JSON.stringify({ "route-information": [info] }, null, 4) + "\n";
  const n = gw.routeCount;
  const table: Record<string, unknown> = {
    "table-name": d(`${gw.vrf}.inet.0`),
    "destination-count": d(n),
    "total-route-count": d(n),
    "active-route-count": d(n),
    "holddown-route-count": d(0),
    "hidden-route-count": d(0),
  };
  if (known(i)) {
    table["rt"] = [
      {
        attributes: { "junos:style": "detail" },
        "rt-destination": d(`${t.ingress.fip}/32`),
        "rt-entry-count": [{ data: "1", attributes: { "junos:format": "1 entry" } }],
        "rt-announced-count": d(1),
        "rt-entry": [
          {
            "active-tag": d("*"),
            "protocol-name": d("BGP"),
            preference: d(170),
            preference2: d(-101),
            "rt-route-distinguisher": d(`${gw.protocolNextHop}:${t.networks.find((x) => x.role === "fip")!.vrf}`),
            "nh-type": d("Indirect"),
            "nh-index": d(0),
            "nh-reference-count": d(6),
            "rt-entry-state": d("Secondary Active Int Ext ProtectionCand"),
            "local-as": d(t.asn),
            "peer-as": d(t.asn),
            age: [{ data: age(i.uptimeSec), attributes: { "junos:seconds": String(Math.floor(i.uptimeSec)) } }],
            "validation-state": d("unverified"),
            task_name: d(`BGP_${t.asn}.${t.gateway.routerId}`),
            "as-path": d("?"),
            communities: [{ community: d(`target:${t.asn}:8000007`), "extended-community": d("encapsulation:mpls-in-udp(0xd)") }],
            "vpn-label": d(gw.pushLabel),
            "local-preference": d(100),
            "peer-id": d(t.gateway.routerId),
            "primary-routing-table": d("bgp.l3vpn.0"),
            nh: [
              {
                "nh-string": d("Next hop"),
                "selected-next-hop": [{ data: [null] }],
                via: d(t.gateway.greInterface),
                "mpls-label": d(`Push ${gw.pushLabel}`),
                "load-balance-label": d(`Label ${gw.pushLabel}: None; `),
              },
            ],
            "protocol-nh": [{ to: d(gw.protocolNextHop), "mpls-label": d(`Push ${gw.pushLabel}`) }],
          },
        ],
      },
    ];
  }
  return JSON.stringify({ "route-information": [{ ...info, "route-table": [table] }] }, null, 4) + "\n";
}
