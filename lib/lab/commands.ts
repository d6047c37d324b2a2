/**
 * The lab's utilities, in-process: argv in, the text the real tool prints out. The executables the
 * SSH server puts on PATH are thin clients of this (see `toolserver.ts`); tests call it directly.
 */
import type { LabState } from "./state";
import { parseFlowMatch, renderFlowGet, renderFlowList } from "./render/flow";
import { renderNhGet, renderNhList } from "./render/nh";
import { renderRtDump, renderRtGet } from "./render/rt";
import { renderMplsDump, renderMplsGet } from "./render/mpls";
import { renderVifGet, renderVifList } from "./render/vif";
import { holdsRoute, renderJunosRoute, renderJunosRouteBrief, renderJunosRouteJson } from "./render/junos";
import { renderIpRoute } from "./render/host";

/** A finished tool run. */
export interface ToolResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** A streaming tool run (`tcpdump`): writes until stopped or done. */
export interface ToolStream {
  start(out: (chunk: Buffer) => void, err: (text: string) => void, done: (code: number) => void): void;
  /** Stops the stream (the client went away). */
  stop(): void;
}

/** Supplies `tcpdump` streams for a node (the fabric capture module). */
export type TcpdumpProvider = (node: string, argv: string[]) => ToolResult | ToolStream;

/** The role of a lab node, which decides its utilities. */
export type NodeRole = "compute" | "gateway" | "internet-host";

/**
 * Names of the utilities a role provides (besides the shell's own).
 *
 * @example
 * toolsFor("gateway"); // ["cli"]
 */
export function toolsFor(role: NodeRole): string[] {
  if (role === "compute") return ["flow", "nh", "rt", "mpls", "vif", "tcpdump", "dropstats", "contrail-tools", "docker"];
  if (role === "gateway") return ["cli"];
  return ["ip", "tcpdump"];
}

const ok = (stdout: string): ToolResult => ({ stdout, stderr: "", code: 0 });
const fail = (stderr: string, code = 1): ToolResult => ({ stdout: "", stderr, code });

function int(s: string | undefined): number | undefined {
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined;
}

const FLOW_USAGE =
  "Usage:flow [--mirror=mirror table index]\n" +
  "           [-l]\n" +
  "           [--get flow index]\n" +
  "           [--match \"ip:port,ip:port & proto tcp & vrf 0\"]\n" +
  "           [-s] [-r]\n";

function flowCmd(s: LabState, node: string, a: string[]): ToolResult {
  const c = s.model.computes.get(node)!;
  let list = false;
  let match: string | undefined;
  let get: string | undefined;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x === "-l" || x === "--list") list = true;
    else if (x === "--match") match = a[++i];
    else if (x.startsWith("--match=")) match = x.slice(8);
    else if (x === "--get") get = a[++i];
    else if (x.startsWith("--get=")) get = x.slice(6);
    else if (x === "--show-evicted") list = true;
    else return fail(`flow: unrecognized option '${x}'\n` + FLOW_USAGE);
  }
  if (get !== undefined) {
    const idx = int(get);
    if (idx === undefined) return fail(`flow: invalid flow index ${get}\n` + FLOW_USAGE);
    const out = renderFlowGet(c, idx);
    return out === undefined ? fail(`Flow index ${idx} is not an active flow\n`) : ok(out);
  }
  if (match !== undefined) {
    const m = parseFlowMatch(match);
    if (typeof m === "string") return fail(`${m}\n` + FLOW_USAGE);
    return ok(renderFlowList(c.flows, m));
  }
  if (list) return ok(renderFlowList(c.flows));
  return fail(FLOW_USAGE);
}

const NH_USAGE = "Usage: nh --list\n       nh --get <nh_id>\n";

function nhCmd(s: LabState, node: string, a: string[]): ToolResult {
  const c = s.model.computes.get(node)!;
  if (a[0] === "--list" && a.length === 1) return ok(renderNhList(c));
  if (a[0] === "--get" && a.length === 2) {
    const id = int(a[1]);
    if (id === undefined) return fail(NH_USAGE);
    const out = renderNhGet(c, id);
    return out === undefined ? fail("nh: No such file or directory\n") : ok(out);
  }
  return fail(NH_USAGE);
}

const RT_USAGE =
  "Usage: rt --dump <vrf_id> [--family <inet|inet6|bridge>]\n" +
  "       rt --get <address/plen> --vrf <id> [--family <inet|inet6|bridge>]\n";

function rtCmd(s: LabState, node: string, a: string[]): ToolResult {
  const c = s.model.computes.get(node)!;
  let dump: string | undefined;
  let get: string | undefined;
  let vrf: string | undefined;
  let family = "inet";
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x === "--dump") dump = a[++i];
    else if (x === "--get") get = a[++i];
    else if (x === "--vrf") vrf = a[++i];
    else if (x === "--family") family = a[++i] ?? "";
    else return fail(RT_USAGE);
  }
  if (family !== "inet") return fail(`rt: family ${family} is not available in this lab\n`);
  if (dump !== undefined) {
    const v = int(dump);
    return v === undefined ? fail(RT_USAGE) : ok(renderRtDump(c, v));
  }
  if (get !== undefined) {
    const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?$/.exec(get);
    const v = int(vrf);
    if (!m || v === undefined) return fail(RT_USAGE);
    return ok(renderRtGet(c, v, m[1], m[2] === undefined ? 32 : Number(m[2])));
  }
  return fail(RT_USAGE);
}

function mplsCmd(s: LabState, node: string, a: string[]): ToolResult {
  const c = s.model.computes.get(node)!;
  const usage = "Usage: mpls --dump\n       mpls --get <label>\n";
  if (a[0] === "--dump" && a.length === 1) return ok(renderMplsDump(c));
  if (a[0] === "--get" && a.length === 2) {
    const l = int(a[1]);
    return l === undefined ? fail(usage) : ok(renderMplsGet(c, l));
  }
  return fail(usage);
}

function vifCmd(s: LabState, node: string, a: string[]): ToolResult {
  const c = s.model.computes.get(node)!;
  const usage = "Usage: vif [--list] [--get <intf_id>]\n";
  if ((a[0] === "--list" || a[0] === "-l") && a.length === 1) return ok(renderVifList(c));
  if (a[0] === "--get" && a.length >= 2) {
    const idx = int(a[1]);
    if (idx === undefined) return fail(usage);
    const out = renderVifGet(c, idx);
    return out === undefined ? fail("vif: No such device\n") : ok(out);
  }
  return fail(usage);
}

function dropstatsCmd(s: LabState, node: string): ToolResult {
  const c = s.model.computes.get(node)!;
  const drops = [...c.vifs.values()].reduce((n, v) => n + v.drops, 0);
  const rows: [string, number][] = [
    ["Invalid IF", 0], ["Trap No IF", 0], ["IF TX Discard", 0], ["IF Drop", 0], ["IF RX Discard", 0], ["", 0],
    ["Flow Unusable", 0], ["Flow No Memory", 0], ["Flow Table Full", 0], ["Flow NAT no rflow", 0],
    ["Flow Action Drop", 0], ["", 0],
    ["Invalid NH", 0], ["Invalid Label", drops], ["Invalid Protocol", 0], ["", 0], ["Discards", 0], ["TTL Exceeded", 0],
  ];
  return ok(rows.map(([k, v]) => (k ? k.padEnd(30) + v : "")).join("\n") + "\n");
}

/** Parses the `-c "<command>"` argument of the gateway's `cli`. */
function cliCmd(s: LabState, a: string[]): ToolResult {
  if (a[0] !== "-c" || a.length < 2) return fail("cli: only `cli -c \"<command>\"` is available in this lab\n");
  let cmd = a.slice(1).join(" ").trim();
  let json = false;
  for (;;) {
    const pipe = /\s*\|\s*(display json|no-more)\s*$/.exec(cmd);
    if (!pipe) break;
    if (pipe[1] === "display json") json = true;
    cmd = cmd.slice(0, pipe.index).trim();
  }
  const m = /^show route table (\S+)\.inet\.0(?:\s+(\d+\.\d+\.\d+\.\d+(?:\/\d+)?))?(?:\s+(detail|extensive|terse))?$/.exec(cmd);
  if (!m) {
    if (/^show route(\s|$)/.test(cmd)) {
      // `show route PREFIX`: the tables holding a matching route, i.e. none for any prefix but the FIP
      // (a real router prints nothing then, not even a table header).
      const prefix = /\s(\d+\.\d+\.\d+\.\d+(?:\/\d+)?)(?:\s|$)/.exec(cmd)?.[1];
      if (prefix !== undefined && !holdsRoute(s.topology, prefix)) return ok("");
      return ok(renderJunosRouteBrief({ gw: s.model.gateway, topology: s.topology, prefix: prefix ?? "", uptimeSec: (Date.now() - s.startedAt) / 1000 + 93784 }));
    }
    return ok(`                                       ^\nsyntax error, expecting <command>.\n`);
  }
  if (m[1] !== s.model.gateway.vrf) return ok("\nerror: routing table " + m[1] + ".inet.0 not found\n");
  const input = { gw: s.model.gateway, topology: s.topology, prefix: m[2] ?? "", uptimeSec: (Date.now() - s.startedAt) / 1000 + 93784 };
  return ok(json ? renderJunosRouteJson(input) : renderJunosRoute(input));
}

/**
 * Runs one lab utility for a node. `argv[0]` is the tool name. Unknown tools give the shell's own
 * error (`sh: 1: foo: not found`, exit 127).
 *
 * @example
 * runTool(state, "cent222", "compute", ["flow", "-l"]).stdout.startsWith("Flow table("); // true
 */
export function runTool(
  s: LabState,
  node: string,
  role: NodeRole,
  argv: string[],
  tcpdump?: TcpdumpProvider,
): ToolResult | ToolStream {
  const [tool, ...a] = argv;
  if (!tool) return fail("usage: <tool> [args]\n", 2);
  if (!toolsFor(role).includes(tool)) return fail(`sh: 1: ${tool}: not found\n`, 127);
  try {
    switch (tool) {
      case "flow":
        return flowCmd(s, node, a);
      case "nh":
        return nhCmd(s, node, a);
      case "rt":
        return rtCmd(s, node, a);
      case "mpls":
        return mplsCmd(s, node, a);
      case "vif":
        return vifCmd(s, node, a);
      case "dropstats":
        return dropstatsCmd(s, node);
      case "contrail-tools":
        return a.length ? runTool(s, node, role, a, tcpdump) : fail("contrail-tools: interactive mode needs a terminal\n");
      case "docker": {
        if (a[0] !== "exec") return fail(`docker: '${a[0] ?? ""}' is not available in this lab\n`);
        let i = 1;
        while (a[i]?.startsWith("-")) i++;
        const rest = a.slice(i + 1);
        if (!rest.length) return fail('"docker exec" requires at least 2 arguments.\n');
        return runTool(s, node, role, rest, tcpdump);
      }
      case "tcpdump":
        return tcpdump ? tcpdump(node, a) : fail("tcpdump: capture is not available\n");
      case "cli":
        return cliCmd(s, a);
      case "ip":
        if ((a[0] === "route" || a[0] === "r" || a[0] === "ro") && (a.length === 1 || a[1] === "show" || a[1] === "list")) {
          return ok(renderIpRoute(s.topology));
        }
        return fail(`Object "${a.join(" ")}" is unknown or not available in this lab.\n`, 255);
    }
  } catch (e) {
    return fail(`${tool}: internal error: ${(e as Error).message}\n`, 1);
  }
  return fail(`sh: 1: ${tool}: not found\n`, 127);
}
