/**
 * `KubeRunner`: runs commands on inventory nodes whose `vrouter.via` is `kubectl`, through the
 * Kubernetes API's pod exec (WebSocket, with @kubernetes/client-node's `Exec`) into the vRouter agent
 * container of the node — the same contract as `SshRunner`: a timeout over the whole wait (finding the
 * pod and the command), an `AbortSignal`, a cap on collected output, the exit status as a result, and
 * errors (`RemoteError`) naming the node and what failed: the API unreachable (`connect`), the
 * credentials refused or RBAC forbidding (`auth`), no such pod or container (`connect`: the node cannot
 * be reached), the command unable to start (`exec`).
 *
 * The kubeconfig is the inventory's `kubernetes.kubeconfig` (relative to the inventory file), else the
 * client library's default (`$KUBECONFIG`, `~/.kube/config`, in-cluster); the context is
 * `kubernetes.context`, else the kubeconfig's current one.
 */
import { PassThrough, Writable } from "node:stream";
import type { KubeConfig, V1Pod } from "@kubernetes/client-node";
import { deadline, raceAbort, withInterrupt } from "../cancel";
import { KubeConfigError, kubeTargetOf, loadKubeConfig, type LoadedKubeConfig } from "../kube/client";
import { loadKubeClient } from "../kube/library";
import { RemoteError, errorMessage } from "./errors";
import { DEFAULT_AGENT_NAMESPACE, getNode, vrouterArgv, type Inventory, type InventoryNode } from "./inventory";
import { killOnCloseCommand } from "./quote";
import { commandLine, type CommandResult, type CommandRunner, type RemoteCommand, type RunOptions } from "./runner";

/** Options of {@link KubeRunner}. */
export interface KubeRunnerOptions {
  /** Default `process.env` (`KUBECONFIG`, `HOME` for `~`). */
  env?: NodeJS.ProcessEnv;
  /** A loaded kubeconfig (`loadKubeConfig`, or the library's `KubeConfig`) to use instead of the inventory's / the default one. */
  kubeConfig?: LoadedKubeConfig;
  /** Collected stdout + stderr above this many bytes stop the command with an `exec` error. Default 256 MiB. */
  maxOutputBytes?: number;
}

/** Where a node's commands run: the agent pod and container. */
export interface KubeExecTarget {
  namespace: string;
  pod: string;
  container: string;
  /** The pod's node (`spec.nodeName`). */
  nodeName: string;
}

// The client library and the kubeconfig have one home: lib/kube/client.ts.
const loadClient = loadKubeClient;

/** An HTTP status and the API's `Status` message from a client-library error, when it has them. */
function apiFailure(e: unknown): { code?: number; message: string } {
  const x = e as { code?: number; body?: unknown; message?: string };
  let message = "";
  if (typeof x.body === "string") {
    try {
      message = String((JSON.parse(x.body) as { message?: string }).message ?? "");
    } catch {
      message = x.body.slice(0, 300);
    }
  } else if (x.body && typeof x.body === "object") message = String((x.body as { message?: string }).message ?? "");
  return { ...(typeof x.code === "number" && x.code >= 100 ? { code: x.code } : {}), message: message || errorMessage(e).split("\n")[0]! };
}

/** The text of a WebSocket error (an `ErrorEvent` from the ws library, or an Error). */
function wsErrorText(e: unknown): string {
  const x = e as { message?: unknown; error?: { message?: unknown; code?: unknown } };
  const inner = x?.error;
  const parts = [typeof x?.message === "string" ? x.message : "", inner && typeof inner.code === "string" && !String(x.message).includes(inner.code) ? inner.code : ""].filter(Boolean);
  return parts.join(" ") || (e instanceof Error ? e.message : "connection failed");
}

/** The exit code in an exec `Status` (`NonZeroExitCode` / cause `ExitCode`), 0 for `Success`, `undefined` for other failures. */
function exitCodeOf(status: { status?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } }): number | undefined {
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  if (status.reason === "NonZeroExitCode" && cause && /^\d+$/.test(cause.message ?? "")) return Number(cause.message);
  return undefined;
}

/**
 * Runs commands in the vRouter agent container of nodes reached through the Kubernetes API.
 *
 * @example
 * const runner = new KubeRunner(loadInventory("cluster.yaml"));
 * const r = await runner.runVrouter("cent222", ["flow", "-l"], { timeoutMs: 5000 });
 * console.log(r.exitCode, r.stdout.length);
 * runner.close();
 */
export class KubeRunner implements CommandRunner {
  readonly inventory: Inventory;
  private readonly opts: KubeRunnerOptions;
  private config: Promise<KubeConfig> | undefined;
  private readonly targets = new Map<string, Promise<KubeExecTarget>>();
  private readonly sockets = new Set<{ close(): void; terminate?: () => void }>();
  private readonly lifetime = new AbortController();

  constructor(inventory: Inventory, opts: KubeRunnerOptions = {}) {
    this.inventory = inventory;
    this.opts = opts;
    loadClient().catch(() => undefined); // start loading now; errors surface on first use
  }

  /**
   * The kubeconfig in use (loaded on first use). Throws an `inventory` error for an unreadable file or
   * an unknown context.
   *
   * @example
   * (await runner.kubeConfig()).getCurrentContext(); // "packetwalk-lab"
   */
  kubeConfig(): Promise<LoadedKubeConfig> {
    return this.libraryConfig();
  }

  /** The same kubeconfig as the client library's own class (every loaded kubeconfig is one). */
  private libraryConfig(): Promise<KubeConfig> {
    this.config ??= this.loadConfig();
    return this.config;
  }

  private async loadConfig(): Promise<KubeConfig> {
    if (this.opts.kubeConfig) return this.opts.kubeConfig as KubeConfig;
    try {
      return (await loadKubeConfig(kubeTargetOf(this.inventory, this.opts.env ?? process.env))) as KubeConfig;
    } catch (e) {
      throw new RemoteError("inventory", e instanceof KubeConfigError ? `kubernetes: ${e.message}` : `cannot read the kubeconfig: ${errorMessage(e)}`);
    }
  }

  private server(kc: KubeConfig): string {
    return kc.getCurrentCluster()?.server ?? "(no server)";
  }

  /**
   * The agent pod and container a node's commands run in: the inventory's `vrouter.pod`, or the pod
   * matching `vrouter.selector` on the node (`spec.nodeName`), checked to exist, run, and hold the
   * container. Kept until {@link KubeRunner.drop}.
   *
   * @example
   * await runner.target("cent222"); // { namespace: "kube-system", pod: "contrail-agent-x7q2m", container: "contrail-vrouter-agent", nodeName: "cent222" }
   */
  target(node: string, signal?: AbortSignal): Promise<KubeExecTarget> {
    let t = this.targets.get(node);
    if (!t) {
      // One lookup shared by concurrent callers: it has its own budget (the inventory's connectTimeoutMs)
      // and is not cut short by one caller's signal; each caller waits only as long as its own allows.
      const budget = deadline(this.inventory.connectTimeoutMs ?? 10_000, this.lifetime.signal);
      const p = this.resolveTarget(node, budget.signal).finally(() => budget.clear());
      t = p;
      this.targets.set(node, p);
      p.catch(() => {
        if (this.targets.get(node) === p) this.targets.delete(node);
      });
    }
    return raceAbort(t, signal, () => new RemoteError("abort", "aborted while finding the agent pod", { node }));
  }

  private async resolveTarget(node: string, signal?: AbortSignal): Promise<KubeExecTarget> {
    const n: InventoryNode = getNode(this.inventory, node);
    const v = n.vrouter;
    if (v?.via !== "kubectl") throw new RemoteError("inventory", `${node} is not reached through kubectl (vrouter.via is ${v?.via ?? "direct"})`, { node });
    const k8s = await loadClient();
    const kc = await this.libraryConfig();
    const api = kc.makeApiClient(k8s.CoreV1Api);
    const namespace = v.namespace ?? DEFAULT_AGENT_NAMESPACE;
    const nodeName = v.nodeName ?? node;
    const where = `namespace ${namespace}`;
    const call = async <T>(what: string, p: Promise<T>): Promise<T> => {
      const stopped = (): RemoteError =>
        this.lifetime.signal.aborted
          ? new RemoteError("abort", `runner closed while ${what}`, { node })
          : new RemoteError("timeout", `${what} took over ${this.inventory.connectTimeoutMs ?? 10_000} ms (Kubernetes API ${this.server(kc)})`, { node });
      const aborted = new Promise<never>((_r, reject) => {
        if (signal?.aborted) reject(stopped());
        signal?.addEventListener("abort", () => reject(stopped()), { once: true });
      });
      aborted.catch(() => undefined);
      try {
        return await Promise.race([p, aborted]);
      } catch (e) {
        if (e instanceof RemoteError) throw e;
        throw this.apiError(e, node, what, kc);
      }
    };
    let pod: V1Pod;
    if (v.pod) {
      pod = await call(`reading pod ${namespace}/${v.pod}`, api.readNamespacedPod({ name: v.pod, namespace }));
    } else {
      const list = await call(
        `listing pods ${JSON.stringify(v.selector)} on node ${nodeName} in ${where}`,
        api.listNamespacedPod({ namespace, labelSelector: v.selector!, fieldSelector: `spec.nodeName=${nodeName}` }),
      );
      const running = list.items.filter((p) => p.status?.phase === "Running");
      const ready = running.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      const chosen = ready[0] ?? running[0] ?? list.items[0];
      if (!chosen) throw new RemoteError("connect", `no pod matches selector ${JSON.stringify(v.selector)} on node ${nodeName} in ${where} (Kubernetes API ${this.server(kc)})`, { node });
      pod = chosen;
    }
    const name = pod.metadata?.name ?? v.pod ?? "";
    if (pod.status?.phase && pod.status.phase !== "Running") throw new RemoteError("connect", `pod ${namespace}/${name} is ${pod.status.phase}, not Running`, { node });
    const containers = (pod.spec?.containers ?? []).map((c) => c.name);
    let container = v.container;
    if (container && !containers.includes(container)) {
      throw new RemoteError("connect", `container ${container} not found in pod ${namespace}/${name} (containers: ${containers.join(", ") || "none"})`, { node });
    }
    // As kubectl: the pod's default-container annotation, else its first container.
    container ??= pod.metadata?.annotations?.["kubectl.kubernetes.io/default-container"] ?? containers[0];
    if (!container) throw new RemoteError("connect", `pod ${namespace}/${name} has no container`, { node });
    return { namespace, pod: name, container, nodeName: pod.spec?.nodeName ?? nodeName };
  }

  private apiError(e: unknown, node: string, what: string, kc: KubeConfig): RemoteError {
    const f = apiFailure(e);
    const api = `Kubernetes API ${this.server(kc)}`;
    if (f.code === 401) return new RemoteError("auth", `${api} refused the credentials of context ${kc.getCurrentContext()} while ${what}: 401 Unauthorized (token expired, revoked or unknown)`, { node, cause: e });
    if (f.code === 403) return new RemoteError("auth", `${api} forbids ${what}: ${f.message}`, { node, cause: e });
    if (f.code === 404) return new RemoteError("connect", `${what}: not found (${f.message})`, { node, cause: e });
    if (f.code !== undefined) return new RemoteError("exec", `${api} answered ${f.code} while ${what}: ${f.message}`, { node, cause: e });
    return new RemoteError("connect", `${api} unreachable while ${what}: ${f.message}`, { node, cause: e });
  }

  /**
   * Runs a command in the node's agent container. An argv runs as it is (no shell), a script through
   * `sh -c`. A non-zero exit code is a result, not an error (unless `check`).
   *
   * @example
   * const r = await runner.run("cent222", ["rt", "--dump", "2"], { timeoutMs: 8000 });
   * const s = await runner.run("cent222", { script: "flow -l | head -5" });
   */
  async run(node: string, command: RemoteCommand, options: RunOptions = {}): Promise<CommandResult> {
    const opts: RunOptions = { ...options, signal: withInterrupt(options.signal) };
    const line = commandLine(command);
    // The library's load is not part of the command's time (only the caller's signal stops the wait).
    if (this.lifetime.signal.aborted) throw new RemoteError("abort", "runner is closed", { node, command: line });
    try {
      await raceAbort(loadClient(), opts.signal, () => new RemoteError("abort", "aborted", { node, command: line }));
    } catch (e) {
      throw e instanceof RemoteError ? e : new RemoteError("exec", `cannot load @kubernetes/client-node: ${errorMessage(e)}`, { node, command: line, cause: e });
    }
    const timeoutMs = opts.timeoutMs ?? this.inventory.commandTimeoutMs ?? 30_000;
    const limit = deadline(timeoutMs > 0 ? timeoutMs : Infinity, opts.signal, this.lifetime.signal);
    const startedAt = Date.now();
    const t0 = performance.now();
    const failure = (e: unknown, what: string): RemoteError => {
      if (limit.signal.aborted && !opts.signal?.aborted && !this.lifetime.signal.aborted) {
        return new RemoteError("timeout", `${what} took over the command's ${timeoutMs} ms limit`, { node, command: line });
      }
      if (limit.signal.aborted) return new RemoteError("abort", this.lifetime.signal.aborted ? "runner is closed" : "aborted", { node, command: line });
      return e instanceof RemoteError ? e.withContext({ node, command: line }) : new RemoteError("exec", errorMessage(e), { node, command: line, cause: e });
    };
    try {
      if (limit.signal.aborted) throw new RemoteError("abort", "aborted", { node, command: line });
      let target: KubeExecTarget;
      try {
        target = await this.target(node, limit.signal);
      } catch (e) {
        throw failure(e, "finding the agent pod");
      }
      const argv =
        opts.killOnClose ? ["sh", "-c", killOnCloseCommand(line)] : "script" in command ? ["sh", "-c", command.script] : [...(command as readonly string[])];
      const r = await this.exec(node, target, argv, line, opts, limit.signal).catch((e: unknown) => {
        throw failure(e, "the command");
      });
      const result: CommandResult = { node, command: line, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, signal: null, startedAt, durationMs: performance.now() - t0 };
      if (opts.check && result.exitCode !== 0) {
        const tail = result.stderr.trim().split("\n").pop() ?? "";
        throw new RemoteError("exec", `exit ${result.exitCode}${tail ? `: ${tail}` : ""}`, { node, command: line, exitCode: result.exitCode });
      }
      return result;
    } finally {
      limit.clear();
    }
  }

  /**
   * Runs a vRouter utility on a node (in the agent container: the argv as it is).
   *
   * @example
   * const { stdout } = await runner.runVrouter("cent222", ["nh", "--get", "61"]);
   */
  runVrouter(node: string, argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    return this.run(node, vrouterArgv(getNode(this.inventory, node), argv), opts);
  }

  private async exec(
    node: string, target: KubeExecTarget, argv: string[], line: string, opts: RunOptions, signal: AbortSignal,
  ): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    const k8s = await loadClient();
    const kc = await this.libraryConfig();
    const collect = opts.collect ?? true;
    const cap = this.opts.maxOutputBytes ?? 256 << 20;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    return new Promise((resolve, reject) => {
      let done = false;
      let statusSeen = false;
      let ws: { close(): void; terminate?: () => void; on?: (ev: string, fn: (...a: unknown[]) => void) => void } | undefined;
      const stopSocket = () => {
        if (!ws) return;
        this.sockets.delete(ws);
        try {
          if (ws.terminate) ws.terminate();
          else ws.close();
        } catch {
          /* gone */
        }
      };
      const finish = (e: unknown, value?: { stdout: string; stderr: string; exitCode: number }) => {
        if (done) return;
        done = true;
        signal.removeEventListener("abort", onAbort);
        stdin?.destroy();
        if (e) {
          stopSocket();
          reject(e);
        } else {
          if (ws) this.sockets.delete(ws);
          resolve(value!);
        }
      };
      const onAbort = () => finish(new RemoteError("abort", "aborted", { node, command: line }));
      const sink = (list: Buffer[], cb: ((d: Buffer) => void) | undefined) =>
        new Writable({
          write: (chunk: Buffer, _enc, next) => {
            if (!done) {
              if (collect) {
                bytes += chunk.length;
                if (bytes > cap) {
                  finish(new RemoteError("exec", `output over ${cap} bytes: stopped (pass collect: false and stream it with onStdout)`, { node, command: line }));
                  return next();
                }
                list.push(chunk);
              }
              try {
                cb?.(chunk);
              } catch {
                /* a callback must not break the stream */
              }
            }
            next();
          },
        });
      const stdout = sink(out, opts.onStdout);
      const stderr = sink(err, opts.onStderr);
      // killOnClose keeps stdin open: the wrapper stops the command when the stream (and so stdin) ends.
      const stdin = opts.killOnClose ? new PassThrough() : null;
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      const where = `${target.namespace}/${target.pod} container ${target.container}`;
      new k8s.Exec(kc)
        .exec(target.namespace, target.pod, target.container, argv, stdout, stderr, stdin, false, (status) => {
          statusSeen = true;
          const code = exitCodeOf(status as never);
          if (code !== undefined) {
            // The status comes after the output; let the output streams flush first.
            setImmediate(() => finish(null, { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), exitCode: code }));
          } else {
            finish(new RemoteError("exec", `the command could not run in ${where}: ${(status as { message?: string }).message ?? JSON.stringify(status)}`, { node, command: line }));
          }
        })
        .then(
          (socket) => {
            ws = socket as unknown as typeof ws;
            if (done) return stopSocket();
            this.sockets.add(ws!);
            ws!.on?.("close", () => {
              if (statusSeen) return;
              setImmediate(() => finish(new RemoteError("exec", `the exec stream of ${where} closed before the command's exit status`, { node, command: line })));
            });
          },
          (e: unknown) => {
            const text = wsErrorText(e);
            const m = /Unexpected server response: (\d+)/.exec(text);
            const code = m ? Number(m[1]) : undefined;
            const api = `Kubernetes API ${this.server(kc)}`;
            if (code === 401) finish(new RemoteError("auth", `${api} refused the credentials of context ${kc.getCurrentContext()}: 401 Unauthorized (token expired, revoked or unknown)`, { node, command: line }));
            else if (code === 403) finish(new RemoteError("auth", `${api} forbids exec into ${where} (403 Forbidden: the user may not create pods/exec in namespace ${target.namespace})`, { node, command: line }));
            else if (code === 404) {
              this.targets.delete(node); // the pod is gone: find it again next time
              finish(new RemoteError("connect", `pod ${target.namespace}/${target.pod} not found (404) when starting the exec`, { node, command: line }));
            } else if (code !== undefined) finish(new RemoteError("exec", `${api} refused the exec into ${where}: HTTP ${code}`, { node, command: line }));
            else finish(new RemoteError("connect", `${api} unreachable: ${text}`, { node, command: line, cause: e }));
          },
        );
    });
  }

  /**
   * Forgets a node's agent pod (the next command finds it again, e.g. after the pod was replaced).
   *
   * @example
   * runner.drop("cent222");
   */
  drop(node: string): void {
    this.targets.delete(node);
  }

  /**
   * Stops every running exec; later calls fail with stage `abort`.
   *
   * @example
   * runner.close();
   */
  close(): void {
    this.lifetime.abort();
    for (const s of this.sockets) {
      try {
        if (s.terminate) s.terminate();
        else s.close();
      } catch {
        /* gone */
      }
    }
    this.sockets.clear();
  }
}
