/**
 * The active haproxy of the ingress: an HTTP/1.1 reverse proxy on the floating IP's listener. It reads
 * each request, matches the ingress rules (Host header + path prefix), and opens its **own new TCP
 * connection** to the service for every request (haproxy `http-server-close`), adding
 * `X-Forwarded-For`. Errors are haproxy's: 400 (bad or oversized header), 408 (request timeout), 413
 * (body over the limit), 503 (no rule / no server), 504 (server timeout). Every connection is mirrored
 * in the fabric ({@link Fabric}) so flows, counters and captures follow the real sockets.
 */
import { EventEmitter } from "node:events";
import * as net from "node:net";
import type { Fabric } from "./fabric";
import type { Leg } from "./leg";
import { endpointsOf } from "./model";
import type { PodSpec, ServiceSpec } from "./topology";

/** Timeouts and limits of the proxy. */
export interface ProxyOptions {
  /** haproxy `timeout http-request`: a complete request head must arrive in this time (ms). Default 60000. */
  requestTimeoutMs?: number;
  /** haproxy `timeout http-keep-alive` (ms). Default 10000. */
  keepAliveMs?: number;
  /** haproxy `timeout connect` (ms): how long a SYN to a dead service is retried. Default 3000. */
  connectTimeoutMs?: number;
  /** haproxy `timeout server` (ms). Default 60000. */
  serverTimeoutMs?: number;
  /** Largest request head (haproxy `tune.bufsize`). Default 16384. */
  maxHeaderBytes?: number;
  /** Largest request body (ms). Default 10 MiB. */
  maxBodyBytes?: number;
  /** How long a dropped (silent) client connection is held before the lab lets it go (ms). Default 120000. */
  dropHoldMs?: number;
}

/** One proxied request, as haproxy would log it. */
export interface ProxyLogEntry {
  at: number;
  clientIp: string;
  clientPort: number;
  method: string;
  path: string;
  host: string;
  status: number;
  service?: string;
  pod?: string;
  ingressPort?: number;
  bytesIn: number;
  bytesOut: number;
}

const REASON: Record<number, [string, string]> = {
  400: ["Bad request", "Your browser sent an invalid request."],
  408: ["Request Time-out", "Your browser didn't send a complete request in time."],
  413: ["Payload Too Large", "The request entity is too large."],
  501: ["Not Implemented", ".The server does not support the functionality required to fulfill the request."],
  502: ["Bad Gateway", "The server returned an invalid or incomplete response."],
  503: ["Service Unavailable", "No server is available to handle this request."],
  504: ["Gateway Time-out", "The server didn't respond in time."],
};

/**
 * haproxy's canned error response for a status.
 *
 * @example
 * errorResponse(503).toString().split("\r\n")[0]; // "HTTP/1.1 503 Service Unavailable"
 */
export function errorResponse(status: number): Buffer {
  const [reason, text] = REASON[status] ?? ["Error", "An error occurred."];
  const body = `<html><body><h1>${status} ${reason}</h1>\n${text}\n</body></html>\n`;
  return Buffer.from(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-cache\r\n` +
      `content-type: text/html\r\nconnection: close\r\n\r\n${body}`,
  );
}

interface ParsedHead {
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
  headLen: number;
}

function parseHead(buf: Buffer, end: number): ParsedHead | undefined {
  const text = buf.subarray(0, end).toString("latin1");
  const lines = text.split("\r\n");
  const m = /^([A-Z]+) (\S+) HTTP\/(1\.[01])$/.exec(lines[0]);
  if (!m) return undefined;
  const headers: [string, string][] = [];
  for (const l of lines.slice(1)) {
    if (l === "") continue;
    const i = l.indexOf(":");
    if (i <= 0 || /[\s]/.test(l.slice(0, i))) return undefined;
    headers.push([l.slice(0, i), l.slice(i + 1).trim()]);
  }
  return { method: m[1], target: m[2], version: m[3], headers, headLen: end + 4 };
}

const HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "upgrade"]);

/**
 * The haproxy. One per lab; `handle()` takes every accepted FIP socket.
 *
 * @example
 * const proxy = new Haproxy(fabric, (pod) => podPorts.get(pod.name));
 * net.createServer({ allowHalfOpen: true }, (s) => proxy.handle(s)).listen(0, "127.0.0.1");
 */
export class Haproxy extends EventEmitter {
  readonly fabric: Fabric;
  private readonly portOf: (pod: PodSpec) => number | undefined;
  private readonly o: Required<ProxyOptions>;
  private rr = new Map<string, number>();
  private readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(fabric: Fabric, portOf: (pod: PodSpec) => number | undefined, opts: ProxyOptions = {}) {
    super();
    this.fabric = fabric;
    this.portOf = portOf;
    this.o = {
      requestTimeoutMs: opts.requestTimeoutMs ?? 60_000,
      keepAliveMs: opts.keepAliveMs ?? 10_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 3000,
      serverTimeoutMs: opts.serverTimeoutMs ?? 60_000,
      maxHeaderBytes: opts.maxHeaderBytes ?? 16384,
      maxBodyBytes: opts.maxBodyBytes ?? 10 * 1024 * 1024,
      dropHoldMs: opts.dropHoldMs ?? 120_000,
    };
  }

  private timer(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
    return t;
  }

  private clear(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  /** Destroys every connection (lab stop). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
  }

  /** Takes one accepted client socket on the floating IP. */
  handle(sock: net.Socket): void {
    if (this.stopped) return void sock.destroy();
    this.sockets.add(sock);
    sock.on("error", () => undefined);
    const clientPort = sock.remotePort ?? 0;
    let leg: Leg;
    try {
      leg = this.fabric.fipLeg(clientPort);
    } catch {
      sock.destroy();
      return;
    }
    if (leg.meta.drop) return this.holdDropped(sock, leg);
    leg.open();
    this.serve(sock, leg, clientPort);
  }

  /** The vRouter drops the client's packets: nothing comes back; SYN retransmissions show in the fabric. */
  private holdDropped(sock: net.Socket, leg: Leg): void {
    leg.syn();
    sock.pause();
    const retries = [1000, 3000, 7000, 15000, 31000];
    const ts = retries.map((ms) => this.timer(() => leg.synRetransmit(), ms));
    const hold = this.timer(() => sock.destroy(), this.o.dropHoldMs);
    sock.on("close", () => {
      for (const t of ts) this.clear(t);
      this.clear(hold);
      this.sockets.delete(sock);
      leg.finish();
    });
  }

  private serve(sock: net.Socket, leg: Leg, clientPort: number): void {
    let buf: Buffer = Buffer.alloc(0);
    let busy = false;
    let clientEnded = false;
    let closing = false;
    let stalled = false;
    let reqTimer: NodeJS.Timeout | undefined;
    let retx: NodeJS.Timeout | undefined;
    const clientIp = this.fabric.state.topology.internetHost.ip;

    const send = (b: Buffer) => {
      if (sock.destroyed || closing) return;
      const seq0 = leg.nextSeq("s2c");
      leg.data("s2c", b, { ack: !stalled });
      if (this.fabric.state.hasFault("mtu-blackhole") && !stalled) {
        for (let off = 0; off < b.length && !stalled; off += leg.mss) {
          const chunk = b.subarray(off, Math.min(b.length, off + leg.mss));
          if (chunk.length > this.fabric.blackholeMtu) {
            // The first oversized segment is lost beyond the node; TCP retransmits it (and nothing
            // after it reaches the client) until the client gives up.
            stalled = true;
            const seq = (seq0 + off) >>> 0;
            const copy = Buffer.from(chunk);
            let backoff = 200;
            const again = () => {
              if (sock.destroyed || leg.closed) return;
              leg.retransmit("s2c", seq, copy);
              backoff = Math.min(backoff * 2, 60_000);
              retx = this.timer(again, backoff);
            };
            retx = this.timer(again, backoff);
          } else sock.write(chunk);
        }
        return;
      }
      if (!stalled) sock.write(b);
    };
    const close = () => {
      if (closing) return;
      closing = true;
      this.clear(reqTimer);
      if (stalled) return; // the server side keeps retransmitting; only the client can give up
      leg.fin("s2c");
      sock.end();
    };
    const fail = (status: number) => {
      send(errorResponse(status));
      close();
    };
    const armRequestTimer = (ms: number, status: number | undefined) => {
      this.clear(reqTimer);
      reqTimer = this.timer(() => {
        if (busy || closing) return;
        if (status !== undefined && buf.length > 0) fail(status);
        else if (status !== undefined && ms === this.o.requestTimeoutMs) fail(status);
        else close();
      }, ms);
    };
    armRequestTimer(this.o.requestTimeoutMs, 408);

    const next = () => {
      if (busy || closing || sock.destroyed) return;
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) {
        if (buf.length > this.o.maxHeaderBytes) fail(400);
        else if (clientEnded) {
          if (buf.length) fail(400);
          else close();
        }
        return;
      }
      if (end + 4 > this.o.maxHeaderBytes) return fail(400);
      const head = parseHead(buf, end);
      if (!head) return fail(400);
      const h = (name: string) => head.headers.find(([k]) => k.toLowerCase() === name)?.[1];
      const te = h("transfer-encoding");
      const clRaw = h("content-length");
      if (clRaw !== undefined && !/^\d+$/.test(clRaw)) return fail(400);
      if (te !== undefined && te.toLowerCase() !== "chunked") return fail(501);
      const bodyLen = clRaw !== undefined ? Number(clRaw) : 0;
      if (bodyLen > this.o.maxBodyBytes) return fail(413);
      const hostHdr = (h("host") ?? "").toLowerCase().replace(/:\d+$/, "");
      const wantClose = (h("connection") ?? "").toLowerCase().includes("close") || head.version === "1.0" && !(h("connection") ?? "").toLowerCase().includes("keep-alive");
      const path = head.target.startsWith("http://") ? new URL(head.target).pathname : head.target.split("?")[0];
      const rule = this.fabric.state.topology.ingress.rules
        .filter((r) => r.host.toLowerCase() === hostHdr && path.startsWith(r.path))
        .sort((a, b) => b.path.length - a.path.length)[0];
      busy = true;
      this.clear(reqTimer);
      const log: ProxyLogEntry = { at: Date.now(), clientIp, clientPort, method: head.method, path: head.target, host: hostHdr, status: 0, bytesIn: head.headLen + bodyLen, bytesOut: 0 };
      // The body that is already buffered, and how much more is to come.
      let rest = buf.subarray(head.headLen);
      const chunked = te !== undefined;
      const take = chunked ? rest.length : Math.min(rest.length, bodyLen);
      const firstBody = rest.subarray(0, take);
      buf = rest.subarray(take);
      rest = Buffer.alloc(0);
      bodyLeft = chunked ? Infinity : bodyLen - take;
      const done = (status: number, keep: boolean) => {
        log.status = status;
        this.emit("log", log);
        busy = false;
        bodyTaker = undefined;
        bodyLeft = 0;
        if (!keep || wantClose || chunked) return close();
        armRequestTimer(this.o.keepAliveMs, undefined);
        if (buf.length) setImmediate(next);
        else if (clientEnded) close();
      };
      if (!rule) {
        send(errorResponse(503));
        log.bytesOut = errorResponse(503).length;
        return done(503, false);
      }
      const svc = this.fabric.state.topology.services.find((s) => s.name === rule.service)!;
      log.service = svc.name;
      const eps = endpointsOf(this.fabric.state.topology, svc.name);
      if (eps.length === 0) {
        send(errorResponse(503));
        return done(503, false);
      }
      const i = this.rr.get(svc.name) ?? 0;
      this.rr.set(svc.name, i + 1);
      const pod = eps[i % eps.length];
      log.pod = pod.name;
      const outHead =
        `${head.method} ${head.target} HTTP/1.1\r\n` +
        head.headers.filter(([k]) => !HOP.has(k.toLowerCase()) && k.toLowerCase() !== "x-forwarded-for").map(([k, v]) => `${k}: ${v}\r\n`).join("") +
        `X-Forwarded-For: ${[h("x-forwarded-for"), clientIp].filter(Boolean).join(", ")}\r\n` +
        "Connection: close\r\n\r\n";
      abortUpstream = this.toService(svc, pod, Buffer.concat([Buffer.from(outHead, "latin1"), firstBody]), {
        onBodyPull: (fn) => {
          // Further body bytes from the client go to the server.
          pendingBody = fn;
        },
        send: (b) => {
          log.bytesOut += b.length;
          send(b);
        },
        done: (status, keep, ingressPort) => {
          pendingBody = undefined;
          log.ingressPort = ingressPort;
          done(status, keep);
        },
      });
      // Body accounting for content-length requests arriving later.
      bodyTaker = (d: Buffer) => {
        if (bodyLeft <= 0) return d;
        const n = Math.min(d.length, bodyLeft);
        bodyLeft -= n;
        pendingBody?.(d.subarray(0, n));
        return d.subarray(n);
      };
    };
    let pendingBody: ((b: Buffer) => void) | undefined;
    let bodyTaker: ((d: Buffer) => Buffer) | undefined;
    let abortUpstream: (() => void) | undefined;
    /** Request body bytes still expected from the client for the request in progress. */
    let bodyLeft = 0;

    sock.on("data", (d: Buffer) => {
      leg.data("c2s", d);
      if (closing) return;
      if (busy && bodyTaker) {
        const left = bodyTaker(d);
        if (left.length) buf = Buffer.concat([buf, left]);
      } else buf = buf.length ? Buffer.concat([buf, d]) : d;
      if (buf.length > this.o.maxHeaderBytes * 4 + this.o.maxBodyBytes) {
        sock.destroy();
        return;
      }
      next();
    });
    sock.on("end", () => {
      clientEnded = true;
      leg.fin("c2s");
      if (busy && bodyLeft > 0 && bodyLeft !== Infinity) {
        // The client gave up in the middle of its request body: haproxy aborts the server side.
        abortUpstream?.();
        busy = false;
        close();
        return;
      }
      if (!busy) next();
      if (!busy && !closing) close();
    });
    sock.on("close", (hadError) => {
      this.sockets.delete(sock);
      this.clear(reqTimer);
      this.clear(retx);
      // The client is gone: haproxy aborts the server connection of a pending request.
      if (busy) abortUpstream?.();
      if (hadError) leg.rst("c2s");
      else if (!leg.closed) {
        leg.fin("c2s");
        leg.fin("s2c");
      }
      leg.finish();
    });
  }

  /** haproxy's own connection to the service, for one request. */
  private toService(
    svc: ServiceSpec,
    pod: PodSpec,
    request: Buffer,
    cb: { onBodyPull(fn: (b: Buffer) => void): void; send(b: Buffer): void; done(status: number, keep: boolean, ingressPort?: number): void },
  ): () => void {
    const fabric = this.fabric;
    const port = this.portOf(pod);
    if (fabric.state.hasFault("backend-down") || port === undefined) {
      const { leg } = fabric.serviceLeg(fabric.fakePort(), svc, pod);
      leg.refused();
      cb.send(errorResponse(503));
      cb.done(503, false);
      return () => undefined;
    }
    if (fabric.state.hasFault("standby-answers")) {
      // The standby haproxy has no backends: it answers every request itself.
      cb.send(errorResponse(503));
      cb.done(503, false);
      return () => undefined;
    }
    const outcome = this.serviceOutcome(svc, pod);
    if (outcome !== "ok") {
      const fake = fabric.fakePort();
      const { leg } = fabric.serviceLeg(fake, svc, pod);
      const lostReply = outcome === "return-drop";
      leg.syn();
      if (lostReply) leg.synAck(); // the pod answers; its node drops the answer
      const t1 = this.timer(() => {
        leg.synRetransmit();
        if (lostReply) leg.synAck();
      }, Math.min(1000, this.o.connectTimeoutMs / 2));
      const t2 = this.timer(() => {
        this.clear(t1);
        leg.finish();
        cb.send(errorResponse(503));
        cb.done(503, false, fake);
      }, this.o.connectTimeoutMs);
      return () => {
        this.clear(t1);
        this.clear(t2);
        leg.finish();
      };
    }
    const up = net.connect({ host: "127.0.0.1", port });
    let leg: Leg | undefined;
    let gotHead = false;
    let status = 502;
    let finished = false;
    let headBuf: Buffer = Buffer.alloc(0);
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (idle) return void idle.refresh();
      idle = this.timer(() => {
        up.destroy();
        finish(gotHead ? status : 504, false);
      }, this.o.serverTimeoutMs);
    };
    const finish = (st: number, keep: boolean) => {
      if (finished) return;
      finished = true;
      this.clear(idle);
      if (!gotHead) cb.send(errorResponse(st));
      cb.done(gotHead ? status : st, keep && gotHead, up.localPort);
    };
    up.on("error", () => {
      if (leg && !leg.closed) leg.rst("s2c");
      finish(gotHead ? status : 503, false);
    });
    up.on("connect", () => {
      leg = fabric.serviceLeg(up.localPort ?? fabric.fakePort(), svc, pod).leg;
      leg.open();
      leg.data("c2s", request);
      up.write(request);
      cb.onBodyPull((b) => {
        leg?.data("c2s", b);
        up.write(b);
      });
      armIdle();
    });
    up.on("data", (d: Buffer) => {
      armIdle();
      leg?.data("s2c", d);
      if (gotHead) return cb.send(d);
      headBuf = Buffer.concat([headBuf, d]);
      const end = headBuf.indexOf("\r\n\r\n");
      if (end < 0) {
        if (headBuf.length > 65536) {
          up.destroy();
          finish(502, false);
        }
        return;
      }
      gotHead = true;
      const head = headBuf.subarray(0, end).toString("latin1");
      status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 502);
      // http-server-close: the client connection stays keep-alive; drop the server's Connection header.
      const lines = head.split("\r\n").filter((l, i) => i === 0 || !/^connection:/i.test(l));
      cb.send(Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1"), headBuf.subarray(end + 4)]));
    });
    up.on("end", () => {
      leg?.fin("s2c");
      leg?.fin("c2s");
      up.end();
      finish(502, true);
    });
    up.on("close", () => {
      leg?.finish();
      finish(502, false);
    });
    return () => {
      if (finished) return;
      finished = true;
      this.clear(idle);
      if (leg && !leg.closed) leg.rst("c2s");
      up.destroy();
    };
  }

  /** What the vRouters do with a new connection to a service endpoint (from the faults). */
  private serviceOutcome(svc: ServiceSpec, pod: PodSpec): "ok" | "no-route" | "bad-label" | "return-drop" {
    const s = this.fabric.state;
    if (s.hasFault("service-no-route")) return "no-route";
    if (s.hasFault("wrong-label") && pod.node !== s.model.activeIngress) return "bad-label";
    if (s.hasFault("return-sg-drop")) return "return-drop";
    void svc;
    return "ok";
  }
}
