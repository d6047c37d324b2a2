/**
 * The return path, stages 8–10: the pod's reply back through the service NAT and the overlay, haproxy
 * copying it into the client's connection with the SNAT back to the floating IP, and the MPLSoGRE leg
 * to the gateway and the Internet host (with an optional large response to catch MTU black holes).
 */
import type { WalkContext } from "./context";
import { entropyText } from "./entropy";
import { derived } from "./exec";
import { flowCommand } from "./evidence";
import { facts, type Facts } from "./facts";
import { isHttp, probeOutcome, probeRow } from "./probe-text";
import { flowBrief, flowRow, hasRst, natText } from "./select";
import { serviceRoute } from "./route";
import { runStage, type StageDraft } from "./stage";
import { packetRows } from "./stages-forward";
import type { Evidence, StageResult } from "./types";

/** The backend answered (stage 7 would pass). */
function backendAnswered(f: Facts): boolean {
  const s = f.svcNat;
  return !!s && !!s.reverse && s.reverse.packets > 0 && !hasRst(s.forward) && !hasRst(s.reverse);
}

const NOT_REACHED = "not walked: the request did not reach a backend pod that answered (forward path)";

/**
 * Stage 8: the reply leaves the pod, is SNATed+SPATed back to the service address on the backend node,
 * and reaches the active node over the overlay.
 *
 * @example
 * (await checkReturnOverlay(ctx)).reason; // "cent333: replies 10.47.255.236:80 → 10.47.255.238:40984 are SNATed back … reached cent222 …"
 */
export function checkReturnOverlay(ctx: WalkContext): Promise<StageResult> {
  return runStage(ctx, "return-overlay", async (): Promise<StageDraft> => {
    const f = await facts(ctx);
    if (!backendAnswered(f)) return { node: f.svcNat?.node ?? null, verdict: "unknown", reason: NOT_REACHED };
    const s = f.svcNat!;
    const rev = s.reverse!;
    const node = s.node;
    const evidence: Evidence[] = [derived(`pod reply on ${node}`, [flowRow(rev, "service reverse")], node, flowCommand(ctx, node))];
    const snat = rev.entry.snat || rev.entry.spat;
    if (!snat) return { node, verdict: "fail", reason: `${node}: the pod's reply ${flowBrief(rev)} is not translated back to the service address (no SNAT/SPAT)`, evidence };
    const back = `${node}: replies ${rev.entry.srcIp}:${rev.entry.srcPort} → ${rev.entry.dstIp}:${rev.entry.dstPort} are ${rev.entry.snat && rev.entry.spat ? "SNATed+SPATed" : "SNATed"} back to ${s.forward.entry.dstIp}:${s.forward.entry.dstPort} (${rev.entry.action})`;
    if (node === f.activeNode) return { node, verdict: "pass", reason: `${back}; the pod is local to the ingress node, no overlay hop`, summary: flowBrief(rev), evidence };
    const a = f.proxy?.reverse;
    if (a) evidence.push(derived(`reply on ${f.activeNode}`, [flowRow(a, "proxy reverse")], f.activeNode, flowCommand(ctx, f.activeNode)));
    const bIp = f.fm.byNode[node];
    const udp = f.packets.filter((p) => p.node === f.activeNode && p.tunnel === "MPLSoUDP" && p.outerSrc === bIp);
    if (udp.length) evidence.push({ title: `MPLSoUDP frames from ${node} on ${f.activeNode}`, node: f.activeNode, command: f.obs.captures.find((c) => c.node === f.activeNode)?.command ?? null, at: udp[0].at, rows: packetRows(udp) });
    if (!a || a.packets === 0) {
      return { node, verdict: "fail", reason: `${back}, but ${f.activeNode} saw none of it: ${a ? `its reverse flow ${a.entry.index} counted no packets` : "no reverse flow for haproxy's connection"}`, evidence };
    }
    // the frames' outer UDP source port is the sending flow's SPort: the pod's reply flow on the backend node
    const tied = entropyText(udp, f.entropy, [{ flow: rev, what: "the pod's reply" }]);
    return {
      node, verdict: "pass",
      reason: `${back}; the reply reached ${f.activeNode} over ${ctx.discovery.serviceTunnel ?? "the overlay"} (flow ${a.entry.index}: ${a.packets} packets / ${a.bytes} bytes, Sinfo ${a.entry.sinfo ?? "?"})${udp.length ? `; ${udp.length} MPLSoUDP frames from ${bIp} captured${tied ? ` (${tied})` : ""}` : ""}`,
      summary: `${flowBrief(rev)}; ${flowBrief(a)}`, evidence,
    };
  });
}

/**
 * Stage 9: haproxy copies the response into the client's connection, and the vRouter SNATs the
 * ingress pod address back to the floating IP.
 *
 * @example
 * (await checkReturnProxy(ctx)).reason; // "haproxy copied the response into the client connection: … SNATed back to 101.101.101.1"
 */
export function checkReturnProxy(ctx: WalkContext): Promise<StageResult> {
  return runStage(ctx, "return-proxy", async (): Promise<StageDraft> => {
    const f = await facts(ctx);
    const node = f.activeNode;
    if (!backendAnswered(f) || !f.fip?.reverse) return { node, verdict: "unknown", reason: NOT_REACHED };
    const rev = f.fip.reverse;
    const evidence: Evidence[] = [derived(`FIP reverse flow on ${node}`, [flowRow(rev, "FIP reverse"), ...(f.proxy?.reverse ? [flowRow(f.proxy.reverse, "proxy reverse")] : [])], node, flowCommand(ctx, node))];
    if (!(rev.entry.snat || rev.entry.spat)) return { node, verdict: "fail", reason: `${node}: the reply flow ${flowBrief(rev)} is not SNATed back to ${ctx.params.fip}`, evidence };
    const got = isHttp(f.probe) && f.probe.status !== null;
    const fromSvc = f.proxy?.reverse?.bytes ?? 0;
    if (!got && rev.bytes < fromSvc / 2) {
      return {
        node, verdict: "fail",
        reason: `haproxy on ${node} received ${fromSvc} bytes from the service but sent only ${rev.bytes} bytes back to the client (flow ${rev.entry.index})`, evidence,
      };
    }
    return {
      node, verdict: "pass",
      reason: `haproxy copied the response into the client's connection: ${natText(f.fip)}; flow ${rev.entry.index} carried ${rev.packets} packets / ${rev.bytes} bytes toward the client`,
      summary: flowBrief(rev), evidence,
    };
  });
}

/**
 * Stage 10: the response crosses MPLSoGRE to the gateway and reaches the Internet host complete.
 * With `largePath`, a response larger than one MTU must arrive too.
 *
 * @example
 * (await checkReturnClient(ctx)).verdict; // "pass"
 */
export function checkReturnClient(ctx: WalkContext): Promise<StageResult> {
  return runStage(ctx, "return-client", async (): Promise<StageDraft> => {
    const f = await facts(ctx);
    const host = ctx.inventory.nodes.find((n) => n.role === "internet-host")?.name ?? "local";
    const node = host;
    if (!backendAnswered(f) || !f.fip?.reverse) return { node, verdict: "unknown", reason: NOT_REACHED };
    const evidence: Evidence[] = [];
    const notes: string[] = [];
    const probes = [f.probe, f.largeProbe].filter((p) => !!p);
    evidence.push(derived("probes", probes.map((p, i) => probeRow(p!, i === 0 ? "request" : "large")), "local", "GET"));
    const gre = f.packets.filter((p) => p.node === f.activeNode && p.tunnel === "MPLSoGRE" && p.src === ctx.params.fip);
    if (gre.length) evidence.push({ title: `MPLSoGRE frames toward the gateway on ${f.activeNode}`, node: f.activeNode, command: null, at: gre[0].at, rows: packetRows(gre) });
    // The way back: the route to the client in the FIP VRF (the default route to the gateway).
    const d = ctx.discovery;
    let via = "";
    if (f.activeNode && d.clientIp && d.fipVrf !== null) {
      const back = await serviceRoute(ctx, f.activeNode, d.clientIp, d.fipVrf, null);
      evidence.push(...back.evidence);
      if (!back.target && !back.unreachable) {
        return { node: f.activeNode, verdict: "fail", reason: `${f.activeNode} has no route back to ${d.clientIp} in VRF ${d.fipVrf} (${back.missing})`, evidence };
      }
      if (back.target) {
        // The client's flow came in from the gateway: its Sinfo is the gateway's tunnel address.
        const gw = back.dip && back.dip === f.fip.forward.entry.sinfo ? ` (${f.gw.node ?? "the gateway"}, where the request came from)` : "";
        via = `; ${f.activeNode} routes ${d.clientIp} in VRF ${d.fipVrf} via ${back.target.route} label ${back.label ?? "-"}, ${back.tunnelType ?? back.target.nhType} ${back.sip ?? ""} → ${back.dip ?? "?"}${gw}`;
      }
    }
    const ok = (p: typeof f.probe) => isHttp(p) && p.status !== null && !p.error;
    if (!ok(f.probe)) {
      return { node, verdict: "fail", reason: `the response left ${f.activeNode} (flow ${f.fip.reverse.entry.index}: ${f.fip.reverse.packets} packets) but the client got ${probeOutcome(f.probe)}${via}`, evidence };
    }
    const main = `the client received ${probeOutcome(f.probe)}${via}`;
    if (!ctx.params.largePath) {
      notes.push("large-response check not run (set largePath to a path that returns more than one MTU)");
      return { node, verdict: "pass", reason: main, summary: probeOutcome(f.probe), evidence, notes };
    }
    const lp = f.largeProbe;
    if (ok(lp)) return { node, verdict: "pass", reason: `${main}; the large response (${ctx.params.largePath}) arrived complete: ${probeOutcome(lp)}`, summary: probeOutcome(lp), evidence, notes };
    const lf = f.largeFip;
    if (lf) evidence.push(derived(`large response flows on ${lf.node}`, [flowRow(lf.forward, "FIP forward"), ...(lf.reverse ? [flowRow(lf.reverse, "FIP reverse")] : [])], lf.node, flowCommand(ctx, lf.node)));
    const left = lf?.reverse ? `the large response left ${lf.node} (flow ${lf.reverse.entry.index}: ${lf.reverse.packets} packets / ${lf.reverse.bytes} bytes toward the client)` : `the large response's flow was not seen on ${f.activeNode}`;
    const got = isHttp(lp) ? lp.bodyBytes : 0;
    const clientCap = f.packets.filter((p) => p.node === host && lp?.local && (p.dstPort === lp.local.port || p.srcPort === lp.local.port));
    if (clientCap.length) evidence.push({ title: `large response frames on ${host}`, node: host, command: null, at: clientCap[0].at, rows: packetRows(clientCap) });
    return {
      node, verdict: "fail",
      reason: `small responses arrive, but ${left} and the client got ${probeOutcome(lp)} (${got} body bytes): large segments are lost between ${f.activeNode} and the Internet host, an MTU black hole on the MPLSoGRE path`,
      summary: probeOutcome(lp), evidence, notes,
    };
  });
}
