/**
 * Opens one ssh2 connection from a {@link ConnectPlan}: TCP with no-delay (or a channel forwarded
 * through the jump host), host-key verification, key-file and agent authentication. Every failure is a
 * {@link RemoteError} naming its stage; every wait is bounded by the plan's timeout and the signal.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { Client, utils, type AnyAuthMethod, type ParsedKey } from "ssh2";
import type { Duplex } from "node:stream";
import { RemoteError, errorMessage } from "./errors";
import { knownHostsLine, parseKnownHosts, verifyHostKey, type KnownHosts } from "./known-hosts";
import type { ConnectPlan } from "./plan";

/** A live SSH connection (and the jump connection it rides on, if any). */
export interface SshConnection {
  client: Client;
  plan: ConnectPlan;
  /** Resolves once the connection (or its transport) has closed. */
  closed: Promise<void>;
  /** True until the connection closes. */
  readonly open: boolean;
  /** Closes the connection and its jump connection. */
  close(): void;
  /** Drops the transport abruptly (tests, and a stuck connection). */
  destroy(): void;
}

/** Options of {@link openConnection}. */
export interface ConnectOptions {
  signal?: AbortSignal;
  /** TCP no-delay on the socket. Default true (without it each exec round trip costs ~90 ms on loopback). */
  noDelay?: boolean;
  /** SSH keepalive interval; a connection is declared dead after 3 unanswered. Default 5000; 0 disables. */
  keepaliveIntervalMs?: number;
}

/**
 * Opens (and authenticates) an SSH connection following `plan`, through its jump hosts if any.
 *
 * @example
 * const conn = await openConnection(planConnection(inv, "cent222", { env: process.env }));
 * conn.client.exec("flow -l", (err, ch) => { ... });
 * conn.close();
 */
export async function openConnection(plan: ConnectPlan, opts: ConnectOptions = {}): Promise<SshConnection> {
  const { signal } = opts;
  if (signal?.aborted) throw new RemoteError("abort", "aborted before connecting", { node: plan.node });
  const auth = loadAuth(plan);
  let jump: SshConnection | undefined;
  let sock: Duplex;
  if (plan.jump) {
    jump = await openConnection(plan.jump, opts);
    try {
      sock = await forwardThrough(jump, plan, signal);
    } catch (e) {
      jump.close();
      throw e;
    }
  } else {
    sock = await tcpConnect(plan, opts.noDelay ?? true, signal);
  }
  try {
    const conn = await handshake(plan, sock, auth, opts, signal);
    if (jump) {
      const j = jump;
      void conn.closed.then(() => j.close());
      const close = conn.close;
      conn.close = () => {
        close();
        j.close();
      };
      const destroy = conn.destroy;
      conn.destroy = () => {
        destroy();
        j.destroy();
      };
    }
    return conn;
  } catch (e) {
    sock.destroy();
    jump?.close();
    throw e;
  }
}

function tcpConnect(plan: ConnectPlan, noDelay: boolean, signal?: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: plan.host, port: plan.port });
    sock.setNoDelay(noDelay);
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      sock.off("connect", onConnect);
      sock.off("error", onError);
    };
    const fail = (e: RemoteError): void => {
      cleanup();
      sock.destroy();
      reject(e);
    };
    const onConnect = (): void => {
      cleanup();
      resolve(sock);
    };
    const onError = (err: Error): void => fail(new RemoteError("connect", `tcp ${plan.host}:${plan.port}: ${err.message}`, { node: plan.node, cause: err }));
    const onAbort = (): void => fail(new RemoteError("abort", `aborted while connecting to ${plan.host}:${plan.port}`, { node: plan.node }));
    const timer = setTimeout(() => fail(new RemoteError("timeout", `tcp connect to ${plan.host}:${plan.port} took over ${plan.connectTimeoutMs} ms`, { node: plan.node })), plan.connectTimeoutMs);
    sock.once("connect", onConnect);
    sock.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function forwardThrough(jump: SshConnection, plan: ConnectPlan, signal?: AbortSignal): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: RemoteError | null, stream?: Duplex): void => {
      if (done) {
        stream?.destroy();
        return;
      }
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(stream!);
    };
    const onAbort = (): void => finish(new RemoteError("abort", `aborted while forwarding through ${jump.plan.node}`, { node: plan.node }));
    const timer = setTimeout(
      () => finish(new RemoteError("timeout", `jump host ${jump.plan.node} did not open a channel to ${plan.host}:${plan.port} within ${plan.connectTimeoutMs} ms`, { node: plan.node })),
      plan.connectTimeoutMs,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    jump.client.forwardOut("127.0.0.1", 0, plan.host, plan.port, (err, stream) => {
      if (err) finish(new RemoteError("connect", `jump host ${jump.plan.node} could not reach ${plan.host}:${plan.port}: ${err.message}`, { node: plan.node, cause: err }));
      else finish(null, stream);
    });
  });
}

interface AuthMaterial {
  methods: AnyAuthMethod[];
  describe: string[];
}

function loadAuth(plan: ConnectPlan): AuthMaterial {
  const methods: AnyAuthMethod[] = [];
  const describe: string[] = [];
  for (const file of plan.identityFiles) {
    let text: Buffer;
    try {
      text = fs.readFileSync(file);
    } catch (e) {
      throw new RemoteError("auth", `cannot read identity file ${file}: ${errorMessage(e)}`, { node: plan.node, cause: e });
    }
    const parsed = utils.parseKey(text, plan.passphrase);
    if (parsed instanceof Error) {
      const encrypted = /encrypted|passphrase/i.test(parsed.message);
      const hint = encrypted
        ? plan.passphraseEnv
          ? plan.passphrase === undefined
            ? `; the key is encrypted and environment variable ${plan.passphraseEnv} is not set`
            : `; wrong passphrase in ${plan.passphraseEnv}?`
          : "; the key is encrypted: name the variable holding its passphrase in ssh.passphraseEnv, or use ssh-agent"
        : "";
      throw new RemoteError("auth", `cannot use identity file ${file}: ${parsed.message}${hint}`, { node: plan.node, cause: parsed });
    }
    const key: ParsedKey = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
    methods.push({ type: "publickey", username: plan.user, key });
    describe.push(`key ${path.basename(file)}`);
  }
  if (plan.agent) {
    methods.push({ type: "agent", username: plan.user, agent: plan.agent });
    describe.push("ssh-agent");
  }
  if (methods.length === 0) {
    throw new RemoteError("auth", "no authentication method: set ssh.identityFile, or run ssh-agent (SSH_AUTH_SOCK)", { node: plan.node });
  }
  return { methods, describe };
}

function readKnownHosts(files: readonly string[]): KnownHosts[] {
  return files.flatMap((f) => {
    try {
      return [parseKnownHosts(fs.readFileSync(f, "utf8"))];
    } catch {
      return [];
    }
  });
}

// Host keys recorded by accept-new in this process (so a second connection need not re-read the file).
const acceptedThisProcess = new Map<string, string>();

function checkHostKey(plan: ConnectPlan, blob: Buffer): RemoteError | null {
  if (plan.policy === "insecure-accept-any") return null;
  const verdict = verifyHostKey(blob, { names: plan.hostKeyNames, knownHosts: readKnownHosts(plan.knownHostsFiles), pins: plan.pins });
  const where = plan.hostKeyNames[0] ?? `${plan.host}:${plan.port}`;
  switch (verdict.status) {
    case "known":
      return null;
    case "revoked":
      return new RemoteError("hostkey", `host key ${verdict.fingerprint} of ${where} is marked @revoked`, { node: plan.node, fingerprint: verdict.fingerprint });
    case "changed":
      return new RemoteError(
        "hostkey",
        `host key of ${where} changed: offered ${verdict.fingerprint}, expected ${verdict.expected.join(" or ")} (possible man-in-the-middle; if the node was reinstalled, update ${plan.pins.length ? "ssh.hostKey" : plan.knownHostsFiles[0]})`,
        { node: plan.node, fingerprint: verdict.fingerprint },
      );
    case "unknown": {
      if (plan.policy === "accept-new") {
        const line = knownHostsLine(where, blob);
        if (acceptedThisProcess.get(where) === line) return null;
        const file = plan.knownHostsFiles[0];
        if (file) {
          try {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.appendFileSync(file, `${line}\n`);
          } catch {
            // Could not record it: still accepted for this process, as accept-new asks.
          }
        }
        acceptedThisProcess.set(where, line);
        return null;
      }
      return new RemoteError(
        "hostkey",
        `unknown host key ${verdict.fingerprint} for ${where} (not in ${plan.knownHostsFiles.join(", ") || "known_hosts"}); pin it with "hostKey": "${verdict.fingerprint}" or set "hostKeyPolicy": "accept-new"`,
        { node: plan.node, fingerprint: verdict.fingerprint },
      );
    }
  }
}

function handshake(plan: ConnectPlan, sock: Duplex, auth: AuthMaterial, opts: ConnectOptions, signal?: AbortSignal): Promise<SshConnection> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKeyError: RemoteError | null = null;
    let settled = false;
    let isOpen = true;
    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => (resolveClosed = r));
    const onClosed = (): void => {
      isOpen = false;
      resolveClosed();
    };
    client.once("close", onClosed);
    sock.once("close", onClosed);
    const settle = (err: RemoteError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (err) {
        client.end();
        sock.destroy();
        reject(err);
        return;
      }
      resolve({
        client,
        plan,
        closed,
        get open() {
          return isOpen;
        },
        close: () => client.end(),
        destroy: () => {
          sock.destroy();
          client.destroy();
        },
      });
    };
    const onAbort = (): void => settle(new RemoteError("abort", "aborted during the SSH handshake", { node: plan.node }));
    const timer = setTimeout(() => settle(new RemoteError("timeout", `SSH handshake with ${plan.host}:${plan.port} took over ${plan.connectTimeoutMs} ms`, { node: plan.node })), plan.connectTimeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    client.on("ready", () => settle(null));
    client.on("error", (err: Error & { level?: string }) => {
      if (settled) return; // Later errors surface as channel failures / 'close'.
      if (hostKeyError) return settle(hostKeyError);
      if (err.level === "client-authentication") {
        return settle(new RemoteError("auth", `${plan.user}@${plan.host}:${plan.port} refused every method tried (${auth.describe.join(", ")})`, { node: plan.node, cause: err }));
      }
      if (err.level === "client-timeout") return settle(new RemoteError("timeout", `SSH handshake: ${err.message}`, { node: plan.node, cause: err }));
      if (err.level === "agent") return settle(new RemoteError("auth", `ssh-agent: ${err.message}`, { node: plan.node, cause: err }));
      settle(new RemoteError("connect", `SSH handshake with ${plan.host}:${plan.port}: ${err.message}`, { node: plan.node, cause: err }));
    });
    client.once("close", () => settle(hostKeyError ?? new RemoteError("connect", `connection to ${plan.host}:${plan.port} closed during the SSH handshake`, { node: plan.node })));
    client.connect({
      sock: sock as unknown as NodeJS.ReadableStream & net.Socket,
      username: plan.user,
      authHandler: auth.methods,
      readyTimeout: plan.connectTimeoutMs,
      keepaliveInterval: opts.keepaliveIntervalMs ?? 5000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer): boolean => {
        hostKeyError = checkHostKey(plan, key);
        return hostKeyError === null;
      },
    });
  });
}
