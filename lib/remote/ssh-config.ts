/**
 * A small `~/.ssh/config` reader: `Host` blocks with the keywords packetwalk needs (`HostName`, `Port`,
 * `User`, `IdentityFile`, `ProxyJump`, `HostKeyAlias`, `UserKnownHostsFile`). Like OpenSSH, the first
 * value obtained for a keyword wins, and blocks are read in file order. `Match` blocks and `Include`
 * are not followed (a warning says so); unknown keywords are ignored.
 */
import type { ParseWarning } from "../vrouter/types";

/** One `Host` block (options before the first `Host` line form an implicit `Host *` block). */
export interface SshConfigBlock {
  /** The patterns of the `Host` line (`*.lab`, `!bastion`, `cent?22`). */
  patterns: string[];
  /** Lower-cased keyword to its values, in order of appearance. */
  options: Map<string, string[]>;
  /** 1-based line of the `Host` keyword (0 for the implicit block). */
  line: number;
}

/** A parsed SSH client config. */
export interface SshConfig {
  blocks: SshConfigBlock[];
  warnings: ParseWarning[];
}

/** What the config says about one host alias (fields absent when the config says nothing). */
export interface SshHostConfig {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  /** `ProxyJump` value as written: `none`, or a comma list of `[user@]host[:port]`. */
  proxyJump?: string;
  hostKeyAlias?: string;
  userKnownHostsFiles: string[];
}

/**
 * Parses ssh_config text. Pure, never throws: odd lines become warnings.
 *
 * @example
 * const cfg = parseSshConfig("Host cent222\n  HostName 127.0.0.1\n  Port 2222\n");
 * resolveSshHost(cfg, "cent222").port // 2222
 */
export function parseSshConfig(text: string): SshConfig {
  const blocks: SshConfigBlock[] = [{ patterns: ["*"], options: new Map(), line: 0 }];
  const warnings: ParseWarning[] = [];
  let current = blocks[0]!;
  let skipping = false;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) {
      warnings.push({ line: i + 1, column: 1, message: "keyword without a value", text: line });
      return;
    }
    const keyword = m[1]!.toLowerCase();
    const args = splitArgs(m[2]!);
    if (keyword === "host") {
      current = { patterns: args, options: new Map(), line: i + 1 };
      blocks.push(current);
      skipping = false;
      return;
    }
    if (keyword === "match") {
      warnings.push({ line: i + 1, column: 1, message: "Match blocks are not supported; skipped", text: line });
      skipping = true;
      return;
    }
    if (skipping) return;
    if (keyword === "include") {
      warnings.push({ line: i + 1, column: 1, message: "Include is not followed", text: line });
      return;
    }
    const value = args.join(" ");
    const list = current.options.get(keyword);
    if (list) list.push(value);
    else current.options.set(keyword, [value]);
  });
  return { blocks, warnings };
}

/**
 * The settings that apply to `alias`, OpenSSH style: blocks in order, first value wins,
 * `IdentityFile` and `UserKnownHostsFile` accumulate. `%h`, `%p`, `%r`, `%n`, `%%` and a leading `~`
 * are expanded in `IdentityFile` (with `home`).
 *
 * @example
 * resolveSshHost(parseSshConfig("Host *.lab\n User root\n"), "cent222.lab").user // "root"
 */
export function resolveSshHost(config: SshConfig, alias: string, home = ""): SshHostConfig {
  const first = new Map<string, string>();
  const identityFiles: string[] = [];
  const knownHosts: string[] = [];
  for (const block of config.blocks) {
    if (!hostMatches(block.patterns, alias)) continue;
    for (const [key, values] of block.options) {
      if (key === "identityfile") identityFiles.push(...values);
      else if (key === "userknownhostsfile") knownHosts.push(...values.flatMap((v) => splitArgs(v)));
      else if (!first.has(key)) first.set(key, values[0]!);
    }
  }
  const hostName = first.get("hostname")?.replace(/%h/g, alias);
  const portText = first.get("port");
  const port = portText !== undefined && /^\d+$/.test(portText) ? Number(portText) : undefined;
  const user = first.get("user");
  const expand = (p: string): string =>
    expandTilde(
      p.replace(/%(.)/g, (all, c: string) =>
        c === "h" ? (hostName ?? alias) : c === "n" ? alias : c === "p" ? String(port ?? 22) : c === "r" ? (user ?? "") : c === "d" ? home : c === "%" ? "%" : all,
      ),
      home,
    );
  const out: SshHostConfig = { identityFiles: identityFiles.map(expand), userKnownHostsFiles: knownHosts.map(expand) };
  if (hostName !== undefined) out.hostName = hostName;
  if (port !== undefined) out.port = port;
  if (user !== undefined) out.user = user;
  const jump = first.get("proxyjump");
  if (jump !== undefined) out.proxyJump = jump;
  const alias2 = first.get("hostkeyalias");
  if (alias2 !== undefined) out.hostKeyAlias = alias2;
  return out;
}

/**
 * Parses one `ProxyJump` / jump target `[user@]host[:port]` (or `[v6addr]:port`).
 *
 * @example
 * parseJumpSpec("admin@bastion:2200") // { user: "admin", host: "bastion", port: 2200 }
 */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  let rest = spec.trim().replace(/^ssh:\/\//, "");
  let user: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  const v4 = /^([^:]+):(\d+)$/.exec(rest);
  if (v6) {
    host = v6[1]!;
    if (v6[2]) port = Number(v6[2]);
  } else if (v4) {
    host = v4[1]!;
    port = Number(v4[2]);
  }
  const out: { user?: string; host: string; port?: number } = { host };
  if (user) out.user = user;
  if (port !== undefined) out.port = port;
  return out;
}

/**
 * True when `host` matches an ssh_config pattern list (`*`, `?`, negation with `!`).
 *
 * @example
 * hostMatches(["*.lab", "!gw.lab"], "cent222.lab") // true
 */
export function hostMatches(patterns: readonly string[], host: string): boolean {
  let matched = false;
  for (const p of patterns.flatMap((x) => x.split(","))) {
    const negated = p.startsWith("!");
    const re = globToRegExp(negated ? p.slice(1) : p);
    if (re.test(host)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * An OpenSSH host pattern (`*`, `?`, everything else literal) as a case-insensitive, anchored RegExp.
 *
 * @example
 * globToRegExp("[127.0.0.1]:*").test("[127.0.0.1]:2222") // true
 */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2]!);
  return out;
}

function expandTilde(p: string, home: string): string {
  return home && (p === "~" || p.startsWith("~/")) ? home + p.slice(1) : p;
}
