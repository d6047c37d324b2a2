/**
 * The backend pods: one real HTTP/1.1 server (node:http) per pod on 127.0.0.1, serving a page that
 * names the pod (so a probe can tell which endpoint answered), a sized download (`/download/<bytes>`
 * or `?bytes=<n>`, for "download a large file to keep the flow alive") and a slow page (`/slow/<ms>`).
 *
 * The servers run in one worker thread (a standalone script, no dependency on `dist/`), so the pods'
 * HTTP work runs beside the lab's event loop, as pods run beside a vRouter.
 */
import { Worker } from "node:worker_threads";
import type { PodSpec } from "./topology";

/** Largest download a pod serves (bytes). */
export const MAX_DOWNLOAD = 512 * 1024 * 1024;

/** The worker's source: plain CommonJS. `workerData` = { pods, vip, maxDownload }. */
export const POD_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { pods, vip, maxDownload } = workerData;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
function page(pod, path, xff) {
  return '<!DOCTYPE html>\n<html>\n<head><title>' + pod.app + '</title></head>\n<body>\n' +
    '<h1>Hello from ' + pod.name + '</h1>\n' +
    '<p>pod: ' + pod.name + '</p>\n<p>pod IP: ' + pod.ip + '</p>\n<p>node: ' + pod.node + '</p>\n' +
    '<p>path: ' + esc(path) + '</p>\n<p>request from: ' + vip + '</p>\n' +
    (xff ? '<p>X-Forwarded-For: ' + esc(xff) + '</p>\n' : '') +
    '</body>\n</html>\n';
}
const servers = [];
function start(pod) {
  const sockets = new Set();
  const server = http.createServer({ requestTimeout: 60000, headersTimeout: 30000 }, (req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    let url;
    try { url = new URL(req.url || '/', 'http://pod'); } catch (e) { url = new URL('http://pod/'); }
    const xff = req.headers['x-forwarded-for'];
    const m = /^\/download\/(\d+)$/.exec(url.pathname);
    const dl = m ? m[1] : url.searchParams.get('bytes');
    const sm = /^\/slow\/(\d+)$/.exec(url.pathname);
    const send = () => {
      if (dl !== null && dl !== undefined && /^\d+$/.test(dl)) {
        const n = Math.min(Number(dl), maxDownload);
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(n), 'X-Pod': pod.name });
        const chunk = Buffer.alloc(Math.min(n, 65536), 0x61);
        let left = n;
        const pump = () => {
          while (left > 0) {
            const c = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= c.length;
            if (!res.write(c)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
        return;
      }
      const body = page(pod, req.url || '/', Array.isArray(xff) ? xff.join(', ') : xff);
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': String(Buffer.byteLength(body)), 'X-Pod': pod.name });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (sm) {
      const t = setTimeout(send, Math.min(Number(sm[1]), 600000));
      res.on('close', () => clearTimeout(t));
    } else send();
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); });
  server.on('clientError', (_e, s) => { if (s.writable) s.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'); else s.destroy(); });
  server.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { servers.push({ server, sockets }); resolve(server.address().port); });
  });
}
Promise.all(pods.map(start)).then(
  (ports) => parentPort.postMessage({ ports }),
  (e) => parentPort.postMessage({ error: String(e && e.message || e) }),
);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  let left = servers.length;
  if (!left) return parentPort.postMessage('closed');
  for (const { server, sockets } of servers) {
    for (const s of sockets) s.destroy();
    server.close(() => { if (--left === 0) parentPort.postMessage('closed'); });
  }
});
`;

/** The running pod servers. */
export interface PodServers {
  /** Local port of each pod's server, by pod name. */
  ports: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Starts every pod's HTTP server on 127.0.0.1 (ephemeral ports) in one worker thread.
 *
 * @example
 * const pods = await startPodServers(topology.pods, "10.47.255.238");
 * pods.ports.get("webservice-7db5dcb4c6-h9xk2"); // 41235: GET / -> 200, a page naming the pod
 * await pods.close();
 */
export async function startPodServers(pods: PodSpec[], ingressVip: string): Promise<PodServers> {
  const worker = new Worker(POD_WORKER_SOURCE, {
    eval: true,
    workerData: { pods: pods.map((p) => ({ name: p.name, app: p.app, ip: p.ip, node: p.node })), vip: ingressVip, maxDownload: MAX_DOWNLOAD },
  });
  worker.unref();
  const ports = await new Promise<number[]>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (m: { ports?: number[]; error?: string }) => (m.ports ? resolve(m.ports) : reject(new Error(`pod servers: ${m.error}`))));
  });
  worker.on("error", () => undefined);
  const map = new Map<string, number>();
  pods.forEach((p, i) => map.set(p.name, ports[i]));
  let closed = false;
  return {
    ports: map,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        worker.once("message", () => {
          clearTimeout(t);
          resolve();
        });
        worker.postMessage("close");
      });
      await worker.terminate();
    },
  };
}
