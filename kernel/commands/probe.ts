/**
 * `packetwalk probe`: the held TCP session and the curl-like HTTP probe from the command line.
 *
 *   packetwalk probe tcp HOST PORT [--send TEXT]... [--send-file F] [--hold SECONDS] [--json]
 *   packetwalk probe http URL [--host H] [-H 'Name: value']... [-X METHOD] [-d DATA] [-v]
 *                              [--repeat N --every S] [--json]
 *   both: [--inventory FILE] [--connect-timeout S] [--timeout S]
 */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import type { AddressMap } from "../../lib/probe/address";
import { probeHttp, summarizeHttp, type HttpProbeResult } from "../../lib/probe/http";
import { formatTcpResult, probeTcp } from "../../lib/probe/tcp";
import { renderTranscript } from "../../lib/probe/types";
import { CommandArgs, defineDispatcher, readCommandArgs, UsageError } from "./args";
import type { InvestigationWriter } from "../../lib/investigation/writer";
import { openCliRecording, RECORD_OPTION } from "./record";
import type { CommandIO } from "./types";

const USAGE = `usage:
  packetwalk probe tcp HOST PORT [--send TEXT]... [--send-file FILE] [--hold SECONDS] [--json]
      Opens a TCP connection (telnet-style), sends each --send TEXT (and each line of FILE) with CRLF,
      holds it for SECONDS (default 10; "inf" = until the peer closes or Ctrl-C), and prints what came
      back with timestamps and how the connection ended.
  packetwalk probe http URL [--host HOST] [-H 'Name: value']... [-X METHOD] [-d DATA] [-v]
                            [--repeat N] [--every SECONDS] [-k] [--json]
      curl-like request: one line per probe (status, local port, timings); -v adds the curl -v style
      transcript; --repeat N runs N probes --every SECONDS apart (default 3).
  common options:
      --inventory FILE        lab inventory JSON; its top-level "addressMap" maps lab addresses to
                              loopback ports, and unmapped non-loopback addresses are refused
      --connect-timeout S     TCP connect limit (default 10)
      --timeout S             http: total limit per probe (default 30)
      --json                  print results as JSON, one object per line
      --record DIR            record every probe (transcript, timings, client port) into the
                              investigation folder DIR (created, or added to when it holds one)
exit status: 0 all probes succeeded, 1 a probe failed, 2 usage error`;

function seconds(v: string | undefined, name: string, dflt: number, allowInf = false): number {
  if (v === undefined) return dflt;
  if (allowInf && /^inf(inity)?$/i.test(v)) return Infinity;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name}: not a number of seconds: ${v}`);
  return n * 1000;
}

async function loadAddressMap(file: string | undefined, io: CommandIO): Promise<AddressMap | undefined> {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), "utf8");
  } catch (e) {
    throw new UsageError(`--inventory: cannot read ${file}: ${(e as Error).message}`);
  }
  let inv: unknown;
  try {
    inv = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--inventory: ${file} is not JSON: ${(e as Error).message}`);
  }
  const map = (inv as { addressMap?: unknown } | null)?.addressMap;
  if (map === undefined) return {};
  if (typeof map !== "object" || map === null || Array.isArray(map) || !Object.values(map).every((v) => typeof v === "string")) {
    throw new UsageError(`--inventory: "addressMap" in ${file} must be an object of "addr:port": "127.0.0.1:port" strings`);
  }
  return map as AddressMap;
}

/** Opens `--record DIR` for a probe: the target is the inventory when it reads as one, else only its file name. */
async function probeRecording(dir: string | undefined, io: CommandIO, inventoryFile: string | undefined, parameters: Record<string, unknown>): Promise<InvestigationWriter | null | "error"> {
  if (dir === undefined) return null;
  let inventory;
  if (inventoryFile !== undefined) {
    try {
      const { loadInventory } = await import("../../lib/remote/inventory.js");
      inventory = loadInventory(path.resolve(io.cwd, inventoryFile));
    } catch {
      /* an address map only: the target is described by the file's name */
    }
  }
  return openCliRecording(dir, io, { command: "probe", ...(inventory ? { inventory } : {}), source: inventoryFile ?? "", parameters });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

const TCP_OPTIONS = {
  send: { type: "string", multiple: true },
  "send-file": { type: "string" },
  hold: { type: "string" },
  "connect-timeout": { type: "string" },
  inventory: { type: "string" },
  json: { type: "boolean" },
  ...RECORD_OPTION,
} as const;

async function runTcp({ values, positionals }: CommandArgs<typeof TCP_OPTIONS>, io: CommandIO): Promise<number> {
  if (positionals.length !== 2) throw new UsageError("probe tcp needs HOST and PORT");
  const [host, portText] = positionals as [string, string];
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`bad port: ${portText}`);
  const lines = [...(values.send ?? [])];
  if (values["send-file"] !== undefined) {
    try {
      const text = await readFile(path.resolve(io.cwd, values["send-file"]), "utf8");
      lines.push(...text.replace(/\r?\n$/, "").split(/\r?\n/));
    } catch (e) {
      throw new UsageError(`--send-file: ${(e as Error).message}`);
    }
  }
  const addressMap = await loadAddressMap(values.inventory, io);
  const record = await probeRecording(values.record, io, values.inventory, { kind: "tcp", host, port, send: lines });
  if (record === "error") return 2;
  const r = await probeTcp({
    host,
    port,
    send: lines,
    holdMs: seconds(values.hold, "--hold", 10_000, true),
    connectTimeoutMs: seconds(values["connect-timeout"], "--connect-timeout", 10_000),
    addressMap,
    signal: io.signal,
  });
  if (record) {
    record.append({ kind: "probe", purpose: "probe tcp", result: r });
    record.close();
  }
  if (values.json) io.stdout.write(JSON.stringify(r) + "\n");
  else io.stdout.write(formatTcpResult(r) + "\n");
  return r.ok ? 0 : 1;
}

function parseHeader(h: string): [string, string] {
  const i = h.indexOf(":");
  if (i <= 0) throw new UsageError(`-H: expected 'Name: value', got ${JSON.stringify(h)}`);
  return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
}

const HTTP_OPTIONS = {
  host: { type: "string" },
  header: { type: "string", short: "H", multiple: true },
  request: { type: "string", short: "X" },
  data: { type: "string", short: "d" },
  verbose: { type: "boolean", short: "v" },
  repeat: { type: "string" },
  every: { type: "string" },
  insecure: { type: "boolean", short: "k" },
  "connect-timeout": { type: "string" },
  timeout: { type: "string" },
  inventory: { type: "string" },
  json: { type: "boolean" },
  ...RECORD_OPTION,
} as const;

async function runHttp({ values, positionals }: CommandArgs<typeof HTTP_OPTIONS>, io: CommandIO): Promise<number> {
  if (positionals.length !== 1) throw new UsageError("probe http needs exactly one URL");
  const url = positionals[0]!;
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(u.protocol);
  } catch {
    throw new UsageError(`bad URL (http:// or https:// expected): ${url}`);
  }
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError(`--repeat: not a positive integer: ${values.repeat}`);
  const every = seconds(values.every, "--every", 3000);
  const headers = (values.header ?? []).map(parseHeader);
  const addressMap = await loadAddressMap(values.inventory, io);
  const connectTimeoutMs = seconds(values["connect-timeout"], "--connect-timeout", 10_000);
  const timeoutMs = seconds(values.timeout, "--timeout", 30_000);

  const record = await probeRecording(values.record, io, values.inventory, { kind: "http", url, repeat, ...(values.host ? { host: values.host } : {}) });
  if (record === "error") return 2;
  try {
    return await httpProbes(url, values, { repeat, every, headers, addressMap, connectTimeoutMs, timeoutMs, record }, io);
  } finally {
    if (record) record.close();
  }
}

async function httpProbes(
  url: string,
  values: CommandArgs<typeof HTTP_OPTIONS>["values"],
  o: { repeat: number; every: number; headers: [string, string][]; addressMap: AddressMap | undefined; connectTimeoutMs: number; timeoutMs: number; record: InvestigationWriter | null },
  io: CommandIO,
): Promise<number> {
  const { repeat, every, headers, addressMap, connectTimeoutMs, timeoutMs, record } = o;
  let failed = 0;
  const t0 = Date.now();
  const results: HttpProbeResult[] = [];
  for (let i = 0; i < repeat && !io.signal.aborted; i++) {
    if (i > 0) await sleep(t0 + i * every - Date.now(), io.signal);
    if (io.signal.aborted) break;
    const r = await probeHttp({
      url,
      host: values.host,
      headers,
      method: values.request ?? (values.data !== undefined ? "POST" : "GET"),
      body: values.data,
      insecure: values.insecure,
      connectTimeoutMs,
      timeoutMs,
      addressMap,
      signal: io.signal,
    });
    results.push(r);
    if (r.error?.kind === "usage") throw new UsageError(r.error.message);
    record?.append({ kind: "probe", purpose: "probe http", result: r });
    if (!r.ok) failed++;
    if (values.json) {
      io.stdout.write(JSON.stringify(r) + "\n");
      continue;
    }
    if (values.verbose) io.stdout.write(renderTranscript(r.transcript) + "\n");
    io.stdout.write((repeat > 1 ? `[${i + 1}/${repeat}] ` : "") + summarizeHttp(r) + "\n");
  }
  if (io.signal.aborted && results.length < repeat) {
    io.stderr.write(`interrupted after ${results.length} of ${repeat} probes\n`);
    return 1;
  }
  return failed ? 1 : 0;
}

/**
 * The `packetwalk probe` command.
 *
 * @example
 * await probe.run(["http", "http://101.101.101.1/", "--host", "www.juniper.net", "-v", "--inventory", "lab.json"], io);
 */
const probe = defineDispatcher({
  name: "probe",
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === "tcp") return runTcp(readCommandArgs(rest, { options: TCP_OPTIONS }), io);
    if (sub === "http") return runHttp(readCommandArgs(rest, { options: HTTP_OPTIONS }), io);
    // No kind: the usage alone.
    throw new UsageError(sub === undefined ? "" : `unknown probe kind: ${sub} (tcp or http)`);
  },
});

export default probe;
