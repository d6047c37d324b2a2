/**
 * Local test servers on 127.0.0.1 ephemeral ports: a node:http server with the scenarios the probes
 * must handle, and raw node:net servers that misbehave on purpose (silent, reset, garbage, echo).
 */
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";

export interface Started {
  port: number;
  /** Client ports seen by the server, in accept order. */
  clientPorts: number[];
  close(): Promise<void>;
}

function listen(server: net.Server | http.Server, sockets: Set<net.Socket>): Promise<number> {
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

function closer(server: net.Server | http.Server, sockets: Set<net.Socket>) {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** A body of `n` bytes, deterministic. */
export function bigBody(n: number): string {
  return "0123456789abcdef".repeat(Math.ceil(n / 16)).slice(0, n);
}

/**
 * node:http server with routes: `/` 200, `/moved` 301, `/missing` 404, `/down` 503, `/chunked`,
 * `/big?n=`, `/close` (HTTP/1.0-style close-delimited), `/echo` (echoes method, Host and body),
 * `/slow?ms=` (headers now, body after ms), `/hang` (never answers).
 */
export async function startHttp(): Promise<Started> {
  const sockets = new Set<net.Socket>();
  const clientPorts: number[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    switch (u.pathname) {
      case "/":
        res.writeHead(200, { "Content-Type": "text/html", "Content-Length": 21 });
        res.end("<h1>webservice-1</h1>");
        return;
      case "/moved":
        res.writeHead(301, { Location: "http://www.juniper.net/", "Content-Length": 0 });
        res.end();
        return;
      case "/missing":
        res.writeHead(404, { "Content-Type": "text/plain", "Content-Length": 10 });
        res.end("not found\n");
        return;
      case "/down":
        res.writeHead(503, "Service Unavailable", { "Content-Type": "text/plain", "Content-Length": 12 });
        res.end("unavailable\n");
        return;
      case "/chunked":
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.write("first chunk;");
        setTimeout(() => res.end("second chunk"), 5);
        return;
      case "/big": {
        const n = Number(u.searchParams.get("n") ?? "100000");
        res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": n });
        res.end(bigBody(n));
        return;
      }
      case "/close":
        res.socket?.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nclose-delimited body");
        res.socket?.end();
        return;
      case "/echo": {
        const parts: Buffer[] = [];
        req.on("data", (d: Buffer) => parts.push(d));
        req.on("end", () => {
          const body = `${req.method} host=${req.headers.host} body=${Buffer.concat(parts).toString()}`;
          res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(body) });
          res.end(body);
        });
        return;
      }
      case "/slow": {
        const ms = Number(u.searchParams.get("ms") ?? "200");
        res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": 4 });
        res.flushHeaders();
        setTimeout(() => res.end("slow"), ms);
        return;
      }
      case "/hang":
        return;
      default:
        res.writeHead(404).end();
    }
  });
  server.on("connection", (s: net.Socket) => clientPorts.push(s.remotePort ?? 0));
  const port = await listen(server, sockets);
  return { port, clientPorts, close: closer(server, sockets) };
}

/** A raw TCP server whose behaviour per connection is `onConnection`. */
export async function startRaw(onConnection: (s: net.Socket) => void): Promise<Started> {
  const sockets = new Set<net.Socket>();
  const clientPorts: number[] = [];
  const server = net.createServer((s) => {
    clientPorts.push(s.remotePort ?? 0);
    s.on("error", () => {});
    onConnection(s);
  });
  const port = await listen(server, sockets);
  return { port, clientPorts, close: closer(server, sockets) };
}

/** Accepts and never answers. */
export const silent = () => startRaw(() => {});

/** Accepts, reads the request, answers with RST. */
export const resetter = () =>
  startRaw((s) => {
    s.once("data", () => s.resetAndDestroy());
  });

/** Accepts and answers garbage, then closes. */
export const garbage = () =>
  startRaw((s) => {
    s.once("data", () => s.end("SSH-2.0-OpenSSH_9.2 not http at all\r\n\r\n"));
  });

/** Echoes every line back prefixed with `echo: `; closes on the line `quit`. */
export const echo = () =>
  startRaw((s) => {
    s.write("welcome\r\n");
    let buf = "";
    s.on("data", (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, "");
        buf = buf.slice(i + 1);
        if (line === "quit") s.end("bye\r\n");
        else s.write(`echo: ${line}\r\n`);
      }
    });
  });

/** A port on which nothing listens (bound, then closed). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  const port = await new Promise<number>((resolve) => srv.listen(0, "127.0.0.1", () => resolve((srv.address() as AddressInfo).port)));
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
