/**
 * The lab's agent introspect: one HTTP (or HTTPS, with client certificates required) server per compute
 * node on a loopback port, answering the kstate requests (`/Snh_KInterfaceReq`, `/Snh_KNHReq`,
 * `/Snh_KRouteReq`, `/Snh_KRouteGetReq`, `/Snh_KMplsReq`, `/Snh_KFlowReq`, `/Snh_NextKFlowReq`) in the
 * agent's XML from the live model (`render/introspect.ts`), so a fault shows through both doors at once.
 */
import * as http from "node:http";
import * as https from "node:https";
import type * as net from "node:net";
import type { LabState } from "./state";
import { renderIntrospectError, renderKFlowResp, renderKInterfaceResp, renderKMplsResp, renderKNHResp, renderKRouteResp } from "./render/introspect";
import { listenOnLoopback } from "./listen";

/** The answer to one introspect request. */
export interface IntrospectReply {
  status: number;
  body: string;
}

function intParam(q: URLSearchParams, name: string, dflt: number): number | null {
  const v = q.get(name);
  if (v === null || v === "") return dflt;
  return /^-?\d+$/.test(v) ? Number(v) : null;
}

/**
 * Answers one introspect path for a compute node from the lab's state (pure: no socket).
 *
 * @example
 * answerIntrospect(state, "cent222", "/Snh_KMplsReq?mpls_label=38").body; // '<?xml-stylesheet …?><KMplsResp type="sandesh">…'
 */
export function answerIntrospect(state: LabState, node: string, pathAndQuery: string): IntrospectReply {
  const c = state.model.computes.get(node);
  if (!c) return { status: 404, body: `no agent on ${node}\n` };
  const u = new URL(pathAndQuery, "http://lab");
  const q = u.searchParams;
  const ok = (body: string): IntrospectReply => ({ status: 200, body });
  const invalid = ok(renderIntrospectError("ErrResp"));
  switch (u.pathname) {
    case "/Snh_KInterfaceReq": {
      const id = intParam(q, "if_id", -1);
      return id === null ? invalid : ok(renderKInterfaceResp(c, id));
    }
    case "/Snh_KNHReq": {
      const id = intParam(q, "nh_id", -1);
      return id === null ? invalid : ok(renderKNHResp(c, id));
    }
    case "/Snh_KRouteReq": {
      const vrf = intParam(q, "vrf_id", 0);
      const family = q.get("family") || "inet";
      if (vrf === null) return invalid;
      if (family !== "inet") return ok(renderIntrospectError("ErrResp", family === "inet6" || family === "bridge" ? `family ${family} is not available in this lab` : "Allowed options for family are inet, inet6, bridge"));
      return ok(renderKRouteResp(c, vrf));
    }
    case "/Snh_KRouteGetReq": {
      const vrf = intParam(q, "vrf_id", 0);
      const plen = intParam(q, "prefix_len", 32);
      const prefix = q.get("prefix") ?? "";
      if (vrf === null || plen === null || !/^\d+\.\d+\.\d+\.\d+$/.test(prefix)) return ok(renderIntrospectError("ErrResp", "Allowed options for family are inet, inet6"));
      return ok(renderKRouteResp(c, vrf, { prefix, plen }));
    }
    case "/Snh_KMplsReq": {
      const l = intParam(q, "mpls_label", -1);
      return l === null ? invalid : ok(renderKMplsResp(c, l));
    }
    case "/Snh_KFlowReq": {
      const i = intParam(q, "flow_idx", -1);
      return i === null ? invalid : ok(renderKFlowResp(c.flows, i >= 0 ? { index: i } : { from: 0 }));
    }
    case "/Snh_NextKFlowReq": {
      const h = (q.get("x") ?? q.get("flow_handle") ?? "").split(" ")[0]!;
      return /^\d+$/.test(h) ? ok(renderKFlowResp(c.flows, { from: Number(h) })) : invalid;
    }
    default:
      return { status: 404, body: "Not Found\n" };
  }
}

/** Server TLS of the lab's introspect: its certificate and key, and the CA client certificates must chain to. */
export interface LabIntrospectTls {
  cert: string | Buffer;
  key: string | Buffer;
  ca: string | Buffer;
}

/** A running introspect server. */
export interface IntrospectServer {
  node: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts one node's introspect on 127.0.0.1 (an ephemeral port unless given). With `tls`, HTTPS that
 * requires a client certificate signed by `tls.ca` (as the agent's `introspect_ssl_enable`).
 *
 * @example
 * const srv = await startIntrospectServer(state, "cent222");
 * // curl http://127.0.0.1:${srv.port}/Snh_KNHReq?nh_id=-1
 * await srv.close();
 */
export async function startIntrospectServer(state: LabState, node: string, opts: { port?: number; tls?: LabIntrospectTls } = {}): Promise<IntrospectServer> {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    let reply: IntrospectReply;
    try {
      reply = req.method === "GET" ? answerIntrospect(state, node, req.url ?? "/") : { status: 405, body: "Method Not Allowed\n" };
    } catch (e) {
      reply = { status: 500, body: `internal error: ${(e as Error).message}\n` };
    }
    res.writeHead(reply.status, { "content-type": reply.status === 200 ? "text/xml" : "text/plain", "content-length": Buffer.byteLength(reply.body) });
    res.end(reply.body);
  };
  const server: http.Server | https.Server = opts.tls
    ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: true }, handler)
    : http.createServer(handler);
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const port = await listenOnLoopback(server, opts.port ?? 0);
  return {
    node, port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
