/**
 * Synthetic captures of the reference scenario (docs/packet-walk.md): HTTP exchanges carried over
 * MPLSoGRE, MPLSoUDP, VXLAN (optionally 802.1Q-tagged), built with `build.ts`. Used by tests, the
 * benchmark and the lab to produce byte-exact fabric traffic.
 * @module
 */
import {
  buildFrame, eth, gre, ipv4, ipv6, type LayerSpec, mpls, payload, tcp, udp, vlan, vxlan,
} from "./build";
import type { FrameToWrite } from "./file/writer";

/** How an exchange crosses the fabric. */
export type ScenarioTunnel = "mplsogre" | "mplsoudp" | "vxlan" | "none";

/** One HTTP exchange over TCP (10 frames: handshake, request, response, close). */
export interface ExchangeOptions {
  tunnel: ScenarioTunnel;
  /** Overlay client / server addresses (IPv6 when they contain ":"). */
  client: string;
  server: string;
  clientPort: number;
  serverPort?: number;
  /** Underlay: the client-side and server-side tunnel endpoints. */
  underlayClient?: string;
  underlayServer?: string;
  /** MPLS label stacks towards the server and back (top first). */
  labels?: { forward: number[]; reverse: number[] };
  /** MPLSoUDP destination port (6635; legacy 51234). */
  mplsUdpPort?: number;
  vni?: number;
  /** 802.1Q tag on the outer Ethernet. */
  vlan?: number;
  method?: string;
  path?: string;
  host?: string;
  requestBody?: string;
  status?: number;
  /** Response body length in bytes (default 300). */
  responseBytes?: number;
  /** First frame's time: epoch seconds and nanoseconds. */
  start?: { sec: number; nsec: number };
  /** Nanoseconds between frames (default 100 µs). */
  gapNs?: number;
  /** Initial sequence numbers (default derived from the port). */
  clientIsn?: number;
  serverIsn?: number;
}

const REASONS: Record<number, string> = { 200: "OK", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable" };

const SYN_OPTIONS = Uint8Array.of(0x02, 0x04, 0x05, 0x78, 0x04, 0x02, 0x01, 0x01); // MSS 1400, SACK_PERM, NOP, NOP

function addNs(t: { sec: number; nsec: number }, ns: number): { sec: number; nsec: number } {
  const total = t.nsec + ns;
  return { sec: t.sec + Math.floor(total / 1e9), nsec: total % 1e9 };
}

/**
 * The frames of one HTTP exchange through a tunnel.
 * @example
 * const frames = httpExchange({ tunnel: "mplsoudp", client: "10.47.255.238", server: "10.99.225.17",
 *   clientPort: 51000, labels: { forward: [38], reverse: [27] } });
 * fs.writeFileSync("/tmp/x.pcap", writePcap(frames));
 */
export function httpExchange(o: ExchangeOptions): FrameToWrite[] {
  const serverPort = o.serverPort ?? 80;
  const v6 = o.client.includes(":");
  const uc = o.underlayClient ?? "10.169.25.20";
  const us = o.underlayServer ?? "10.169.25.21";
  const labels = o.labels ?? { forward: [38], reverse: [27] };
  const method = o.method ?? "GET";
  const host = o.host ?? (v6 ? `[${o.server}]` : o.server);
  const body = o.requestBody ?? "";
  const request = `${method} ${o.path ?? "/"} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: packetwalk/0.1\r\nAccept: */*\r\n` +
    (body ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` : "") + `\r\n${body}`;
  const status = o.status ?? 200;
  const respBody = "x".repeat(o.responseBytes ?? 300);
  const response = `HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}\r\nContent-Type: text/html\r\nContent-Length: ${respBody.length}\r\n\r\n${respBody}`;
  let cSeq = (o.clientIsn ?? (o.clientPort * 2654435761) >>> 0) >>> 0;
  let sSeq = (o.serverIsn ?? (o.clientPort * 40503 + 12345) >>> 0) >>> 0;
  const entropy = 49152 + ((o.clientPort * 7919) % 16384);
  let t = o.start ?? { sec: 1732456800, nsec: 0 };
  const gap = o.gapNs ?? 100_000;

  const frames: FrameToWrite[] = [];
  const send = (fromClient: boolean, flags: string, data = "", options?: Uint8Array) => {
    const inner: LayerSpec[] = [
      v6 ? ipv6(fromClient ? o.client : o.server, fromClient ? o.server : o.client)
        : ipv4(fromClient ? o.client : o.server, fromClient ? o.server : o.client, { id: frames.length + 1 }),
      tcp(fromClient ? o.clientPort : serverPort, fromClient ? serverPort : o.clientPort, {
        flags, seq: fromClient ? cSeq : sSeq, ack: flags.includes("ACK") ? (fromClient ? sSeq : cSeq) : 0,
        ...(options ? { options } : {}),
      }),
    ];
    if (data) inner.push(payload(data));
    const outer: LayerSpec[] = [eth(fromClient ? {} : { src: "52:54:00:3c:aa:21", dst: "52:54:00:8e:1b:20" })];
    if (o.vlan !== undefined) outer.push(vlan(o.vlan));
    const [a, b] = fromClient ? [uc, us] : [us, uc];
    switch (o.tunnel) {
      case "mplsogre":
        outer.push(ipv4(a, b, { id: frames.length + 1 }), gre(), mpls(...(fromClient ? labels.forward : labels.reverse)));
        break;
      case "mplsoudp":
        outer.push(ipv4(a, b, { id: frames.length + 1 }), udp(entropy, o.mplsUdpPort ?? 6635, { checksum: false }),
          mpls(...(fromClient ? labels.forward : labels.reverse)));
        break;
      case "vxlan":
        outer.push(ipv4(a, b, { id: frames.length + 1 }), udp(entropy, 4789, { checksum: false }), vxlan(o.vni ?? 5001),
          eth(fromClient ? { src: "02:00:0a:2f:ff:f0", dst: "02:00:0a:2f:ff:fa" } : { src: "02:00:0a:2f:ff:fa", dst: "02:00:0a:2f:ff:f0" }));
        break;
      case "none":
        break;
    }
    frames.push({ data: buildFrame([...outer, ...inner]), time: t });
    t = addNs(t, gap);
    const adv = data.length + (flags.includes("SYN") || flags.includes("FIN") ? 1 : 0);
    if (fromClient) cSeq = (cSeq + adv) >>> 0;
    else sSeq = (sSeq + adv) >>> 0;
  };
  send(true, "SYN", "", SYN_OPTIONS);
  send(false, "SYN,ACK", "", SYN_OPTIONS);
  send(true, "ACK");
  send(true, "PSH,ACK", request);
  send(false, "ACK");
  send(false, "PSH,ACK", response);
  send(true, "ACK");
  send(false, "FIN,ACK");
  send(true, "FIN,ACK");
  send(false, "ACK");
  return frames;
}

/**
 * The scenario mix: an Internet client's request over MPLSoGRE to the FIP, the ingress pod's proxied
 * request over MPLSoUDP to the service, then VLAN-tagged GRE, a two-label stack POST, VXLAN and
 * IPv6-over-GRE exchanges. `rounds` repeats the GRE+UDP pair with new client ports.
 * @example
 * fs.writeFileSync("/tmp/scenario.pcap", writePcap(scenarioFrames()));
 */
export function scenarioFrames({ rounds = 3, start = { sec: 1732456800, nsec: 0 }, responseBytes = 300 }:
  { rounds?: number; start?: { sec: number; nsec: number }; responseBytes?: number } = {}): FrameToWrite[] {
  const out: FrameToWrite[] = [];
  let t = start;
  const add = (o: Omit<ExchangeOptions, "start">) => {
    const f = httpExchange({ responseBytes, ...o, start: t });
    out.push(...f);
    t = addNs(t, 1_100_000);
  };
  for (let r = 0; r < rounds; r++) {
    add({
      tunnel: "mplsogre", client: "15.15.15.2", server: "101.101.101.1", clientPort: 40000 + r,
      underlayClient: "192.168.0.204", underlayServer: "10.169.25.20", labels: { forward: [20], reverse: [299808] },
      path: "/api/v1/status", status: r === 2 ? 404 : 200,
    });
    add({
      tunnel: "mplsoudp", client: "10.47.255.238", server: "10.99.225.17", clientPort: 51000 + r,
      underlayClient: "10.169.25.20", underlayServer: "10.169.25.21", labels: { forward: [38], reverse: [27] },
      path: "/login", status: r === 2 ? 404 : 200,
    });
  }
  add({
    tunnel: "mplsogre", vlan: 100, client: "15.15.15.2", server: "101.101.101.1", clientPort: 40100,
    underlayClient: "192.168.0.204", underlayServer: "10.169.25.20", labels: { forward: [20], reverse: [299808] },
  });
  add({
    tunnel: "mplsogre", client: "15.15.15.2", server: "101.101.101.1", clientPort: 40101, method: "POST",
    path: "/index.html", requestBody: '{"probe":"packetwalk"}', underlayClient: "192.168.0.204",
    underlayServer: "10.169.25.20", labels: { forward: [16, 20], reverse: [16, 299808] },
  });
  add({
    tunnel: "vxlan", client: "10.47.255.240", server: "10.47.255.250", clientPort: 52000, vni: 5001,
    underlayClient: "10.169.25.20", underlayServer: "10.169.25.22", status: 404,
  });
  add({
    tunnel: "mplsogre", client: "2001:db8::15", server: "2001:db8:101::1", clientPort: 40200, path: "/metrics",
    underlayClient: "192.168.0.204", underlayServer: "10.169.25.20", labels: { forward: [20], reverse: [299808] },
  });
  return out;
}
