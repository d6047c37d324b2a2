/**
 * The local control socket the lab's utility executables talk to. A tool sends one JSON line
 * (`{"node":"cent222","argv":["flow","-l"]}`) and receives framed output: 1 byte type (1 stdout,
 * 2 stderr, 3 exit code), 4 bytes big-endian length, payload. Rendering stays in the lab process; the
 * executable only prints what it receives, so pipes and shell loops on a lab node behave as on a real one.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import type { ToolResult, ToolStream } from "./commands";

/** Runs a tool for a node; supplied by the lab. */
export type ToolHandler = (node: string, argv: string[]) => ToolResult | ToolStream;

/**
 * Encodes one frame of the tool protocol.
 *
 * @example
 * frame(1, "hello\n"); // <01 00 00 00 06> "hello\n"
 */
export function frame(type: 1 | 2 | 3, payload: Buffer | string): Buffer {
  const p = typeof payload === "string" ? Buffer.from(payload) : payload;
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt32BE(p.length, 1);
  return Buffer.concat([h, p]);
}

function exitFrame(code: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(code, 0);
  return frame(3, b);
}

/** A running tool server. */
export interface ToolServer {
  path: string;
  close(): Promise<void>;
}

/**
 * Starts the tool server on a Unix domain socket.
 *
 * @example
 * const ts = await startToolServer("/tmp/pwlab-x/tools.sock", (node, argv) => runTool(state, node, "compute", argv));
 * await ts.close();
 */
export async function startToolServer(sockPath: string, handler: ToolHandler): Promise<ToolServer> {
  try {
    fs.unlinkSync(sockPath);
  } catch {
    /* not there */
  }
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => sock.destroy());
    let buf = "";
    let started = false;
    let stream: ToolStream | undefined;
    sock.on("close", () => stream?.stop());
    sock.on("data", (d) => {
      if (started) return; // tools send nothing after the request
      buf += d.toString("utf8");
      if (buf.length > 1 << 20) {
        sock.destroy();
        return;
      }
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      started = true;
      let req: { node?: unknown; argv?: unknown };
      try {
        req = JSON.parse(buf.slice(0, nl));
      } catch {
        sock.end(Buffer.concat([frame(2, "lab: bad tool request\n"), exitFrame(2)]));
        return;
      }
      if (typeof req.node !== "string" || !Array.isArray(req.argv) || !req.argv.every((a) => typeof a === "string")) {
        sock.end(Buffer.concat([frame(2, "lab: bad tool request\n"), exitFrame(2)]));
        return;
      }
      let r: ToolResult | ToolStream;
      try {
        r = handler(req.node, req.argv as string[]);
      } catch (e) {
        r = { stdout: "", stderr: `${String(req.argv[0])}: ${(e as Error).message}\n`, code: 1 };
      }
      if ("start" in r) {
        stream = r;
        r.start(
          (chunk) => {
            if (!sock.destroyed) sock.write(frame(1, chunk));
          },
          (text) => {
            if (!sock.destroyed) sock.write(frame(2, text));
          },
          (code) => {
            if (!sock.destroyed) sock.end(exitFrame(code));
          },
        );
      } else {
        const parts: Buffer[] = [];
        if (r.stdout) parts.push(frame(1, r.stdout));
        if (r.stderr) parts.push(frame(2, r.stderr));
        parts.push(exitFrame(r.code));
        sock.end(Buffer.concat(parts));
      }
    });
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(sockPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  fs.chmodSync(sockPath, 0o600);
  return {
    path: sockPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
