/**
 * Where a probe really dials: name resolution plus the lab's address map.
 *
 * In the lab, `101.101.101.1:80` is served by a loopback port; the inventory's `addressMap`
 * (`{"101.101.101.1:80": "127.0.0.1:41234"}`) says which. A probe keeps speaking of the mapped address
 * (`remote`) while it dials the loopback one (`dialed`). With a map, anything not in it is refused unless
 * it is loopback, so nothing leaves the machine by mistake; with no map, probes dial directly.
 */
import * as dns from "node:dns";
import * as net from "node:net";
import type { Endpoint, ProbeError } from "./types";
import { raceAbort } from "../cancel";

/** `"address:port"` (or bare `"address"`) → `"address:port"` to dial instead. */
export type AddressMap = Record<string, string>;

/** Resolves a host name to one address, like `dns.promises.lookup`. Injectable for tests. */
export type LookupFn = (host: string) => Promise<{ address: string; family: number }>;

/** The outcome of {@link resolveDial}. */
export interface DialPlan {
  /** What the probe speaks of (the URL's host, resolved). */
  remote: Endpoint;
  /** What the socket connects to. */
  dialed: Endpoint;
  /** True when the address map supplied `dialed`. */
  mapped: boolean;
  /** The host name when `remote.address` came from DNS. */
  hostName?: string;
}

/**
 * Parses `"127.0.0.1:80"`, `"[::1]:80"` or `"host:80"`; null when there is no valid port.
 *
 * @example
 * parseEndpoint("127.0.0.1:41234"); // { address: "127.0.0.1", port: 41234 }
 */
export function parseEndpoint(text: string): Endpoint | null {
  const s = text.trim();
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(s) ?? /^([^:\s]+):(\d{1,5})$/.exec(s);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 0 || port > 65535) return null;
  return { address: m[1]!, port };
}

/**
 * True for 127.0.0.0/8, ::1, IPv4-mapped loopback and `localhost`.
 *
 * @example
 * isLoopback("127.0.0.1"); // true
 * isLoopback("101.101.101.1"); // false
 */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, "").toLowerCase();
  if (a === "localhost" || a === "::1" || a === "0:0:0:0:0:0:0:1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return net.isIPv4(v4) && v4.startsWith("127.");
}

function mapLookup(map: AddressMap, address: string, port: number): Endpoint | null {
  const keyed = map[`${address}:${port}`] ?? map[`[${address}]:${port}`];
  if (keyed !== undefined) return parseEndpoint(keyed);
  const bare = map[address];
  if (bare !== undefined) return parseEndpoint(bare) ?? { address: bare, port };
  return null;
}

/** Races a promise against an AbortSignal. */
function withSignal<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  return raceAbort(p, signal, abortError);
}

function abortError(): Error & { code: string } {
  return Object.assign(new Error("aborted"), { code: "ABORT_ERR" });
}

const defaultLookup: LookupFn = (host) => dns.promises.lookup(host);

/**
 * Decides what to dial for `host:port`: applies the address map, resolves names, and refuses
 * non-loopback addresses missing from a given map. Never throws; failures come back as a
 * {@link ProbeError} of kind `dns`, `not-mapped` or `aborted`.
 *
 * @example
 * await resolveDial("101.101.101.1", 80, { addressMap: { "101.101.101.1:80": "127.0.0.1:41234" } });
 * // { ok: true, plan: { remote: {address:"101.101.101.1",port:80}, dialed: {address:"127.0.0.1",port:41234}, mapped: true } }
 */
export async function resolveDial(
  host: string,
  port: number,
  opts: { addressMap?: AddressMap; lookup?: LookupFn; signal?: AbortSignal } = {},
): Promise<{ ok: true; plan: DialPlan } | { ok: false; error: ProbeError; remote?: Endpoint }> {
  const name = host.replace(/^\[|\]$/g, "");
  const map = opts.addressMap;
  const lookup = opts.lookup ?? defaultLookup;
  const direct = map ? mapLookup(map, name, port) : null;
  if (direct) return finishMapped({ address: name, port }, direct, undefined, lookup, opts.signal);

  let address = name;
  let hostName: string | undefined;
  if (map && net.isIP(name) === 0 && !isLoopback(name) && !/\.localhost$/i.test(name)) {
    // Not even a DNS query leaves the machine for a name the lab's map does not know.
    return {
      ok: false,
      error: { kind: "not-mapped", message: `${name}:${port} is not in the address map and is not loopback; refusing to resolve or dial it` },
    };
  }
  if (net.isIP(name) === 0) {
    hostName = name;
    try {
      address = (await withSignal(lookup(name), opts.signal)).address;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "ABORT_ERR") return { ok: false, error: { kind: "aborted", message: "aborted during name resolution" } };
      return {
        ok: false,
        error: { kind: "dns", message: `Could not resolve host: ${name} (${err.code ?? err.message})`, code: err.code },
      };
    }
  }
  const remote = { address, port };
  if (map) {
    const mapped = mapLookup(map, address, port);
    if (mapped) return finishMapped(remote, mapped, hostName, lookup, opts.signal);
    if (!isLoopback(address)) {
      return {
        ok: false,
        remote,
        error: {
          kind: "not-mapped",
          message: `${address}:${port} is not in the address map and is not loopback; refusing to dial it`,
        },
      };
    }
  }
  return { ok: true, plan: { remote, dialed: remote, mapped: false, ...(hostName ? { hostName } : {}) } };
}

async function finishMapped(
  remote: Endpoint,
  dialed: Endpoint,
  hostName: string | undefined,
  lookup: LookupFn,
  signal: AbortSignal | undefined,
): Promise<{ ok: true; plan: DialPlan } | { ok: false; error: ProbeError; remote?: Endpoint }> {
  let target = dialed;
  if (net.isIP(dialed.address) === 0) {
    try {
      target = { address: (await withSignal(lookup(dialed.address), signal)).address, port: dialed.port };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return {
        ok: false,
        remote,
        error: { kind: "dns", message: `Could not resolve mapped host: ${dialed.address} (${err.code ?? err.message})` },
      };
    }
  }
  return { ok: true, plan: { remote, dialed: target, mapped: true, ...(hostName ? { hostName } : {}) } };
}

/**
 * Classifies a Node socket error as a {@link ProbeError}.
 *
 * @example
 * socketError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })).kind; // "refused"
 */
export function socketError(e: unknown): ProbeError {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const message = err?.message ?? String(e);
  switch (code) {
    case "ECONNREFUSED":
      return { kind: "refused", message: `Connection refused (${message})`, code };
    case "ECONNRESET":
    case "EPIPE":
      return { kind: "reset", message: `Connection reset by peer (${message})`, code };
    case "ETIMEDOUT":
      return { kind: "connect-timeout", message, code };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { kind: "dns", message, code };
    case "ABORT_ERR":
      return { kind: "aborted", message: "aborted", code };
  }
  if (typeof code === "string" && /^ERR_SSL|^ERR_TLS|CERT|^DEPTH_ZERO|^SELF_SIGNED|^UNABLE_TO/.test(code)) {
    return { kind: "tls", message, code };
  }
  return code ? { kind: "other", message, code } : { kind: "other", message };
}
