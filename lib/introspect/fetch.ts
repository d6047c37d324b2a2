/**
 * Fetching the agent's introspect: one page over HTTP, or HTTPS with the client certificate the agent's
 * introspect SSL asks for (`introspect_ssl_enable`: the agent checks the client's certificate against
 * its CA), with a time limit and cancellation; and a whole answer, following the `Snh_NextKFlowReq` /
 * `Snh_PageReq` links. Errors name the node, the URL and what failed; pages read before a failure are
 * kept.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { deadline } from "../cancel";
import { mapAddress, type Inventory, type InventoryNode } from "../remote/inventory";
export type { IntrospectAccess } from "../remote/inventory";
import type { ParseError, ParseWarning } from "../vrouter/types";
import type { IntrospectParseResult } from "./kstate";

/** The agent's introspect port. */
export const INTROSPECT_PORT = 8085;

/** Client TLS material, PEM text (what {@link introspectEndpoint} reads from the inventory's files). */
export interface IntrospectTls {
  ca: string | Buffer;
  /** The client certificate and key (an agent with `introspect_ssl_enable` refuses a client without them). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Name the server certificate must carry (default: the host contacted). */
  servername?: string;
}

/** Where one node's introspect answers. */
export interface IntrospectEndpoint {
  node: string;
  /** `http://10.169.25.20:8085` or `https://…` (after the inventory's address map). */
  baseUrl: string;
  tls?: IntrospectTls;
}

/** Why a fetch failed: `connect`, `tls`, `timeout`, `abort`, `http` (a status other than 200), `body`, `config`. */
export type IntrospectStage = "connect" | "tls" | "timeout" | "abort" | "http" | "body" | "config";

/**
 * A failed introspect fetch, naming the node, the URL and what failed.
 *
 * @example
 * try { await fetchIntrospectPage(ep, "/Snh_KNHReq?nh_id=-1"); }
 * catch (e) { if (e instanceof IntrospectError) console.log(e.node, e.url, e.stage); }
 */
export class IntrospectError extends Error {
  constructor(readonly stage: IntrospectStage, readonly node: string, readonly url: string, readonly detail: string, readonly status: number | null = null) {
    super(`${node}: introspect ${url}: ${detail}`);
    this.name = "IntrospectError";
  }
}

/** One page as the agent sent it. */
export interface IntrospectPage {
  url: string;
  /** The path asked (`/Snh_KNHReq?nh_id=61`). */
  path: string;
  status: number;
  body: string;
  startedAt: number;
  durationMs: number;
}

/** Fetches one path of a node's introspect (the walk swaps in a recording or a replay). */
export type IntrospectGet = (path: string, opts?: { timeoutMs?: number; signal?: AbortSignal }) => Promise<IntrospectPage>;

/**
 * Where a node's introspect answers, from its inventory entry: `introspect.url`, else
 * `http(s)://<introspect.host | ssh.host>:<introspect.port | 8085>`, through the inventory's address
 * map; the TLS files are read (relative to the inventory's directory). Throws an {@link IntrospectError}
 * (`config`) naming the node and the file that cannot be read.
 *
 * @example
 * introspectEndpoint(inv, getNode(inv, "cent222")).baseUrl; // "http://127.0.0.1:40123" (the lab maps 10.169.25.20:8085)
 */
export function introspectEndpoint(inv: Pick<Inventory, "addressMap" | "baseDir">, node: InventoryNode): IntrospectEndpoint {
  const a = node.introspect ?? {};
  let scheme = a.tls ? "https" : "http";
  let host: string = a.host ?? node.ssh?.host ?? "";
  let port = a.port ?? INTROSPECT_PORT;
  if (host === "" && !a.url) throw new IntrospectError("config", node.name, "", "no introspect address: give introspect.url or introspect.host (or an ssh.host)");
  if (a.url) {
    let u: URL;
    try {
      u = new URL(a.url);
    } catch {
      throw new IntrospectError("config", node.name, a.url, "introspect.url is not a URL");
    }
    scheme = u.protocol.replace(/:$/, "");
    host = u.hostname.replace(/^\[(.*)\]$/, "$1");
    port = u.port ? Number(u.port) : scheme === "https" ? 443 : 80;
  }
  const to = mapAddress(inv, host, port);
  const hostPart = to.host.includes(":") ? `[${to.host}]` : to.host;
  const baseUrl = `${scheme}://${hostPart}:${to.port}`;
  if (!a.tls) return { node: node.name, baseUrl };
  const read = (what: string, file: string): Buffer => {
    const full = path.resolve(inv.baseDir ?? process.cwd(), file.replace(/^~(?=\/|$)/, process.env.HOME ?? "~"));
    try {
      return fs.readFileSync(full);
    } catch (e) {
      throw new IntrospectError("config", node.name, baseUrl, `introspect.tls.${what}: cannot read ${full}: ${(e as Error).message}`);
    }
  };
  return {
    node: node.name, baseUrl,
    tls: { ca: read("ca", a.tls.ca), cert: read("cert", a.tls.cert), key: read("key", a.tls.key), ...(a.tls.servername ? { servername: a.tls.servername } : {}) },
  };
}

const MAX_BODY = 256 << 20;

/**
 * GETs one path (`/Snh_KNHReq?nh_id=-1`) from a node's introspect. Rejects with an
 * {@link IntrospectError} naming the node, the URL and what failed (connect, TLS, timeout, abort, a
 * status other than 200, a body cut short). The time limit covers connecting and the whole body.
 *
 * @example
 * const page = await fetchIntrospectPage({ node: "cent222", baseUrl: "http://127.0.0.1:8085" }, "/Snh_KMplsReq?mpls_label=38", { timeoutMs: 5000 });
 * parseIntrospectMpls(page.body).rows;
 */
export function fetchIntrospectPage(ep: IntrospectEndpoint, p: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<IntrospectPage> {
  const url = ep.baseUrl + (p.startsWith("/") ? p : `/${p}`);
  const startedAt = Date.now();
  const dl = deadline(opts.timeoutMs ?? 10_000, opts.signal);
  return new Promise<IntrospectPage>((resolve, reject) => {
    let done = false;
    const finish = (e: IntrospectError | null, page?: IntrospectPage): void => {
      if (done) return;
      done = true;
      dl.clear();
      dl.signal.removeEventListener("abort", onAbort);
      if (e) {
        req.destroy();
        reject(e);
      } else resolve(page!);
    };
    const onAbort = (): void => {
      const timedOut = (dl.signal.reason as { name?: string } | undefined)?.name === "TimeoutError";
      finish(new IntrospectError(timedOut ? "timeout" : "abort", ep.node, url, timedOut ? `no complete answer within ${opts.timeoutMs ?? 10_000} ms` : "aborted"));
    };
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new IntrospectError("config", ep.node, url, "not a URL"));
      return;
    }
    const isTls = u.protocol === "https:";
    const common = { method: "GET", host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port: u.port, path: u.pathname + u.search, headers: { accept: "application/xml, text/xml" }, agent: false as const };
    const req = isTls
      ? https.request({
          ...common,
          ...(ep.tls
            ? { ca: ep.tls.ca, ...(ep.tls.cert ? { cert: ep.tls.cert } : {}), ...(ep.tls.key ? { key: ep.tls.key } : {}), ...(ep.tls.servername ? { servername: ep.tls.servername } : {}) }
            : {}),
        })
      : http.request(common);
    if (dl.signal.aborted) return onAbort();
    dl.signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e: NodeJS.ErrnoException) => {
      const tls = isTls && (/certificate|ssl|tls|handshake|alert|self.signed|unable to (verify|get)/i.test(e.message) || /^ERR_(SSL|TLS)|CERT|SELF_SIGNED|UNABLE_TO/.test(e.code ?? ""));
      const what = e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message;
      finish(new IntrospectError(tls ? "tls" : "connect", ep.node, url, `${tls ? "TLS" : "connect"} failed: ${what}`));
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) return finish(new IntrospectError("body", ep.node, url, `answer larger than ${MAX_BODY} bytes`));
        chunks.push(c);
      });
      res.on("aborted", () => finish(new IntrospectError("body", ep.node, url, `the answer was cut after ${size} bytes`)));
      res.on("error", (e) => finish(new IntrospectError("body", ep.node, url, `reading the answer: ${e.message}`)));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          finish(new IntrospectError("http", ep.node, url, `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ""}${body.trim() ? `: ${body.trim().split("\n")[0]!.slice(0, 120)}` : ""}`, status));
          return;
        }
        finish(null, { url, path: p, status, body, startedAt, durationMs: Date.now() - startedAt });
      });
    });
    req.end();
  });
}

/**
 * A node's introspect as an {@link IntrospectGet}.
 *
 * @example
 * const get = introspectGetter(introspectEndpoint(inv, node));
 * await get("/Snh_KInterfaceReq?if_id=-1");
 */
export function introspectGetter(ep: IntrospectEndpoint): IntrospectGet {
  return (p, opts) => fetchIntrospectPage(ep, p, opts);
}

/** A whole answer: every page's rows, what was read, and what stopped it. */
export interface IntrospectAnswer<R> {
  rows: R[];
  pages: IntrospectPage[];
  warnings: ParseWarning[];
  /** Parse errors (a page cut or malformed: its rows up to the cut are kept, and no further page is asked). */
  errors: ParseError[];
  /** The agent refused (`ErrResp: Invalid Input !!!`). */
  refused: string | null;
  /** The fetch that failed (pages before it are kept). */
  error: IntrospectError | null;
}

/**
 * Fetches `path` and every page its answer links to (`Snh_NextKFlowReq?x=…`), parsing each with `parse`.
 * Never rejects: a failed fetch, a refusal or a cut page ends the answer with what was read so far.
 *
 * @example
 * const a = await fetchIntrospect(get, "/Snh_KFlowReq?flow_idx=-1", parseIntrospectFlow, { timeoutMs: 5000 });
 * a.rows.length; // every flow entry, over as many pages as the table needs
 */
export async function fetchIntrospect<R>(
  get: IntrospectGet,
  first: string,
  parse: (xml: string) => IntrospectParseResult<R>,
  opts: { timeoutMs?: number; signal?: AbortSignal; maxPages?: number; node?: string } = {},
): Promise<IntrospectAnswer<R>> {
  const out: IntrospectAnswer<R> = { rows: [], pages: [], warnings: [], errors: [], refused: null, error: null };
  const maxPages = opts.maxPages ?? 10_000;
  const seen = new Set<string>();
  let next: string | null = first;
  while (next !== null) {
    const p: string = next.startsWith("/") ? next : `/${next}`;
    if (seen.has(p)) {
      out.error = new IntrospectError("body", opts.node ?? "?", p, "the answer links back to a page already read (stopped)");
      break;
    }
    if (out.pages.length >= maxPages) {
      out.error = new IntrospectError("body", opts.node ?? "?", p, `more than ${maxPages} pages (stopped)`);
      break;
    }
    seen.add(p);
    let page: IntrospectPage;
    try {
      page = await get(p, { ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (e) {
      out.error = e instanceof IntrospectError ? e : new IntrospectError("connect", opts.node ?? "?", p, (e as Error)?.message ?? String(e));
      break;
    }
    out.pages.push(page);
    const r = parse(page.body);
    out.rows.push(...r.rows);
    out.warnings.push(...r.warnings);
    if (r.errors.length) {
      out.errors.push(...r.errors.map((e) => ({ ...e, message: `${page.url}: ${e.message}` })));
      break;
    }
    if (r.refused) {
      out.refused = r.refused;
      break;
    }
    next = r.next;
  }
  return out;
}
