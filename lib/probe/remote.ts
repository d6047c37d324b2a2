/**
 * Remote probes: real `curl -v` (once, or in the book's shell loop) on a remote host through an SSH
 * runner, parsed into the same {@link HttpProbeResult} as local probes.
 *
 * The SSH runner lives elsewhere; this module needs only {@link RemoteExec}. {@link localExec} runs the
 * same command lines locally through `sh -c` (for the lab, and to prove the round trip in tests).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { isLoopback, parseEndpoint, type AddressMap } from "./address";
import { CURL_W_MARKER_PREFIX, curlWriteOut, parseCurlVerbose } from "./curl-parse";
import { emptyHttpResult, type HttpProbeResult } from "./http";
import { quoteShellArg, shellCommand } from "../remote/quote";
import { formatEndpoint, type ProbeError } from "./types";
import { withInterrupt } from "../cancel";

/** What the probes need from an SSH runner: run one shell command line, collect its output. */
export interface RemoteExec {
  /**
   * Runs `cmd` with the remote user's shell (`sh -c` semantics). Resolves with what was collected
   * when the command ends, times out or `signal` aborts (then `code` is null); rejects only when the
   * runner itself cannot run anything.
   */
  exec(cmd: string, opts: { signal?: AbortSignal; timeoutMs?: number }): Promise<{ stdout: string; stderr: string; code: number | null }>;
}

/**
 * The part of `lib/remote`'s `CommandRunner` that {@link remoteExecOn} uses (structural: the SSH runner
 * fits it without this module importing it).
 */
export interface CommandRunnerLike {
  run(
    node: string,
    command: { script: string },
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<{ stdout: string; stderr: string; exitCode: number | null }>;
}

/**
 * Adapts an inventory command runner (the SSH runner) to {@link RemoteExec} for one node.
 *
 * @example
 * const exec = remoteExecOn(sshRunner, "internet-host");
 * const r = await probeHttpRemote(exec, { url: "http://101.101.101.1/", host: "www.juniper.net" });
 */
export function remoteExecOn(runner: CommandRunnerLike, node: string): RemoteExec {
  return {
    async exec(cmd, opts) {
      const r = await runner.run(node, { script: cmd }, { timeoutMs: opts.timeoutMs, signal: opts.signal });
      return { stdout: r.stdout, stderr: r.stderr, code: r.exitCode };
    },
  };
}

/** Options of {@link buildCurlCommand} / {@link probeHttpRemote}. */
export interface RemoteCurlOptions {
  url: string;
  method?: string;
  /** Host header override. */
  host?: string;
  headers?: Record<string, string> | ReadonlyArray<readonly [string, string]>;
  body?: string;
  /** `--connect-timeout`, default 10 000 ms. */
  connectTimeoutMs?: number;
  /** `--max-time`, default 30 000 ms. */
  timeoutMs?: number;
  /** Turned into `--connect-to`; with a map, unmapped non-loopback targets are refused. */
  addressMap?: AddressMap;
  /** `-k`. */
  insecure?: boolean;
  /** The curl binary, default `curl`. */
  curl?: string;
  /** Send the body to /dev/null (`-o /dev/null`); sizes and timings still come back. */
  discardBody?: boolean;
  maxBodyBytes?: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A fresh marker for the `-w` block, unlikely to occur in a body.
 *
 * @example
 * newCurlMarker(); // "__packetwalk_w_3f9a0c12be44__"
 */
export function newCurlMarker(): string {
  return `${CURL_W_MARKER_PREFIX}${randomBytes(6).toString("hex")}__`;
}

/**
 * Builds the curl command line (POSIX-shell quoted) for a request, with packetwalk's `-w` block after
 * `marker`. Returns a `usage` or `not-mapped` error instead of a command when the options are unsafe.
 *
 * @example
 * buildCurlCommand({ url: "http://101.101.101.1/", host: "www.juniper.net" }, "__packetwalk_w_1__");
 * // { ok: true, command: "curl -v -sS --connect-timeout 10 --max-time 30 -H 'Host: www.juniper.net' -w '…' --url http://101.101.101.1/", mapped: false }
 */
export function buildCurlCommand(
  opts: RemoteCurlOptions,
  marker: string,
): { ok: true; command: string; mapped: boolean } | { ok: false; error: ProbeError } {
  const bad = (message: string, kind: ProbeError["kind"] = "usage") => ({ ok: false as const, error: { kind, message } });
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    return bad(`bad URL: ${opts.url}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return bad(`unsupported scheme ${url.protocol}`);
  const all = [opts.url, opts.host ?? "", opts.body ?? "", opts.curl ?? ""];
  const headerList: Array<[string, string]> = Array.isArray(opts.headers)
    ? (opts.headers as ReadonlyArray<readonly [string, string]>).map(([k, v]) => [k, v] as [string, string])
    : Object.entries(opts.headers ?? {});
  if (opts.host !== undefined) headerList.unshift(["Host", opts.host]);
  for (const [k, v] of headerList) {
    if (!TOKEN.test(k)) return bad(`invalid header name: ${JSON.stringify(k)}`);
    if (/[\r\n]/.test(v)) return bad(`header ${k} contains a line break`);
    all.push(k, v);
  }
  if (all.some((s) => s.includes("\0"))) return bad("NUL in an argument");
  const method = opts.method?.toUpperCase();
  if (method !== undefined && !TOKEN.test(method)) return bad(`invalid HTTP method: ${JSON.stringify(method)}`);

  const words: string[] = [opts.curl ?? "curl", "-v", "-sS"];
  words.push("--connect-timeout", seconds(opts.connectTimeoutMs ?? 10_000));
  words.push("--max-time", seconds(opts.timeoutMs ?? 30_000));
  if (method && method !== "GET") words.push("-X", method);
  for (const [k, v] of headerList) words.push("-H", v === "" ? `${k};` : `${k}: ${v}`);
  if (opts.body !== undefined) words.push("--data-binary", "@-");
  if (opts.insecure) words.push("-k");
  if (opts.discardBody) words.push("-o", "/dev/null");

  let mapped = false;
  if (opts.addressMap) {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    const to = opts.addressMap[`${host}:${port}`] ?? opts.addressMap[`[${host}]:${port}`] ?? opts.addressMap[host];
    const target = to === undefined ? null : parseEndpoint(to) ?? { address: to, port };
    if (target) {
      mapped = true;
      const h = host.includes(":") ? `[${host}]` : host;
      const th = target.address.includes(":") ? `[${target.address}]` : target.address;
      words.push("--connect-to", `${h}:${port}:${th}:${target.port}`);
    } else if (!isLoopback(host)) {
      return bad(`${formatEndpoint({ address: host, port })} is not in the address map and is not loopback; refusing to dial it`, "not-mapped");
    }
  }
  // The -w format holds `%{…}` and `\n` (which curl expands): quoted as one word like the rest.
  words.push("-w", curlWriteOut(marker), "--url", opts.url);
  let command = shellCommand(words);
  if (opts.body !== undefined) command = `printf '%s' ${quoteShellArg(opts.body)} | ${command}`;
  return { ok: true, command, mapped };
}

function seconds(ms: number): string {
  return String(Math.max(0.001, ms / 1000));
}

const T0 = `printf '__pw_t0=%s\\n' "$(date +%s%N)" >&2`;

/**
 * Runs real curl on a remote host (through `exec`) and parses its `-v` output and `-w` block into an
 * {@link HttpProbeResult} (`via: "curl"`). Never throws: runner failures become `error`.
 *
 * @example
 * const r = await probeHttpRemote(ssh.runner("client"), { url: "http://101.101.101.1/", host: "www.juniper.net" });
 * r.status; r.local?.port; renderTranscript(r.transcript);
 */
export async function probeHttpRemote(exec: RemoteExec, options: RemoteCurlOptions & { signal?: AbortSignal }): Promise<HttpProbeResult> {
  const opts = { ...options, signal: withInterrupt(options.signal) };
  const marker = newCurlMarker();
  const startedAt = Date.now();
  const built = buildCurlCommand(opts, marker);
  if (!built.ok) return failed(opts, startedAt, built.error);
  const command = `${T0}; ${built.command}`;
  let out: { stdout: string; stderr: string; code: number | null };
  try {
    out = await exec.exec(command, { signal: opts.signal, timeoutMs: (opts.timeoutMs ?? 30_000) + 5_000 });
  } catch (e) {
    return failed(opts, startedAt, { kind: "other", message: `remote exec failed: ${(e as Error).message}` });
  }
  if (out.code === 127) return failed(opts, startedAt, { kind: "other", message: `curl not found on the remote host: ${out.stderr.trim()}` });
  const r = parseCurlVerbose(out.stderr, out.stdout, {
    url: opts.url,
    method: opts.method,
    marker,
    exitCode: out.code,
    mapped: built.mapped,
    maxBodyBytes: opts.maxBodyBytes,
  });
  if (!r.startedAt) {
    r.startedAt = startedAt;
    r.endedAt = startedAt + r.timings.total;
  }
  if (out.code === null && (!r.error || r.error.kind === "other")) {
    r.error = opts.signal?.aborted ? { kind: "aborted", message: "aborted" } : { kind: "timeout", message: "remote command timed out" };
    r.ok = false;
  }
  return r;
}

function failed(opts: RemoteCurlOptions, startedAt: number, error: ProbeError): HttpProbeResult {
  const r = emptyHttpResult({ url: opts.url, method: (opts.method ?? "GET").toUpperCase(), via: "curl", startedAt });
  const endedAt = Date.now();
  return { ...r, endedAt, timings: { ...r.timings, total: endedAt - startedAt }, transcript: [{ t: 0, dir: "*", text: error.message }], error };
}

/** Options of the remote shell loop. */
export interface RemoteCurlLoopOptions extends RemoteCurlOptions {
  /** Iterations, default 20. */
  times?: number;
  /** Pause between iterations, default 3000 ms (the book's `sleep 3`). */
  everyMs?: number;
  signal?: AbortSignal;
}

/**
 * Builds the book's client-side shell loop: `times` runs of curl, `everyMs` apart, each framed by
 * begin/end markers (with the start time and curl's exit status). The body goes to /dev/null.
 *
 * @example
 * buildCurlLoopCommand({ url: "http://101.101.101.1/", times: 20, everyMs: 3000 }, "__packetwalk_w_1__", "__packetwalk_loop_1__");
 */
export function buildCurlLoopCommand(
  opts: RemoteCurlLoopOptions,
  marker: string,
  loopMarker: string,
): { ok: true; command: string; mapped: boolean } | { ok: false; error: ProbeError } {
  const built = buildCurlCommand({ ...opts, discardBody: true }, marker);
  if (!built.ok) return built;
  const n = Math.max(1, Math.floor(opts.times ?? 20));
  const pause = seconds(opts.everyMs ?? 3000);
  const q = quoteShellArg(loopMarker);
  const command =
    `i=0; while [ "$i" -lt ${n} ]; do i=$((i+1)); ` +
    `printf '\\n%s begin %s %s\\n' ${q} "$i" "$(date +%s%N)"; ` +
    `${built.command} 2>&1; ` +
    `printf '\\n%s end %s %s\\n' ${q} "$i" "$?"; ` +
    `if [ "$i" -lt ${n} ]; then sleep ${pause}; fi; done`;
  return { ok: true, command, mapped: built.mapped };
}

/**
 * Splits the output of {@link buildCurlLoopCommand}'s loop into one parsed result per iteration
 * (pure; an iteration cut off by an abort comes back with an `aborted` error).
 *
 * @example
 * parseCurlLoop(stdout, { url, marker, loopMarker }).map(r => [r.local?.port, r.status]);
 */
export function parseCurlLoop(
  stdout: string,
  opts: { url: string; marker: string; loopMarker: string; mapped?: boolean; method?: string },
): HttpProbeResult[] {
  const results: HttpProbeResult[] = [];
  const re = new RegExp(`(?:^|\\n)${opts.loopMarker.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} (begin|end) (\\d+) (\\S*)\\n?`, "g");
  let open: { i: number; t0: number; from: number } | null = null;
  const flush = (to: number, code: number | null) => {
    if (!open) return;
    const chunk = stdout.slice(open.from, to);
    const r = parseCurlVerbose(chunk, "", {
      url: opts.url,
      marker: opts.marker,
      exitCode: code,
      mapped: opts.mapped,
      method: opts.method,
      ...(open.t0 ? { startedAt: open.t0 } : {}),
    });
    if (code === null) {
      r.error = { kind: "aborted", message: "loop stopped during this iteration" };
      r.ok = false;
    }
    results.push(r);
    open = null;
  };
  for (let m = re.exec(stdout); m; m = re.exec(stdout)) {
    if (m[1] === "begin") {
      flush(m.index, null);
      const ns = /^\d{10,}$/.test(m[3]!) ? Math.floor(Number(m[3]!.slice(0, -6))) : 0;
      open = { i: Number(m[2]), t0: ns, from: m.index + m[0].length };
    } else {
      flush(m.index, /^\d+$/.test(m[3]!) ? Number(m[3]) : null);
    }
  }
  flush(stdout.length, null);
  return results;
}

/**
 * Runs the book's shell loop (curl every `everyMs`, `times` times) on a remote host in ONE command and
 * returns a result per iteration. For probes interleaved with flow snapshots from the notebook, use
 * `probeWhileSnapshotting` with {@link probeHttpRemote} as the probe instead.
 *
 * @example
 * const rows = await probeHttpRemoteLoop(exec, { url: "http://101.101.101.1/", times: 20, everyMs: 3000 });
 */
export async function probeHttpRemoteLoop(exec: RemoteExec, options: RemoteCurlLoopOptions): Promise<HttpProbeResult[]> {
  const opts = { ...options, signal: withInterrupt(options.signal) };
  const marker = newCurlMarker();
  const loopMarker = `__packetwalk_loop_${randomBytes(6).toString("hex")}__`;
  const built = buildCurlLoopCommand(opts, marker, loopMarker);
  const startedAt = Date.now();
  if (!built.ok) return [failed(opts, startedAt, built.error)];
  const n = Math.max(1, Math.floor(opts.times ?? 20));
  const budget = n * ((opts.timeoutMs ?? 30_000) + (opts.everyMs ?? 3000)) + 5_000;
  let out;
  try {
    out = await exec.exec(built.command, { signal: opts.signal, timeoutMs: budget });
  } catch (e) {
    return [failed(opts, startedAt, { kind: "other", message: `remote exec failed: ${(e as Error).message}` })];
  }
  return parseCurlLoop(out.stdout + out.stderr, { url: opts.url, marker, loopMarker, mapped: built.mapped, method: opts.method });
}

/**
 * A {@link RemoteExec} that runs commands on this machine with `sh -c` (its own process group, killed
 * on abort or timeout, keeping the output collected so far).
 *
 * @example
 * const r = await probeHttpRemote(localExec(), { url: "http://127.0.0.1:8080/" });
 */
export function localExec(): RemoteExec {
  return {
    exec(cmd, opts) {
      return new Promise((resolve, reject) => {
        let child;
        try {
          child = spawn("sh", ["-c", cmd], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
        } catch (e) {
          reject(e as Error);
          return;
        }
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (d: Buffer) => out.push(d));
        child.stderr.on("data", (d: Buffer) => err.push(d));
        let killed = false;
        const kill = () => {
          if (killed || child.pid === undefined) return;
          killed = true;
          try {
            process.kill(-child.pid, "SIGTERM");
          } catch {
            /* already gone */
          }
        };
        const timer = opts.timeoutMs !== undefined ? setTimeout(kill, opts.timeoutMs) : undefined;
        if (opts.signal?.aborted) kill();
        opts.signal?.addEventListener("abort", kill, { once: true });
        child.on("error", (e) => {
          if (timer) clearTimeout(timer);
          opts.signal?.removeEventListener("abort", kill);
          reject(e);
        });
        child.on("close", (code) => {
          if (timer) clearTimeout(timer);
          opts.signal?.removeEventListener("abort", kill);
          resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code: killed ? null : code });
        });
      });
    },
  };
}
