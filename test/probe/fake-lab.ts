/**
 * A fake of the book's ingress path on loopback, with fake vRouter flow tables that the servers update
 * as connections open, carry data and close:
 *
 *   client ──► "ingress" (haproxy stand-in, 127.0.0.1:A, lab address 101.101.101.1:80)
 *                 └─ new connection ──► "backend" (127.0.0.1:B, lab service 10.99.225.17:80 → pod 10.47.255.236:80)
 *
 * cent222 holds the FIP pair (15.15.15.2:P → 101.101.101.1:80 N(D) / 10.47.255.238:80 → 15.15.15.2:P N(S))
 * and the proxy's pair (10.47.255.238:Q → 10.99.225.17:80); cent333 holds the service NAT pair
 * (N(DPd) / N(SPs)). Only loopback sockets exist; the lab addresses are just strings in the tables.
 */
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import type { FlowSnapshot, FlowSnapshotSource, SnapshotGap } from "../../lib/flows/snapshot";
import type { FlowEntryCore } from "../../lib/vrouter/types";

export class FakeFlowTables {
  private next = 100;
  readonly tables = new Map<string, Map<number, FlowEntryCore>>();

  constructor(readonly nodes: string[]) {
    for (const n of nodes) this.tables.set(n, new Map());
  }

  /** Adds a forward/reverse pair; returns their indices. */
  addPair(node: string, fwd: Partial<FlowEntryCore>, rev: Partial<FlowEntryCore>): [number, number] {
    const a = this.next++;
    const b = this.next++;
    const t = this.tables.get(node)!;
    t.set(a, entry({ ...fwd, index: a, rindex: b }));
    t.set(b, entry({ ...rev, index: b, rindex: a }));
    return [a, b];
  }

  update(node: string, indices: number[], f: (e: FlowEntryCore) => void): void {
    for (const i of indices) {
      const e = this.tables.get(node)?.get(i);
      if (e) f(e);
    }
  }

  remove(node: string, indices: number[]): void {
    for (const i of indices) this.tables.get(node)?.delete(i);
  }

  snapshot(node: string, seq: number): FlowSnapshot {
    return { node, at: Date.now(), seq, entries: [...this.tables.get(node)!.values()].map((e) => ({ ...e })) };
  }
}

function entry(p: Partial<FlowEntryCore>): FlowEntryCore {
  return {
    index: 0,
    rindex: null,
    srcIp: "",
    srcPort: 0,
    dstIp: "",
    dstPort: 0,
    proto: 6,
    vrf: 0,
    action: "F",
    snat: false,
    dnat: false,
    spat: false,
    dpat: false,
    tcpFlags: "S",
    packets: 1,
    bytes: 60,
    ...p,
  };
}

/** A FlowSnapshotSource polling the fake tables every `everyMs`. */
export class FakeSnapshotSource implements FlowSnapshotSource {
  runs = 0;
  stopped = false;
  constructor(
    private readonly tables: FakeFlowTables,
    private readonly everyMs = 20,
    private readonly gapAfter?: { node: string; seq: number },
  ) {}

  run(opts: { signal: AbortSignal; onSnapshot: (s: FlowSnapshot) => void; onGap?: (g: SnapshotGap) => void }): Promise<void> {
    this.runs++;
    const seqs = new Map<string, number>();
    return new Promise<void>((resolve) => {
      const tick = () => {
        for (const node of this.tables.nodes) {
          const seq = seqs.get(node) ?? 0;
          seqs.set(node, seq + 1);
          if (this.gapAfter && this.gapAfter.node === node && this.gapAfter.seq === seq) {
            opts.onGap?.({ node, from: Date.now(), to: Date.now(), reason: "poll failed (fake)" });
          } else opts.onSnapshot(this.tables.snapshot(node, seq));
        }
      };
      tick();
      const timer = setInterval(tick, this.everyMs);
      const stop = () => {
        clearInterval(timer);
        this.stopped = true;
        resolve();
      };
      if (opts.signal.aborted) stop();
      else opts.signal.addEventListener("abort", stop, { once: true });
    });
  }
}

export interface FakeLab {
  tables: FakeFlowTables;
  addressMap: Record<string, string>;
  /** Client ports seen by the ingress, and proxy ports it used towards the backend. */
  clientPorts: number[];
  proxyPorts: number[];
  close(): Promise<void>;
}

/** Starts the backend and the ingress proxy; flows linger `lingerMs` after close. */
export async function startFakeLab(lingerMs = 60): Promise<FakeLab> {
  const tables = new FakeFlowTables(["cent222", "cent333"]);
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };
  const later = (f: () => void) => setTimeout(f, lingerMs);

  const backend = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html", "Content-Length": 21 });
    res.end("<h1>webservice-1</h1>");
  });
  backend.on("connection", track);
  const backendPort = await new Promise<number>((r) => backend.listen(0, "127.0.0.1", () => r((backend.address() as AddressInfo).port)));

  const clientPorts: number[] = [];
  const proxyPorts: number[] = [];
  const ingress = net.createServer((client) => {
    track(client);
    client.on("error", () => {});
    const P = client.remotePort!;
    clientPorts.push(P);
    const fip = tables.addPair(
      "cent222",
      { srcIp: "15.15.15.2", srcPort: P, dstIp: "101.101.101.1", dstPort: 80, vrf: 5, action: "N(D)", dnat: true, tcpFlags: "S" },
      { srcIp: "10.47.255.238", srcPort: 80, dstIp: "15.15.15.2", dstPort: P, vrf: 2, action: "N(S)", snat: true, tcpFlags: "S" },
    );
    tables.update("cent222", fip, (e) => (e.tcpFlags = "SSrEEr"));
    let upstream: net.Socket | null = null;
    client.on("data", (d) => {
      tables.update("cent222", [fip[0]], (e) => {
        e.packets++;
        e.bytes += d.length + 40;
      });
      if (upstream) return void upstream.write(d);
      upstream = net.connect({ host: "127.0.0.1", port: backendPort }, () => {
        const Q = upstream!.localPort!;
        proxyPorts.push(Q);
        const hop1 = tables.addPair(
          "cent222",
          { srcIp: "10.47.255.238", srcPort: Q, dstIp: "10.99.225.17", dstPort: 80, vrf: 2, action: "F", tcpFlags: "SSrEEr" },
          { srcIp: "10.99.225.17", srcPort: 80, dstIp: "10.47.255.238", dstPort: Q, vrf: 2, action: "F", tcpFlags: "SSrEEr" },
        );
        const hop2 = tables.addPair(
          "cent333",
          { srcIp: "10.47.255.238", srcPort: Q, dstIp: "10.99.225.17", dstPort: 80, vrf: 3, action: "N(DPd)", dnat: true, dpat: true, tcpFlags: "SSrEEr" },
          { srcIp: "10.47.255.236", srcPort: 80, dstIp: "10.47.255.238", dstPort: Q, vrf: 3, action: "N(SPs)", snat: true, spat: true, tcpFlags: "SSrEEr" },
        );
        upstream!.write(d);
        upstream!.on("close", () => {
          tables.update("cent222", hop1, (e) => (e.tcpFlags = "SSrEErFFr"));
          tables.update("cent333", hop2, (e) => (e.tcpFlags = "SSrEErFFr"));
          later(() => {
            tables.remove("cent222", hop1);
            tables.remove("cent333", hop2);
          });
        });
      });
      track(upstream);
      upstream.on("error", () => client.destroy());
      upstream.on("data", (b) => client.write(b));
      upstream.on("end", () => client.end());
    });
    client.on("close", () => {
      upstream?.destroy();
      tables.update("cent222", fip, (e) => (e.tcpFlags = "SSrEErFFr"));
      later(() => tables.remove("cent222", fip));
    });
  });
  const ingressPort = await new Promise<number>((r) => ingress.listen(0, "127.0.0.1", () => r((ingress.address() as AddressInfo).port)));

  return {
    tables,
    addressMap: { "101.101.101.1:80": `127.0.0.1:${ingressPort}` },
    clientPorts,
    proxyPorts,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => ingress.close(() => r())), new Promise<void>((r) => backend.close(() => r()))]);
    },
  };
}
