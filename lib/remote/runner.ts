/**
 * `SshRunner`: one kept ssh2 connection per node (a pool keyed by node name, TCP no-delay on), commands
 * run as exec channels with a timeout and an `AbortSignal`. Abort or timeout sends the remote process
 * `SIGTERM` (where the server honours signal requests: OpenSSH refuses them in some set-ups, e.g. root
 * sessions, logging "session signalling requires privilege separation") and closes the channel; with
 * `killOnClose` the command is also wrapped so that closing the channel stops it on any server.
 */
import { setMaxListeners } from "node:events";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClientChannel } from "ssh2";
import { openConnection, type SshConnection } from "./connect";
import { RemoteError, errorMessage } from "./errors";
import { getNode, vrouterCommand, type Inventory } from "./inventory";
import { planConnection, type ConnectPlan } from "./plan";
import { killOnCloseCommand, shellCommand } from "./quote";
import { parseSshConfig, type SshConfig } from "./ssh-config";
import { deadline, raceAbort, withInterrupt } from "../cancel";

/** A command: an argv (each element quoted for the remote shell), or a shell script the caller wrote. */
export type RemoteCommand = readonly string[] | { script: string };

/** Options of one remote command. */
export interface RunOptions {
  /**
   * The whole wait: connecting (TCP and SSH handshake), a free channel and the command. Default: the
   * inventory's `commandTimeoutMs`, else 30000. 0 means no timeout (then pass a signal).
   */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each stdout chunk as it arrives. */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Keep stdout/stderr in the result. Default true (set false for long streams). */
  collect?: boolean;
  /** Reject with stage `exec` when the exit code is not 0. Default false. */
  check?: boolean;
  /**
   * Also stop the remote command when the channel closes (abort, timeout), for servers that refuse
   * signal requests: see `killOnCloseCommand`. The command then gets no stdin. Default false.
   */
  killOnClose?: boolean;
}

/** What a remote command did. */
export interface CommandResult {
  node: string;
  /** The command line as sent. */
  command: string;
  stdout: string;
  stderr: string;
  /** `null` when the process died of a signal (see `signal`) or reported no status. */
  exitCode: number | null;
  signal: string | null;
  /** Epoch ms when the exec was sent. */
  startedAt: number;
  durationMs: number;
}

/** Runs commands on inventory nodes (the SSH runner, or a test double). */
export interface CommandRunner {
  run(node: string, command: RemoteCommand, opts?: RunOptions): Promise<CommandResult>;
}

/** Options of {@link SshRunner}. */
export interface SshRunnerOptions {
  /** Default `process.env` (SSH_AUTH_SOCK, passphrase variables, HOME, USER). */
  env?: NodeJS.ProcessEnv;
  /** Default `env.HOME`. */
  home?: string;
  /** A parsed SSH config to use instead of the inventory's `sshConfig` / `~/.ssh/config`. */
  sshConfig?: SshConfig;
  /** TCP no-delay. Default true. */
  noDelay?: boolean;
  keepaliveIntervalMs?: number;
  /** Concurrent exec channels per node (OpenSSH's MaxSessions defaults to 10). Default 8. */
  maxChannelsPerNode?: number;
}

/**
 * The command line a {@link RemoteCommand} becomes.
 *
 * @example
 * commandLine(["flow", "--match", "a b"]) // "flow --match 'a b'"
 * commandLine({ script: "flow -l | head" }) // "flow -l | head"
 */
export function commandLine(command: RemoteCommand): string {
  return "script" in command ? command.script : shellCommand(command as readonly string[]);
}

/**
 * Runs commands over SSH on the nodes of an inventory, one kept connection per node.
 *
 * @example
 * const runner = new SshRunner(loadInventory("inventory.json"));
 * const r = await runner.runVrouter("cent222", ["flow", "-l"], { timeoutMs: 5000 });
 * console.log(r.exitCode, r.stdout.length);
 * runner.close();
 */
export class SshRunner implements CommandRunner {
  readonly inventory: Inventory;
  private readonly env: NodeJS.ProcessEnv;
  private readonly home: string;
  private readonly sshConfig: SshConfig | undefined;
  private readonly opts: SshRunnerOptions;
  private readonly pool = new Map<string, Promise<SshConnection>>();
  private readonly live = new Map<string, SshConnection>();
  private readonly slots = new Map<string, { busy: number; waiters: (() => void)[] }>();
  private readonly lifetime = new AbortController();

  constructor(inventory: Inventory, opts: SshRunnerOptions = {}) {
    this.inventory = inventory;
    this.opts = opts;
    this.env = opts.env ?? process.env;
    this.home = opts.home ?? this.env.HOME ?? "";
    this.sshConfig = opts.sshConfig ?? loadSshConfig(inventory, this.home);
    // Every connection attempt listens to the runner's lifetime signal, 32 nodes at once is normal.
    setMaxListeners(4 * inventory.nodes.length + 16, this.lifetime.signal);
  }

  /**
   * The connection plan of a node (SSH config, address map and jumps applied).
   *
   * @example
   * runner.plan("cent222").port // 2222
   */
  plan(node: string): ConnectPlan {
    const ctx = { env: this.env, home: this.home, ...(this.sshConfig ? { sshConfig: this.sshConfig } : {}) };
    return planConnection(this.inventory, node, ctx);
  }

  /**
   * The node's kept connection, opened on first use (concurrent callers share one attempt).
   *
   * @example
   * const conn = await runner.connection("cent222");
   */
  async connection(node: string, signal?: AbortSignal): Promise<SshConnection> {
    if (this.lifetime.signal.aborted) throw new RemoteError("abort", "runner is closed", { node });
    let pending = this.pool.get(node);
    if (!pending) {
      const plan = this.plan(node);
      const noDelay = this.opts.noDelay ?? true;
      const connectOpts = { signal: this.lifetime.signal, noDelay, ...(this.opts.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: this.opts.keepaliveIntervalMs } : {}) };
      const p: Promise<SshConnection> = openConnection(plan, connectOpts).then(
        (conn) => {
          this.live.set(node, conn);
          void conn.closed.then(() => {
            if (this.pool.get(node) === p) this.pool.delete(node);
            if (this.live.get(node) === conn) this.live.delete(node);
          });
          return conn;
        },
        (err: unknown) => {
          if (this.pool.get(node) === p) this.pool.delete(node);
          throw err;
        },
      );
      this.pool.set(node, p);
      pending = p;
    }
    return raceSignal(pending, signal, node);
  }

  /**
   * Runs a command on a node. A non-zero exit code is a result, not an error (unless `check`).
   *
   * @example
   * const r = await runner.run("cent222", ["cat", "/etc/hostname"]);
   */
  async run(node: string, command: RemoteCommand, options: RunOptions = {}): Promise<CommandResult> {
    // A Jupyter interrupt aborts the command like the caller's own signal.
    const opts: RunOptions = { ...options, signal: withInterrupt(options.signal) };
    const line = commandLine(command);
    const sent = opts.killOnClose ? killOnCloseCommand(line) : line;
    // The time limit covers everything the command waits for: TCP connect, SSH handshake, a free
    // channel slot and the command itself (the connection's own connectTimeoutMs may be longer).
    const timeoutMs = opts.timeoutMs ?? this.inventory.commandTimeoutMs ?? 30_000;
    const started = Date.now();
    const limit = timeoutMs > 0 ? deadline(timeoutMs, opts.signal) : undefined;
    const waitSignal = limit ? limit.signal : opts.signal;
    const overTime = (e: unknown, what: string): unknown =>
      limit?.signal.aborted && !opts.signal?.aborted ? new RemoteError("timeout", `${what} took over the command's ${timeoutMs} ms limit`, { node, command: line }) : withCommand(e, node, line);
    let conn: SshConnection;
    try {
      conn = await this.connection(node, waitSignal).catch((e: unknown) => {
        throw overTime(e, "connecting (TCP and SSH handshake)");
      });
      await this.acquire(node, waitSignal, line).catch((e: unknown) => {
        throw overTime(e, "waiting for a free channel");
      });
    } finally {
      limit?.clear(); // from here execOn's own timer keeps the rest of the limit
    }
    try {
      const left = timeoutMs > 0 ? Math.max(1, timeoutMs - (Date.now() - started)) : 0;
      const result = await execOn(conn, node, sent, { ...opts, timeoutMs: left }, line);
      if (opts.check && result.exitCode !== 0) {
        const tail = result.stderr.trim().split("\n").pop() ?? "";
        throw new RemoteError("exec", `exit ${result.exitCode ?? `signal ${result.signal}`}${tail ? `: ${tail}` : ""}`, { node, command: line, exitCode: result.exitCode });
      }
      return result;
    } catch (e) {
      // A channel that cannot open on a connection we think is open: the connection is dead.
      if (e instanceof RemoteError && e.stage === "exec" && !conn.open) this.forget(node, conn);
      throw e;
    } finally {
      this.release(node);
    }
  }

  /**
   * Runs a vRouter utility on a node, wrapped for the node's `vrouter.via` (direct, docker exec, contrail-tools).
   *
   * @example
   * const { stdout } = await runner.runVrouter("cent222", ["flow", "--match", "15.15.15.2:51000"]);
   */
  runVrouter(node: string, argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    return this.run(node, { script: vrouterCommand(getNode(this.inventory, node), argv) }, opts);
  }

  /**
   * Drops a node's connection abruptly (the next command reconnects).
   *
   * @example
   * runner.drop("cent222");
   */
  drop(node: string): void {
    const conn = this.live.get(node);
    this.pool.delete(node);
    this.live.delete(node);
    conn?.destroy();
  }

  /** Names of the nodes with an open connection. */
  connectedNodes(): string[] {
    return [...this.live.entries()].filter(([, c]) => c.open).map(([n]) => n);
  }

  /**
   * Closes every connection; later calls fail with stage `abort`.
   *
   * @example
   * runner.close();
   */
  close(): void {
    this.lifetime.abort();
    for (const conn of this.live.values()) conn.close();
    this.live.clear();
    this.pool.clear();
  }

  private forget(node: string, conn: SshConnection): void {
    if (this.live.get(node) === conn) this.drop(node);
  }

  private acquire(node: string, signal: AbortSignal | undefined, command: string): Promise<void> {
    const max = this.opts.maxChannelsPerNode ?? 8;
    let s = this.slots.get(node);
    if (!s) this.slots.set(node, (s = { busy: 0, waiters: [] }));
    const slot = s;
    if (slot.busy < max) {
      slot.busy++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = (): void => {
        signal?.removeEventListener("abort", onAbort);
        slot.busy++;
        resolve();
      };
      const onAbort = (): void => {
        slot.waiters = slot.waiters.filter((w) => w !== go);
        reject(new RemoteError("abort", "aborted while waiting for a free channel", { node, command }));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      slot.waiters.push(go);
    });
  }

  private release(node: string): void {
    const slot = this.slots.get(node);
    if (!slot) return;
    slot.busy--;
    slot.waiters.shift()?.();
  }
}

/**
 * Runs one command line as an exec channel on an open connection. `command` (default: `sent`) is the
 * command as the caller wrote it, shown in results and errors when `sent` wraps it.
 *
 * @example
 * const r = await execOn(conn, "cent222", "flow -l", { timeoutMs: 5000 });
 */
export function execOn(conn: SshConnection, node: string, sent: string, opts: RunOptions = {}, command = sent): Promise<CommandResult> {
  const { timeoutMs = 30_000, signal, onStdout, onStderr, collect = true } = opts;
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const t0 = performance.now();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let channel: ClientChannel | undefined;
    let done = false;
    const finish = (error: RemoteError | null): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (error) {
        if (channel) stopChannel(channel);
        reject(error);
        return;
      }
      resolve({
        node,
        command,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        exitCode,
        signal: exitSignal,
        startedAt,
        durationMs: performance.now() - t0,
      });
    };
    const onAbort = (): void => finish(new RemoteError("abort", "aborted", { node, command }));
    const timer = timeoutMs > 0 ? setTimeout(() => finish(new RemoteError("timeout", `no exit after ${timeoutMs} ms`, { node, command })), timeoutMs) : undefined;
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (!conn.open) return finish(new RemoteError("exec", "connection is closed", { node, command }));
    void conn.closed.then(() => {
      if (exitCode === null && exitSignal === null) finish(new RemoteError("exec", "connection closed while the command ran", { node, command }));
    });
    try {
      conn.client.exec(sent, (e, ch) => {
        if (e) return finish(new RemoteError("exec", `cannot open an exec channel: ${e.message}`, { node, command, cause: e }));
        if (done) return stopChannel(ch);
        channel = ch;
        ch.on("data", (d: Buffer) => {
          if (collect) out.push(d);
          onStdout?.(d);
        });
        ch.stderr.on("data", (d: Buffer) => {
          if (collect) err.push(d);
          onStderr?.(d);
        });
        ch.on("exit", (code: number | null, sig?: string) => {
          exitCode = typeof code === "number" ? code : null;
          exitSignal = sig ?? null;
        });
        ch.on("close", () => {
          if (!conn.open && exitCode === null && exitSignal === null) finish(new RemoteError("exec", "connection closed while the command ran", { node, command }));
          else finish(null);
        });
      });
    } catch (e) {
      finish(new RemoteError("exec", `cannot open an exec channel: ${errorMessage(e)}`, { node, command, cause: e }));
    }
  });
}

// Ask the remote process to stop (RFC 4254 "signal" request; OpenSSH >= 7.9 honours it), then close.
function stopChannel(ch: ClientChannel): void {
  try {
    ch.signal("TERM");
  } catch {
    // The channel may already be gone.
  }
  try {
    ch.close();
  } catch {
    // Same.
  }
}

function raceSignal<T>(p: Promise<T>, signal: AbortSignal | undefined, node: string): Promise<T> {
  if (signal?.aborted) return Promise.reject(new RemoteError("abort", "aborted", { node }));
  return raceAbort(p, signal, () => new RemoteError("abort", "aborted while connecting", { node }));
}

function withCommand(e: unknown, node: string, command: string): unknown {
  return e instanceof RemoteError && e.stage !== "inventory" ? e.withContext({ node, command }) : e;
}

function loadSshConfig(inv: Inventory, home: string): SshConfig | undefined {
  if (inv.sshConfig === false) return undefined;
  const file = inv.sshConfig !== undefined ? path.resolve(inv.baseDir ?? process.cwd(), inv.sshConfig.replace(/^~(?=\/|$)/, home)) : home ? path.join(home, ".ssh", "config") : "";
  if (!file) return undefined;
  try {
    return parseSshConfig(fs.readFileSync(file, "utf8"));
  } catch (e) {
    if (inv.sshConfig !== undefined) throw new RemoteError("inventory", `cannot read sshConfig ${file}: ${errorMessage(e)}`);
    return undefined;
  }
}
