/**
 * The forward path, stages 1–7: each check gathers its evidence and decides `pass` / `fail` /
 * `unknown` with the reason in words. Checks read the joined {@link facts} and run their own look-ups.
 */
import { lookupRoute, parseIpRoute } from "../vrouter";
import { flowCommand, readTable } from "./evidence";
import { nodesOf, type WalkContext } from "./context";
import { entropyText } from "./entropy";
import { derived, evidenceOf, step } from "./exec";
import { facts, type Facts, type Packet } from "./facts";
import { connected, isHttp, probeOutcome, probeRow } from "./probe-text";
import { labelLookup, serviceRoute } from "./route";
import { flowBrief, flowRow, hasRst, natText, type SeenPair } from "./select";
import { runStage, type StageDraft } from "./stage";
import type { Evidence, StageResult } from "./types";

/**
 * Captured packets as evidence rows.
 *
 * @example
 * packetRows(facts.packets.filter((p) => p.tunnel === "MPLSoUDP"))[0].labels; // "38"
 */
export function packetRows(ps: readonly Packet[]): Record<string, string | number>[] {
  return ps.map((p) => ({
    node: p.node, iface: p.iface, frame: p.frame, time: new Date(p.at).toISOString(), tunnel: p.tunnel ?? "", labels: p.labels.join(" "),
    outer: p.outerSrc ? `${p.outerSrc} → ${p.outerDst}` : "", udp: p.tunnelSrcPort !== null ? `${p.tunnelSrcPort} → ${p.tunnelDstPort}` : "", inner: `${p.src}:${p.srcPort} → ${p.dst}:${p.dstPort}`, flags: p.flags, payload: p.payload, info: p.info,
  }));
}

/** Capture evidence (or the note that there is none) for a node, filtered. */
function captureEvidence(f: Facts, node: string | null, title: string, pick: (p: Packet) => boolean): { evidence: Evidence[]; notes: string[]; packets: Packet[] } {
  if (!node) return { evidence: [], notes: [], packets: [] };
  const cap = f.obs.captures.find((c) => c.node === node);
  if (!cap) return { evidence: [], notes: [`no capture on ${node} (capture off or node not captured)`], packets: [] };
  if (!cap.frames) return { evidence: [], notes: [`capture on ${node} failed (${cap.error}); decided from the other evidence`], packets: [] };
  const ps = f.packets.filter((p) => p.node === node && pick(p));
  return { evidence: [{ title, node, command: cap.command, at: ps[0]?.at ?? Date.now(), rows: packetRows(ps) }], notes: [], packets: ps };
}

/**
 * The FIP pair did its job: DNAT forward, reverse present.
 *
 * @example
 * fipOk(await facts(ctx)); // true on a healthy cluster
 */
export function fipOk(f: Facts): boolean {
  const p = f.fip;
  return !!p && p.forward.entry.actionCode === "N" && (p.forward.entry.dnat || p.forward.entry.dpat) && !!p.reverse;
}

function pairRows(p: SeenPair, what: string) {
  return [flowRow(p.forward, `${what} forward`), ...(p.reverse ? [flowRow(p.reverse, `${what} reverse`)] : [])];
}

/**
 * Stage 1: the Internet host reaches the gateway. Evidence: the host's routes (`ip route` when the
 * inventory has an internet-host node) and the probe (TCP connected, client port).
 *
 * @example
 * (await checkClient(ctx)).verdict; // "pass"
 */
export function checkClient(ctx: WalkContext): Promise<StageResult> {
  return runStage(ctx, "client", async (): Promise<StageDraft> => {
    const f = await facts(ctx);
    const host = nodesOf(ctx, "internet-host")[0];
    const evidence: Evidence[] = [];
    const notes: string[] = [];
    const node = host?.name ?? "local";
    let routeText = "";
    /** Why the host has no route to the FIP, when it has none. */
    let noRoute: string | null = null;
    if (host) {
      const r = await step(ctx, host.name, ["ip", "route"]);
      const route = hostRoute(host.name, ctx.params.fip, r.stdout);
      evidence.push(evidenceOf(`routes of ${host.name}`, r, route.rows));
      if (r.ok) {
        routeText = route.text ?? "";
        noRoute = route.missing;
      } else notes.push(`could not read ${host.name}'s routes: ${r.error}`);
    } else notes.push("no internet-host node in the inventory: the probe runs from the kernel");
    if (f.probe) {
      const viaCurl = isHttp(f.probe) && f.probe.via === "curl";
      const what = `${viaCurl ? "curl -v" : "GET"} http://${ctx.params.fip}:${ctx.params.fipPort}${ctx.params.path} -H 'Host: ${ctx.params.hostHeader}'`;
      evidence.push(derived("probe", [probeRow(f.probe, "request")], viaCurl && host ? host.name : "local", what));
    }
    const clientSeen = f.fip !== null;
    const cap = captureEvidence(f, host?.name ?? null, `frames on ${host?.fabricInterface ?? "?"}`, (p) => p.dst === ctx.params.fip || p.src === ctx.params.fip);
    evidence.push(...cap.evidence);
    notes.push(...cap.notes);
    const port = f.probe?.local?.port;
    if (noRoute) return { node, verdict: "fail", reason: `${host!.name} has no route to ${ctx.params.fip} (${noRoute})`, evidence, notes };
    if (!connected(f.probe) && !clientSeen) {
      const kind = f.probe?.error?.kind;
      if (kind === "not-mapped" || kind === "usage" || kind === "dns" || !f.probe) {
        return { node, verdict: "fail", reason: `the client could not send to ${ctx.params.fip}:${ctx.params.fipPort}: ${probeOutcome(f.probe)}`, evidence, notes };
      }
      return {
        node, verdict: "unknown",
        reason: `the client got no TCP connection to ${ctx.params.fip}:${ctx.params.fipPort} (${probeOutcome(f.probe)}) and no compute node saw its flow; the gateway leg cannot be observed directly`,
        evidence, notes,
      };
    }
    const seen = clientSeen ? `; ${f.fip!.node} saw its flow ${f.fip!.forward.entry.srcIp}:${port}` : "";
    return {
      node, verdict: "pass",
      reason: `the request left the Internet host from port ${port}${routeText ? ` (${routeText})` : ""}${seen}`,
      summary: `TCP connected from port ${port}; ${probeOutcome(f.probe)}`, evidence, notes,
    };
  });
}

/**
 * The route a host takes to `ip`, from its `ip route` output: the kernel's choice, the longest prefix
 * covering `ip` (`lookupRoute`). A `blackhole` / `unreachable` / `prohibit` / `throw` route, or none, is
 * `missing` (why, in words); else `text` says where it goes. `rows` are the routes as evidence.
 *
 * @example
 * hostRoute("internet-host", "101.101.101.1", "default via 15.15.15.1 dev eth0 proto static \n").text;
 * // "internet-host routes 101.101.101.1 via 15.15.15.1 (default via 15.15.15.1 dev eth0 proto static)"
 */
export function hostRoute(host: string, ip: string, ipRouteOutput: string): { rows: Record<string, string | null>[]; text: string | null; missing: string | null } {
  const routes = parseIpRoute(ipRouteOutput);
  const lines = ipRouteOutput.replace(/\r\n?/g, "\n").split("\n");
  const rows = routes.rows.map((x) => ({ destination: x.destination, via: x.via, dev: x.dev, line: lines[x.line - 1]?.trim() ?? "" }));
  const best = lookupRoute(routes.rows, ip);
  if (!best) return { rows, text: null, missing: "no default route" };
  const line = rows[routes.rows.indexOf(best)]!.line;
  if (best.type !== "unicast") return { rows, text: null, missing: `${best.type} route ${best.destination}: ${line}` };
  return { rows, text: `${host} routes ${ip} via ${best.via ?? best.dev ?? "?"} (${line})`, missing: null };
}

/**
 * Stage 2: the gateway's VRF route for the FIP: protocol next hop = a compute node, MPLSoGRE, the
 * pushed label; on that node the label leads to the ingress pod's interface.
 *
 * @example
 * (await checkGateway(ctx)).reason; // "gateway routes 101.101.101.1/32 (k8s-…-public.inet.0) to cent222 (10.169.25.20) over GRE, label 20 …"
 */
export function checkGateway(ctx: WalkContext): Promise<StageResult> {
  return runStage(ctx, "gateway", async (): Promise<StageDraft> => {
    const f = await facts(ctx);
    const g = f.gw;
    const evidence = [...g.evidence];
    const notes: string[] = [];
    const fip = ctx.params.fip;
    const node = g.node;
    if (!g.route) {
      if (g.unreachable) {
        const via = f.activeNode ? `; the FIP flow on ${f.activeNode} shows traffic arrived anyway` : "";
        return { node, verdict: "unknown", reason: `${g.problem}${via}`, evidence, notes };
      }
      return { node, verdict: "fail", reason: g.problem ?? `no route for ${fip}/32 on the gateway`, evidence, notes };
    }
    const r = g.route;
    const pnh = r.protocolNextHop;
    const active = pnh ? f.fm.byIp[pnh] : undefined;
    evidence.push(...f.fm.evidence);
    if (!pnh) return { node, verdict: "fail", reason: `the gateway route for ${fip}/32 has no protocol next hop`, evidence, notes };
    if (!active) {
      const down = Object.keys(f.fm.unreachable);
      if (down.length) {
        return { node, verdict: "unknown", reason: `the gateway sends ${fip} to ${pnh}, which is not the fabric IP of any compute node that answered (unreachable: ${down.map((n) => `${n}: ${f.fm.unreachable[n]}`).join("; ")})`, evidence, notes };
      }
      return { node, verdict: "fail", reason: `the gateway sends ${fip} to ${pnh}, which is not the fabric IP of any compute node in the inventory`, evidence, notes };
    }
    let labelText = "";
    if (r.label !== null) {
      const lk = await labelLookup(ctx, active, r.label);
      evidence.push(...lk.evidence);
      if (lk.target) labelText = `; on ${active} label ${r.label} → nh ${lk.target.nh} → ${lk.target.vif} ${lk.target.osName ?? ""} (${lk.target.podIp ?? "?"})`;
      else if (lk.unreachable) notes.push(`label ${r.label} not checked on ${active}: ${lk.missing}`);
      else {
        return {
          node, verdict: "fail",
          reason: `the gateway pushes label ${r.label} toward ${active}, but on ${active} it leads nowhere (${lk.missing})`, evidence, notes,
        };
      }
    }
    const activeIp = f.fm.byNode[active];
    const cap = captureEvidence(f, active, "MPLSoGRE frames arriving from the gateway", (p) => p.tunnel === "MPLSoGRE" && p.outerDst === activeIp);
    evidence.push(...cap.evidence);
    notes.push(...cap.notes);
    const capText = cap.packets.length ? `; ${cap.packets.length} MPLSoGRE frames captured on ${active} (labels ${[...new Set(cap.packets.map((p) => p.labels.join("/")))].join(", ")})` : "";
    return {
      node, verdict: "pass",
      reason: `${node} routes ${fip}/32 (${g.vrf}.inet.0) to ${active} (protocol next hop ${pnh}) over ${r.tunnelType ?? "a tunnel"}${r.label !== null ? `, label ${r.label}` : ""}${labelText}${capText}`,
      summary: `${r.prefix} ${r.protocol ?? ""} pnh ${pnh} (${active}) ${r.labelOperation ?? ""} via ${r.nextHopVia ?? "?"}`.replace(/\s+/g, " "),
      evidence, notes,
    };
  });
}

/**
 * Stage 3: the FIP flow pair on the active node: DNAT to the ingress pod forward, SNAT back reverse,
 * RPF next hop = the MPLSoGRE tunnel to the gateway.
 *
 * @example
 * (await checkFipNat(ctx)).summary; // "flow 400196 15.15.15.2:42962 → 101.101.101.1:80 N(D) TCP:SSrEEr; …"
 */
export function checkFipNat(ctx: WalkContext): Promise<StageResult> {
  return runStage(ctx, "fip-nat", async (): Promise<StageDraft> => {
    const f = await facts(ctx);
    const node = f.activeNode;
    const evidence: Evidence[] = [];
    const notes: string[] = [];
    const { fip, fipPort } = ctx.params;
    if (!node) return { node, verdict: "unknown", reason: `the active haproxy node is unknown: the gateway route gave none and no compute node showed a flow to ${fip}:${fipPort}`, evidence };
    const dead = ctx.dead.get(node) ?? f.fm.unreachable[node];
    if (dead) return { node, verdict: "unknown", reason: `${node} could not be asked: ${dead}`, evidence };
    if (f.activeFrom === "flows") notes.push(`${node} found from its flow table (the gateway route was not available)`);
    const gap = f.obs.gaps.filter((g) => g.node === node);
    if (gap.length) evidence.push(derived(`flow polling gaps on ${node}`, gap.map((g) => ({ ...g }))));
    const port = f.probe?.local?.port ?? null;
    const client = `${f.fip?.forward.entry.srcIp ?? "the client"}:${port ?? "*"}`;
    if (!f.fip) {
      const other = f.flows.find((x) => x.entry.dstIp === fip && x.entry.dstPort === fipPort && x.node !== node);
      const extra = other ? `; the flow shows up on ${other.node} instead` : "";
      const gaps = gap.length ? ` (note: ${gap.length} gap(s) in ${node}'s flow snapshots: ${gap[0].reason})` : "";
      return { node, verdict: "fail", reason: `${node} has no flow for ${client} → ${fip}:${fipPort}: the packet did not reach the vRouter${extra}${gaps}`, evidence, notes };
    }
    const fwd = f.fip.forward.entry;
    if (f.fipMatchedBy === "time") notes.push(`the client's flow was matched by time: its source port ${fwd.srcPort} is not the probe's ${port} (translated on the way)`);
    evidence.push(derived(`FIP flow pair on ${node}`, pairRows(f.fip, "FIP"), node, `${flowCommand(ctx, node)} (polled every ${ctx.pollIntervalMs} ms)`));
    if (fwd.rpfNh != null) {
      const nh = await readTable(ctx, node, { tool: "nh", id: fwd.rpfNh });
      evidence.push(evidenceOf(`RPF next hop ${fwd.rpfNh}`, nh.step, nh.rows));
    }
    const fipVrf = fwd.vrf;
    if (fwd.actionCode === "D") {
      const rt = await readTable(ctx, node, { tool: "rt", prefix: fip, plen: 32, vrf: fipVrf });
      evidence.push(evidenceOf(`route for ${fip}/32 in VRF ${fipVrf}`, rt.step, rt.rows));
      const why = fwd.dropReason ?? "?";
      const meaning =
        why === "NoDstRt" ? `no route for ${fip}/32 in VRF ${fipVrf}: the floating IP is not bound to the ingress pod's interface, so there is nothing to NAT to`
        : why === "Policy" ? `a security group / network policy denies ${fwd.srcIp} → ${fip}:${fipPort}`
        : `the vRouter drops it (${fwd.action})`;
      return { node, verdict: "fail", reason: `${node} drops the client's connection (${flowBrief(f.fip.forward)}): ${meaning}`, summary: flowBrief(f.fip.forward), evidence, notes };
    }
    if (!(fwd.dnat || fwd.dpat)) {
      return { node, verdict: "fail", reason: `${node} forwards ${client} → ${fip}:${fipPort} without destination NAT (${fwd.action}): the floating IP is not translated to the ingress pod`, evidence, notes };
    }
    if (!f.fip.reverse) {
      return { node, verdict: "fail", reason: `${node}: flow ${fwd.index} has no reverse flow (rindex ${fwd.rindex ?? -1}): replies cannot be SNATed back to ${fip}`, evidence, notes };
    }
    return {
      node, verdict: "pass",
      reason: `${node}: ${natText(f.fip)}; RPF next hop ${fwd.rpfNh ?? "?"}, Sinfo ${fwd.sinfo ?? "?"}, TCP ${f.fip.forward.tcpStates.join(" → ")}`,
      summary: `${flowBrief(f.fip.forward)} ⇄ ${flowBrief(f.fip.reverse)}`, evidence, notes,
    };
  });
}

/**
 * Stage 4: haproxy proxies: a NEW TCP connection from the ingress pod to a service appears during the
 * probe (different source address and port from the client's).
 *
 * @example
 * (await checkProxy(ctx)).reason; // "haproxy on cent222 opened a new connection 10.47.255.238:40984 → 10.99.225.17:80 …"
 */
export function checkProxy(ctx: WalkContext): Promise<StageResult> {
  return runStage(ctx, "proxy", async (): Promise<StageDraft> => {
    const f = await facts(ctx);
    const node = f.activeNode;
    if (!fipOk(f)) return { node, verdict: "unknown", reason: "not reached: the client's connection was not delivered to the ingress pod (stage 3)" };
    const evidence: Evidence[] = [];
    const pod = ctx.discovery.ingressPodIp!;
    if (!f.proxy) {
      const st = isHttp(f.probe) && f.probe.status !== null ? ` and answered HTTP ${f.probe.status} itself` : "";
      return {
        node, verdict: "fail",
        reason: `haproxy (${pod}) on ${node} accepted the client's connection${st} but opened no connection to any service during the probe (Host: ${ctx.params.hostHeader} may match no ingress rule)`,
        evidence,
      };
    }
    const p = f.proxy.forward.entry;
    evidence.push(derived(`haproxy's connection on ${node}`, pairRows(f.proxy, "proxy"), node, flowCommand(ctx, node)));
    const cport = f.fip!.forward.entry.srcPort;
    const cap = captureEvidence(f, node, "client (GRE) and proxied (UDP) frames", (x) =>
      (x.tunnel === "MPLSoGRE" && (x.srcPort === cport || x.dstPort === cport)) || (x.tunnel === "MPLSoUDP" && (x.srcPort === p.srcPort || x.dstPort === p.srcPort)));
    evidence.push(...cap.evidence);
    const gre = cap.packets.filter((x) => x.tunnel === "MPLSoGRE").length;
    const udp = cap.packets.filter((x) => x.tunnel === "MPLSoUDP").length;
    const capText = cap.packets.length ? `; capture on ${node}: ${gre} MPLSoGRE frames of the client connection, ${udp} MPLSoUDP frames of the new one` : "";
    return {
      node, verdict: "pass",
      reason: `haproxy on ${node} opened a new TCP connection ${p.srcIp}:${p.srcPort} → ${p.dstIp}:${p.dstPort} (the client's was ${f.fip!.forward.entry.srcIp}:${f.fip!.forward.entry.srcPort} → ${ctx.params.fip}:${ctx.params.fipPort}); the source is the ingress pod, not the Internet host${capText}`,
      summary: flowBrief(f.proxy.forward), evidence, notes: cap.notes,
    };
  });
}

/**
 * Stage 5: in the ingress pod's VRF, the service prefix leads to a tunnel (MPLSoUDP) to the backend
 * node with a label, or to a local interface.
 *
 * @example
 * (await checkOverlay(ctx)).reason; // "cent222: 10.99.225.17/32 in VRF 2 → label 38, nh 51 MPLSoUDP 10.169.25.20 → 10.169.25.21 (cent333)"
 */
export function checkOverlay(ctx: WalkContext): Promise<StageResult> {
  return runStage(ctx, "overlay", async (): Promise<StageDraft> => {
    const f = await facts(ctx);
    const node = f.activeNode;
    if (!f.proxy || !node) return { node, verdict: "unknown", reason: "not reached: haproxy opened no connection to a service (stage 4)" };
    const d = ctx.discovery;
    const pf = f.proxy.forward.entry;
    const rev = f.proxy.reverse?.entry;
    const vrf = pf.vrf;
    const r = await serviceRoute(ctx, node, pf.dstIp, vrf, rev?.rpfNh ?? null);
    const evidence = [derived(`haproxy's connection on ${node}`, pairRows(f.proxy, "proxy"), node, flowCommand(ctx, node)), ...r.evidence];
    const notes: string[] = [];
    if (pf.actionCode === "D") {
      const why = r.missing ?? `the route exists, but the vRouter drops the flow (${pf.action})`;
      return { node, verdict: "fail", reason: `${node} drops haproxy's connection (${flowBrief(f.proxy.forward)}): ${why}`, summary: flowBrief(f.proxy.forward), evidence };
    }
    if (!r.target) {
      if (r.unreachable) return { node, verdict: "unknown", reason: r.missing ?? "no answer", evidence };
      return { node, verdict: "fail", reason: r.missing ?? `no route for ${pf.dstIp}`, evidence };
    }
    d.serviceLabel = r.target.local ? null : r.label;
    d.serviceTunnel = r.tunnelType;
    if (!d.backendNode && r.node) d.backendNode = r.node;
    const t = r.target;
    if (t.local) {
      return {
        node, verdict: "pass",
        reason: `${node}: ${pf.dstIp}/32 in VRF ${vrf} leads to a local interface (nh ${t.nh} ${t.nhType}): the backend is on ${node} itself, no overlay hop`,
        summary: `${t.route} nh ${t.nh} local`, evidence, notes,
      };
    }
    if (!r.node) {
      const down = Object.keys(f.fm.unreachable);
      if (down.length) {
        return { node, verdict: "unknown", reason: `${node}: ${pf.dstIp} → label ${r.label ?? "-"}, ${r.tunnelType ?? "tunnel"} to ${r.dip ?? "?"}, which is not the fabric IP of any compute node that answered (unreachable: ${down.map((n) => `${n}: ${f.fm.unreachable[n]}`).join("; ")})`, evidence };
      }
      return { node, verdict: "fail", reason: `${node}: ${pf.dstIp} leads to a tunnel to ${r.dip ?? "?"}, which is no compute node in the inventory`, evidence };
    }
    const cap = captureEvidence(f, node, `MPLSoUDP frames toward ${r.node}`, (x) => x.tunnel === "MPLSoUDP" && x.outerDst === r.dip);
    evidence.push(...cap.evidence);
    notes.push(...cap.notes);
    const labels = [...new Set(cap.packets.map((x) => x.labels.join("/")))];
    // the outer UDP source port is the sending flow's entropy: it names the flow entry each frame belongs to
    const named = [{ flow: f.proxy.forward, what: "haproxy's connection" }];
    if (f.svcNat?.reverse) named.push({ flow: f.svcNat.reverse, what: "the backend's reply" });
    const tied = entropyText(cap.packets, f.entropy, named);
    const capText = cap.packets.length
      ? `; ${cap.packets.length} ${r.tunnelType} frames captured to ${r.dip} with label ${labels.join(", ")}${tied ? ` (${tied})` : ""}`
      : "";
    const ecmp = r.ecmpMembers > 1 ? ` (ECMP: ${r.ecmpMembers} members, this flow uses nh ${rev?.rpfNh ?? "?"})` : "";
    return {
      node, verdict: "pass",
      reason: `${node}: ${pf.dstIp}/32 in VRF ${vrf} → label ${r.label ?? "-"}, ${r.tunnelType ?? "tunnel"} ${r.sip ?? node} → ${r.dip} (${r.node})${ecmp}${capText}`,
      summary: `${t.route} label ${r.label ?? "-"} nh ${t.nh} ${r.tunnelType ?? ""} → ${r.node}`, evidence, notes,
    };
  });
}

/**
 * Stage 6: on the backend node, the service NAT pair (DNAT+DPAT to the pod) and the label → next hop →
 * interface → pod chain.
 *
 * @example
 * (await checkServiceNat(ctx)).reason; // "cent333: 10.47.255.238:40984 → 10.99.225.17:80 is DNATed (address and port) to 10.47.255.236:80 …"
 */
export function checkServiceNat(ctx: WalkContext): Promise<StageResult> {
  return runStage(ctx, "service-nat", async (): Promise<StageDraft> => {
    const f = await facts(ctx);
    const d = ctx.discovery;
    if (!f.proxy || f.proxy.forward.entry.actionCode === "D") return { node: d.backendNode, verdict: "unknown", reason: "not reached: haproxy's connection did not leave the ingress node (stages 4–5)" };
    const pf = f.proxy.forward.entry;
    // The overlay route (memoised: free when stage 5 ran) gives the label and the node it leads to.
    const ov = f.activeNode ? await serviceRoute(ctx, f.activeNode, pf.dstIp, pf.vrf, f.proxy.reverse?.entry.rpfNh ?? null) : null;
    if (ov?.target) {
      d.serviceLabel = ov.target.local ? null : ov.label;
      d.serviceTunnel = ov.tunnelType;
    }
    const node = f.svcNat?.node ?? d.backendNode ?? ov?.node ?? null;
    const conn = `${pf.srcIp}:${pf.srcPort} → ${pf.dstIp}:${pf.dstPort}`;
    if (!node) return { node, verdict: "unknown", reason: `the backend node of ${pf.dstIp} is unknown (no NAT flow seen, no route target)` };
    const evidence: Evidence[] = [];
    const notes: string[] = [];
    const dead = ctx.dead.get(node) ?? f.fm.unreachable[node];
    if (dead) return { node, verdict: "unknown", reason: `${node} could not be asked: ${dead}`, evidence };
    const label = d.serviceLabel;
    const lk = label !== null && node !== f.activeNode ? await labelLookup(ctx, node, label) : null;
    if (lk) evidence.push(...lk.evidence);
    if (!f.svcNat) {
      const lt = lk ? (lk.target ? `label ${label} leads to ${lk.target.vif} (${lk.target.podIp})` : `the label ${label} pushed by ${f.activeNode} resolves to nothing (${lk.missing})`) : "";
      const cap = captureEvidence(f, node, `MPLSoUDP frames arriving on ${node}`, (x) => x.tunnel === "MPLSoUDP");
      evidence.push(...cap.evidence);
      notes.push(...cap.notes);
      const arrived = cap.packets.length ? `; ${cap.packets.length} MPLSoUDP frames with label ${[...new Set(cap.packets.map((p) => p.labels.join("/")))].join(", ")} did arrive on ${node}` : "";
      return { node, verdict: "fail", reason: `${node} has no flow for ${conn}${lt ? `; ${lt}` : ""}${arrived}`, evidence, notes };
    }
    evidence.unshift(derived(`service NAT pair on ${node}`, pairRows(f.svcNat, "service"), node, flowCommand(ctx, node)));
    const fwd = f.svcNat.forward.entry;
    if (fwd.actionCode === "D") return { node, verdict: "fail", reason: `${node} drops ${flowBrief(f.svcNat.forward)}`, evidence };
    if (!f.svcNat.reverse) return { node, verdict: "fail", reason: `${node}: service flow ${fwd.index} has no reverse flow: the pod's replies cannot be translated back`, evidence };
    const podIp = f.svcNat.reverse.entry.srcIp;
    let lt = "";
    if (lk?.target) {
      d.backendVif = `${lk.target.vif} ${lk.target.osName ?? ""}`.trim();
      lt = `; label ${label} → nh ${lk.target.nh} → ${lk.target.vif} ${lk.target.osName ?? ""} (${lk.target.podIp})`;
      if (lk.target.members.every((m) => m.podIp !== podIp)) notes.push(`label ${label} leads to ${lk.target.podIp}, but the NAT sends to ${podIp}`);
    } else if (lk && !lk.target) notes.push(`label ${label} on ${node}: ${lk.missing}`);
    return {
      node, verdict: "pass",
      reason: `${node}: ${natText(f.svcNat)}${lt}`,
      summary: `${flowBrief(f.svcNat.forward)} ⇄ ${flowBrief(f.svcNat.reverse)}`, evidence, notes,
    };
  });
}

/**
 * Stage 7: the backend pod answers: the reverse of the service NAT pair carries packets from the pod,
 * no reset.
 *
 * @example
 * (await checkBackend(ctx)).verdict; // "pass"
 */
export function checkBackend(ctx: WalkContext): Promise<StageResult> {
  return runStage(ctx, "backend", async (): Promise<StageDraft> => {
    const f = await facts(ctx);
    const d = ctx.discovery;
    const node = f.svcNat?.node ?? d.backendNode;
    if (!f.svcNat || !f.svcNat.reverse) {
      const dead = node ? ctx.dead.get(node) ?? f.fm.unreachable[node] : undefined;
      return { node, verdict: "unknown", reason: dead ? `${node} could not be asked: ${dead}` : "not reached: no service NAT toward a pod (stage 6)" };
    }
    const rev = f.svcNat.reverse;
    const pod = `${rev.entry.srcIp}:${rev.entry.srcPort}`;
    const evidence = [derived(`service NAT pair on ${node}`, pairRows(f.svcNat, "service"), node, flowCommand(ctx, node))];
    if (f.probe) evidence.push(derived("probe", [probeRow(f.probe, "request")], "local", "GET"));
    const status = isHttp(f.probe) ? f.probe.status : null;
    if (hasRst(f.svcNat.forward) || hasRst(rev)) {
      return {
        node, verdict: "fail",
        reason: `the backend pod ${pod} on ${node} refused the connection (TCP reset in ${flowBrief(rev)}): nothing listens on the target port${status ? `; haproxy answered HTTP ${status}` : ""}`,
        summary: flowBrief(rev), evidence,
      };
    }
    if (rev.packets === 0) {
      return { node, verdict: "fail", reason: `the backend pod ${pod} on ${node} never answered: its reply flow ${rev.entry.index} counted no packets (TCP ${rev.tcpStates.join(" → ") || "-"})`, evidence };
    }
    return {
      node, verdict: "pass",
      reason: `the backend pod ${pod} on ${node} answered: reply flow ${rev.entry.index} counted ${rev.packets} packets / ${rev.bytes} bytes, TCP ${rev.tcpStates.join(" → ")}`,
      summary: flowBrief(rev), evidence,
    };
  });
}
