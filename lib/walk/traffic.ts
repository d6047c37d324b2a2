/**
 * The traffic phase: the book's two loops at once. HTTP probes to the floating IP (through the address
 * map) while every compute node streams its flow table (`FlowPoller` over SSH, or the agent's introspect:
 * `flowSource` in evidence.ts) and, when possible, `tcpdump`
 * captures the fabric interfaces. Everything observed is kept for the stage checks.
 */
import type { FlowSnapshot, SnapshotGap } from "../flows/snapshot";
import { probeHttp, type HttpProbeResult } from "../probe/http";
import { probeHttpRemote, remoteExecOn } from "../probe/remote";
import { probeWhileSnapshotting, type ProbeFailure } from "../probe/loop";
import { readCapture } from "../capture/read";
import type { FrameTable } from "../capture/table/frame-table";
import { vrouterArgv } from "../remote/inventory";
import { nodesOf, once, type WalkContext } from "./context";
import { fabricMap } from "./discover";
import { ObservationRecorder, replayObservation } from "./recording";
import { evidenceSourceOf, flowSource } from "./evidence";

/** One node's fabric capture. */
export interface NodeCapture {
  node: string;
  iface: string;
  command: string;
  frames: FrameTable | null;
  /** Why there are no frames (tcpdump missing, node unreachable, decode error). */
  error: string | null;
}

/** A probe of the walk and what it was for. */
export interface WalkProbe {
  purpose: "request" | "large";
  result: HttpProbeResult | ProbeFailure;
}

/** Everything the traffic phase observed. */
export interface Observation {
  probes: WalkProbe[];
  snapshots: FlowSnapshot[];
  gaps: SnapshotGap[];
  captures: NodeCapture[];
  /** Nodes that were polled. */
  polled: string[];
  startedAt: number;
  endedAt: number;
}

/**
 * Runs the probes while polling flows and capturing, once per walk.
 *
 * @example
 * const obs = await observe(ctx);
 * obs.probes[0].result.ok; // true
 */
export function observe(ctx: WalkContext): Promise<Observation> {
  return once(ctx, "observe", async () => {
    const startedAt = Date.now();
    const fm = await fabricMap(ctx);
    if (ctx.replay) {
      // A walk over a recording observes nothing new: it takes back what the recorded walk saw.
      const replayed = await replayObservation(ctx.replay);
      if (replayed) return replayed.observation;
      const none: ProbeFailure = { ...skipped(), error: { kind: "other", message: `not sent: the recording ${ctx.replay.manifest.id} holds no walk observation (probes, snapshots)` } };
      return { probes: [{ purpose: "request", result: none }], snapshots: [], gaps: [], captures: [], polled: [], startedAt, endedAt: startedAt };
    }
    const rec = ctx.record ? new ObservationRecorder(ctx.record) : null;
    const computes = nodesOf(ctx, "compute").map((n) => n.name).filter((n) => !(n in fm.unreachable));
    const capCtl = new AbortController();
    const onAbort = () => capCtl.abort();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const captures = ctx.capture ? startCaptures(ctx, computes, capCtl.signal, rec) : [];
    await Promise.all(captures.map((c) => c.ready));
    const { fip, fipPort, hostHeader, path, largePath } = ctx.params;
    const url = (p: string) => `http://${fip}:${fipPort}${p.startsWith("/") ? p : `/${p}`}`;
    const plan: { purpose: WalkProbe["purpose"]; url: string }[] = [];
    for (let i = 0; i < ctx.params.probes; i++) plan.push({ purpose: "request", url: url(path) });
    if (largePath) plan.push({ purpose: "large", url: url(largePath) });
    let snapshots: FlowSnapshot[] = [];
    let gaps: SnapshotGap[] = [];
    let results: Array<HttpProbeResult | ProbeFailure> = [];
    const probe = async (i: number, signal: AbortSignal): Promise<HttpProbeResult | ProbeFailure> => {
      // The large-response probe only means something once a normal request got an answer.
      if (plan[i].purpose === "large" && !sent.some((r) => (r as HttpProbeResult).status != null)) return skipped();
      const remoteHost = ctx.params.probeFrom === "internet-host" ? nodesOf(ctx, "internet-host")[0]?.name : undefined;
      const r = remoteHost
        ? await probeHttpRemote(remoteExecOn(ctx.runner, remoteHost), {
            url: plan[i].url, host: hostHeader, connectTimeoutMs: ctx.connectTimeoutMs, timeoutMs: ctx.connectTimeoutMs + ctx.firstByteTimeoutMs, signal,
          })
        : await probeHttp({
        url: plan[i].url,
        host: hostHeader,
        addressMap: ctx.inventory.addressMap ?? {},
        connectTimeoutMs: ctx.connectTimeoutMs,
        firstByteTimeoutMs: ctx.firstByteTimeoutMs,
        timeoutMs: ctx.connectTimeoutMs + ctx.firstByteTimeoutMs + 10_000,
        signal,
      });
      sent.push(r);
      rec?.probe(plan[i].purpose, r);
      return r;
    };
    const sent: Array<HttpProbeResult | ProbeFailure> = [];
    const { source: poller, problems } = flowSource(ctx, computes, rec !== null);
    if (poller) {
      const run = await probeWhileSnapshotting({
        probe, snapshots: rec ? rec.source(poller) : poller, every: 1000, times: plan.length, signal: ctx.signal, leadMs: 3 * ctx.pollIntervalMs + 200, tailMs: 3 * ctx.pollIntervalMs + 200,
      });
      snapshots = run.snapshots;
      gaps = [...run.gaps];
      results = run.probes;
    } else {
      for (let i = 0; i < plan.length; i++) results.push(await probe(i, ctx.signal));
    }
    capCtl.abort();
    ctx.signal.removeEventListener("abort", onAbort);
    // A capture whose channel does not close promptly after the abort is given up, not waited for.
    const done = await Promise.all(captures.map((c) => settleWithin(c.done, 3000, { node: c.node, iface: c.iface, command: c.command, frames: null, error: "tcpdump did not stop within 3 s" })));
    const endedAt = Date.now();
    const loopGaps = gaps.length;
    // A node whose flows could not be polled at all is one gap over the whole observation.
    for (const [node, reason] of Object.entries(problems)) {
      const g = { node, from: startedAt, to: endedAt, reason };
      gaps.push(g);
      rec?.gap(g);
    }
    const lastSnapshot: Record<string, number> = {};
    for (const s of snapshots) lastSnapshot[s.node] = Math.max(lastSnapshot[s.node] ?? -1, s.seq);
    rec?.done({ startedAt, endedAt, polled: computes, used: { lastSnapshot, loopGaps, afterGaps: gaps.length - loopGaps } });
    return {
      probes: results.map((result, i) => ({ purpose: plan[i].purpose, result })),
      snapshots, gaps, captures: done, polled: computes, startedAt, endedAt,
    };
  });
}

/** A probe that was not sent (the large probe after a failed request). */
function skipped(): ProbeFailure {
  const now = Date.now();
  return { kind: "failure", ok: false, remote: null, dialed: null, local: null, startedAt: now, endedAt: now, error: { kind: "other", message: "not sent: the request probe got no answer" } };
}

interface RunningCapture {
  node: string;
  iface: string;
  command: string;
  ready: Promise<void>;
  done: Promise<NodeCapture>;
}

function settleWithin<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const t = setTimeout(() => resolve(fallback), ms);
    t.unref?.();
    void p.then((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

/** Starts `tcpdump -w -` on the fabric interface of each polled compute node and of the Internet host. */
function startCaptures(ctx: WalkContext, computes: string[], signal: AbortSignal, rec: ObservationRecorder | null): RunningCapture[] {
  const targets = [...nodesOf(ctx, "compute").filter((n) => computes.includes(n.name)), ...nodesOf(ctx, "internet-host")].filter(
    // A node read through its introspect has no shell to run tcpdump in.
    (n) => n.fabricInterface && !ctx.dead.has(n.name) && evidenceSourceOf(ctx, n.name) === "ssh",
  );
  return targets.map((n) => {
    const iface = n.fabricInterface!;
    // Only the tunnels on compute nodes (MPLSoGRE, MPLSoUDP, VXLAN), only the FIP on the Internet host:
    // on a busy fabric the probe's packets would otherwise drown in the count limit.
    const filter = n.role === "compute" ? ["proto", "gre", "or", "udp", "port", "6635", "or", "udp", "port", "4789"] : ["host", ctx.params.fip];
    const argv = ["tcpdump", "-i", iface, "-n", "-U", "-w", "-", "-c", "2000", ...filter];
    const full = n.role === "compute" ? vrouterArgv({ ...n, vrouter: { via: "direct", ...(n.vrouter?.sudo ? { sudo: true } : {}) } }, argv) : argv;
    const command = argv.join(" ");
    const chunks: Buffer[] = [];
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((r) => (markReady = r));
    const readyTimer = setTimeout(markReady, 2000);
    const done = ctx.runner
      .run(n.name, full, {
        timeoutMs: 0, signal, collect: false, killOnClose: true,
        onStdout: (c) => {
          chunks.push(c);
          markReady();
        },
        onStderr: (c) => {
          if (/listening on/.test(c.toString())) markReady();
        },
      })
      .then(
        (r) => ({ error: r.exitCode !== 0 && chunks.length === 0 ? `tcpdump exit ${r.exitCode ?? r.signal}` : null }),
        (e: unknown) => ({ error: chunks.length ? null : (e as Error)?.message ?? String(e) }),
      )
      .then(async ({ error }): Promise<NodeCapture> => {
        clearTimeout(readyTimer);
        markReady();
        const buf = Buffer.concat(chunks);
        rec?.capture({ node: n.name, iface, command, filter: filter.join(" "), error }, buf);
        if (buf.length < 24) return { node: n.name, iface, command, frames: null, error: error ?? "no capture data" };
        try {
          return { node: n.name, iface, command, frames: await readCapture(new Uint8Array(buf)), error: null };
        } catch (e) {
          return { node: n.name, iface, command, frames: null, error: `decode: ${(e as Error).message}` };
        }
      });
    return { node: n.name, iface, command, ready, done };
  });
}
