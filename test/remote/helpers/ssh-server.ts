/**
 * A loopback ssh2 `Server` for tests and benches. It authenticates one generated ed25519 client key,
 * and runs each exec request through a real `sh -c` (spawned with the given PATH/env), streaming
 * stdout/stderr and the exit status back; or, with `handler`, answers in-process (to time the
 * transport alone). Only ever listens on 127.0.0.1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Server, utils, type ServerChannel } from "ssh2";
import { fingerprintKey } from "../../../lib/remote/known-hosts";

/** A key pair in OpenSSH format. */
export interface TestKeyPair {
  privateKey: string;
  publicKey: string;
}

/** Options of {@link startTestSshServer}. */
export interface TestSshServerOptions {
  /** The user to accept. Default "pw". */
  user?: string;
  /** The client key to accept. Default: one generated per process ({@link testClientKey}). */
  clientKey?: TestKeyPair;
  /** The host key. Default: one generated per server. */
  hostKey?: TestKeyPair;
  /** PATH of the spawned shells (prepended to the inherited PATH). */
  path?: string;
  /** Extra environment of the spawned shells. */
  env?: Record<string, string>;
  cwd?: string;
  /** Answer exec requests in-process instead of spawning `sh -c`. */
  handler?: (command: string, channel: ServerChannel) => void;
  /** TCP no-delay on the server side. Default true. */
  noDelay?: boolean;
  /** Listen on this port (0: any free port). Default 0. */
  port?: number;
}

/** A running test server. */
export interface TestSshServer {
  host: string;
  port: number;
  user: string;
  /** The client private key, also written to {@link clientKeyPath}. */
  clientKey: TestKeyPair;
  clientKeyPath: string;
  /** `ssh-ed25519 AAAA…` */
  hostKeyLine: string;
  /** `SHA256:…` */
  hostFingerprint: string;
  /** Forwarded (jump) connections opened through this server so far. */
  forwardCount(): number;
  /** Every exec command received, in order. */
  execs: string[];
  /** Every signal request received (`TERM`, `KILL`…). */
  signals: string[];
  /** TCP connections currently open. */
  openConnections(): number;
  /** Destroys every client connection (simulates a dropped SSH connection). */
  dropConnections(): void;
  /** Stops listening, drops connections, kills running shells, removes temp files. */
  close(): Promise<void>;
}

let sharedClientKey: TestKeyPair | undefined;

/**
 * The ed25519 client key shared by the test servers of this process.
 *
 * @example
 * const key = testClientKey();
 */
export function testClientKey(): TestKeyPair {
  sharedClientKey ??= generateKeyPair();
  return sharedClientKey;
}

/**
 * A fresh ed25519 key pair (OpenSSH format).
 *
 * @example
 * const { privateKey, publicKey } = generateKeyPair();
 */
export function generateKeyPair(passphrase?: string): TestKeyPair {
  // ssh2 1.17 drops a leading zero byte of the ed25519 public key (about 1 key in 200), writing a
  // 31-byte key nobody can parse: generate again until the public half is well formed.
  for (let attempt = 0; ; attempt++) {
    const kp = passphrase ? utils.generateKeyPairSync("ed25519", { passphrase, cipher: "aes256-ctr", rounds: 2 }) : utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(kp.public) instanceof Error) || attempt >= 50) return { privateKey: kp.private, publicKey: kp.public };
  }
}

/**
 * Starts a loopback SSH server.
 *
 * @example
 * const srv = await startTestSshServer({ path: binDir });
 * // inventory: { host: srv.host, port: srv.port, user: srv.user, identityFile: srv.clientKeyPath, hostKey: srv.hostFingerprint }
 * await srv.close();
 */
export async function startTestSshServer(opts: TestSshServerOptions = {}): Promise<TestSshServer> {
  const user = opts.user ?? "pw";
  const clientKey = opts.clientKey ?? testClientKey();
  const hostKey = opts.hostKey ?? generateKeyPair();
  const allowed = utils.parseKey(clientKey.publicKey);
  if (allowed instanceof Error) throw allowed;
  const allowedKey = Array.isArray(allowed) ? allowed[0] : allowed;
  const parsedHost = utils.parseKey(hostKey.publicKey);
  if (parsedHost instanceof Error) throw parsedHost;
  const hostBlob = (Array.isArray(parsedHost) ? parsedHost[0] : parsedHost).getPublicSSH();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-sshd-"));
  const clientKeyPath = path.join(dir, "id_ed25519");
  fs.writeFileSync(clientKeyPath, clientKey.privateKey, { mode: 0o600 });
  const execs: string[] = [];
  const signals: string[] = [];
  const sockets = new Set<net.Socket>();
  const children = new Set<ChildProcess>();
  const forwards = new Set<net.Socket>();
  let forwardTotal = 0;
  const env = { ...process.env, ...opts.env, PATH: opts.path ? `${opts.path}:${process.env.PATH ?? ""}` : (process.env.PATH ?? "") };

  const ssh = new Server({ hostKeys: [hostKey.privateKey] }, (client) => {
    client.on("error", () => undefined);
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey" || ctx.username !== user || ctx.key.algo !== allowedKey.type || !ctx.key.data.equals(allowedKey.getPublicSSH())) {
        return ctx.reject(["publickey"]);
      }
      if (ctx.signature && ctx.blob) {
        if (allowedKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) ctx.accept();
        else ctx.reject(["publickey"]);
      } else ctx.accept();
    });
    client.on("ready", () => {
      // Jump-host forwarding (direct-tcpip), to loopback destinations only.
      client.on("tcpip", (accept, reject, info) => {
        if (!/^127\./.test(info.destIP) && info.destIP !== "localhost") return reject();
        const out = net.connect(info.destPort, info.destIP);
        out.setNoDelay(true);
        out.once("error", () => reject());
        out.once("connect", () => {
          const ch = accept();
          forwards.add(out);
          forwardTotal++;
          out.on("close", () => forwards.delete(out));
          ch.pipe(out).pipe(ch);
          ch.on("error", () => out.destroy());
          ch.on("close", () => out.destroy());
        });
      });
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        let child: ChildProcess | undefined;
        session.on("signal", (accept, _reject, info) => {
          signals.push(info.name);
          accept?.();
          killGroup(child, `SIG${info.name}`);
        });
        session.on("exec", (accept, _reject, info) => {
          execs.push(info.command);
          const channel = accept();
          if (opts.handler) return opts.handler(info.command, channel);
          child = spawn("/bin/sh", ["-c", info.command], { env, cwd: opts.cwd ?? dir, detached: true, stdio: ["pipe", "pipe", "pipe"] });
          const c = child;
          children.add(c);
          c.stdout!.on("data", (d: Buffer) => channel.write(d));
          c.stderr!.on("data", (d: Buffer) => channel.stderr.write(d));
          channel.on("data", (d: Buffer) => c.stdin!.write(d));
          channel.on("end", () => c.stdin!.end());
          c.stdin!.on("error", () => undefined);
          c.on("error", (e) => {
            channel.stderr.write(`spawn: ${e.message}\n`);
          });
          c.on("close", (code, sig) => {
            children.delete(c);
            try {
              if (sig) channel.exit(sig.replace(/^SIG/, ""), false, "");
              else channel.exit(code ?? 0);
              channel.end();
            } catch {
              // The client is gone.
            }
          });
          // The client closed the channel (or the connection dropped): stop the shell and its children.
          channel.on("close", () => killGroup(c, "SIGTERM"));
        });
      });
    });
  });

  const tcp = net.createServer((sock) => {
    sock.setNoDelay(opts.noDelay ?? true);
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => undefined);
    ssh.injectSocket(sock);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (tcp.address() as net.AddressInfo).port;
  return {
    host: "127.0.0.1",
    port,
    user,
    clientKey,
    clientKeyPath,
    hostKeyLine: hostKey.publicKey.trim().split(/\s+/).slice(0, 2).join(" "),
    hostFingerprint: fingerprintKey(hostBlob),
    execs,
    signals,
    openConnections: () => sockets.size,
    forwardCount: () => forwardTotal,
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      for (const f of forwards) f.destroy();
      for (const c of children) killGroup(c, "SIGKILL");
      await new Promise<void>((r) => tcp.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function killGroup(child: ChildProcess | undefined, sig: NodeJS.Signals | string): void {
  if (!child?.pid || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, sig as NodeJS.Signals);
  } catch {
    // Already gone.
  }
}
