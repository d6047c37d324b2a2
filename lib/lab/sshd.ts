/**
 * One SSH server per lab node (ssh2 `Server` on 127.0.0.1), accepting only the lab's client key
 * (publickey with signature verification). `exec` runs the command through a real `sh -c` whose PATH
 * starts with the node's lab utilities; `shell` runs `sh -i`. The server never crashes on client
 * input: every error is contained to its connection.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as net from "node:net";
import { Server, utils, type Connection, type ServerChannel } from "ssh2";
import { killProcessGroup, listenOnLoopback } from "./listen";

/** Options of one node's SSH server. */
export interface SshNodeServerOptions {
  /** Node name (banner and logs). */
  node: string;
  /** The node's host private key (OpenSSH text). */
  hostKey: string;
  /** The only accepted client public key (`ssh-ed25519 AAAA...`). */
  clientPublicKey: string;
  /** The user name accepted (any when undefined). */
  user?: string;
  /** Environment of every command (PATH with the lab bin dir first, PWLAB_*). */
  env: Record<string, string>;
  /** Working directory of commands. */
  cwd: string;
  /** Port to listen on (0: ephemeral). Always bound to 127.0.0.1. */
  port?: number;
  /** Called for diagnostics (never throws). */
  log?: (line: string) => void;
}

/** A running node SSH server. */
export interface SshNodeServer {
  node: string;
  host: "127.0.0.1";
  port: number;
  close(): Promise<void>;
}


function runInChannel(ch: ServerChannel, args: string[], opts: SshNodeServerOptions, extraEnv: Record<string, string>, children: Set<ChildProcess>): void {
  let child: ChildProcess;
  try {
    child = spawn("/bin/sh", args, { env: { ...opts.env, ...extraEnv }, cwd: opts.cwd, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  } catch (e) {
    ch.stderr.write(`sh: ${(e as Error).message}\n`);
    ch.exit(127);
    ch.end();
    return;
  }
  children.add(child);
  child.stdout!.pipe(ch, { end: false });
  child.stderr!.pipe(ch.stderr, { end: false });
  ch.on("data", (d: Buffer) => {
    if (child.stdin && !child.stdin.destroyed) child.stdin.write(d);
  });
  ch.on("end", () => child.stdin?.end());
  child.stdin!.on("error", () => undefined);
  ch.on("error", () => undefined);
  ch.on("close", () => {
    killProcessGroup(child, "SIGHUP");
    setTimeout(() => killProcessGroup(child, "SIGKILL"), 2000).unref();
  });
  child.on("error", (e) => {
    children.delete(child);
    try {
      ch.stderr.write(`sh: ${e.message}\n`);
      ch.exit(127);
      ch.end();
    } catch {
      /* closed */
    }
  });
  child.on("close", (code, signal) => {
    children.delete(child);
    try {
      if (signal) ch.exit(signal.replace(/^SIG/, ""), false, "");
      else ch.exit(code ?? 0);
      ch.end();
    } catch {
      /* channel already closed */
    }
  });
}

/**
 * Starts one node's SSH server on 127.0.0.1.
 *
 * @example
 * const s = await startSshNodeServer({ node: "cent222", hostKey, clientPublicKey, env: { PATH: bin + ":/usr/bin:/bin" }, cwd: "/tmp" });
 * // ssh -i id_ed25519 -p s.port root@127.0.0.1 flow -l
 * await s.close();
 */
export async function startSshNodeServer(opts: SshNodeServerOptions): Promise<SshNodeServer> {
  const allowed = utils.parseKey(opts.clientPublicKey);
  if (allowed instanceof Error) throw allowed;
  const allowedKey = Array.isArray(allowed) ? allowed[0] : allowed;
  const allowedBlob = allowedKey.getPublicSSH();
  const clients = new Set<Connection>();
  const children = new Set<ChildProcess>();
  const log = (l: string) => {
    try {
      opts.log?.(l);
    } catch {
      /* never */
    }
  };
  const server = new Server({ hostKeys: [opts.hostKey], ident: "OpenSSH_9.2p1 Debian-2+deb12u3" }, (client) => {
    clients.add(client);
    client.on("error", (e) => log(`${opts.node}: ssh client error: ${e.message}`));
    client.on("close", () => clients.delete(client));
    client.on("authentication", (ctx) => {
      try {
        if (opts.user !== undefined && ctx.username !== opts.user) return ctx.reject(["publickey"]);
        if (ctx.method !== "publickey") return ctx.reject(["publickey"]);
        const blob = ctx.key.data;
        if (ctx.key.algo !== allowedKey.type || blob.length !== allowedBlob.length || !crypto.timingSafeEqual(blob, allowedBlob)) {
          return ctx.reject(["publickey"]);
        }
        if (!ctx.signature || !ctx.blob) return ctx.accept(); // key query: "this key would be acceptable"
        if (allowedKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(["publickey"]);
        ctx.accept();
      } catch {
        try {
          ctx.reject(["publickey"]);
        } catch {
          /* closed */
        }
      }
    });
    client.on("ready", () => {
      client.on("session", (accept) => {
        const session = accept();
        const env: Record<string, string> = {};
        session.on("env", (accept2, _reject, info) => {
          if (/^(LANG|LC_[A-Z]+|TERM)$/.test(info.key)) env[info.key] = info.val;
          accept2?.();
        });
        session.on("pty", (accept2) => accept2?.());
        session.on("window-change", (accept2) => accept2?.());
        session.on("signal", (accept2) => accept2?.());
        session.on("exec", (accept2, _reject, info) => {
          const ch = accept2();
          if (!ch) return;
          runInChannel(ch, ["-c", info.command], opts, env, children);
        });
        session.on("shell", (accept2) => {
          const ch = accept2();
          if (!ch) return;
          runInChannel(ch, ["-i"], opts, { ...env, PS1: `[root@${opts.node} ~]# ` }, children);
        });
        session.on("subsystem", (_a, reject) => reject?.());
      });
      client.on("request", (_accept, reject) => reject?.());
      client.on("tcpip", (_accept, reject) => reject());
      client.on("openssh.streamlocal", (_accept, reject) => reject());
    });
  });
  server.on("error", (e: Error) => log(`${opts.node}: ssh server error: ${e.message}`));
  const port = await listenOnLoopback(server, opts.port ?? 0);
  return {
    node: opts.node,
    host: "127.0.0.1",
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ch of children) killProcessGroup(ch, "SIGKILL");
        for (const c of clients) c.end();
        server.close(() => resolve());
        setTimeout(resolve, 1000).unref();
      }),
  };
}
