/**
 * The walk's data model: stages with a verdict and a reason in plain words, each backed by evidence
 * tables that say which command ran on which node (Hubble's observation points + verdicts, pybatfish's
 * hops with NAT flow diffs).
 */
import type { Inventory } from "../remote/inventory";
import type { Investigation } from "../investigation/reader";
import type { InvestigationWriter } from "../investigation/writer";
import type { CommandRunner } from "../remote/runner";

/** What a stage concluded. */
export type Verdict = "pass" | "fail" | "unknown";

/** Request (forward) or response (return) direction. */
export type Direction = "forward" | "return";

/** A table cell. */
export type Cell = string | number | boolean | null;

/** One piece of evidence: rows plus where they came from (provenance). */
export interface Evidence {
  /** What the rows are (`FIP flow pair`, `route to the service`). */
  title: string;
  /** The node that produced them (`cent222`), `local` for the kernel's own probe, null for derived rows. */
  node: string | null;
  /** The command that produced them (`rt --get 10.99.225.17/32 --vrf 2`), null for derived rows. */
  command: string | null;
  /** Epoch ms when the command ran (or the rows were derived). */
  at: number;
  rows: Record<string, Cell>[];
  /** The command failed or could not run (the error text). */
  error?: string;
}

/** What every stage is, apart from its check: its id, title and direction. */
export interface StageInfo {
  id: string;
  title: string;
  direction: Direction;
}

/**
 * The walk's stages, in walk order: the one list of ids, titles and directions. Each stage's check is
 * keyed by its id in `STAGE_CHECKS` (`run.ts`), a `Record<StageId, …>`, so a stage added here without
 * a check (or a check for a stage not here) does not compile. The checks stay out of this table
 * because they import `runStage`, which reads the titles from it.
 */
export const STAGES = [
  { id: "client", title: "Internet host → gateway", direction: "forward" },
  { id: "gateway", title: "Gateway → active haproxy node (MPLSoGRE)", direction: "forward" },
  { id: "fip-nat", title: "Floating IP NAT on the active node", direction: "forward" },
  { id: "proxy", title: "haproxy proxies (new TCP connection)", direction: "forward" },
  { id: "overlay", title: "Ingress pod → service IP (MPLSoUDP)", direction: "forward" },
  { id: "service-nat", title: "Service NAT to the backend pod", direction: "forward" },
  { id: "backend", title: "Backend pod answers", direction: "forward" },
  { id: "return-overlay", title: "Pod → MPLSoUDP → active node (SNAT+SPAT)", direction: "return" },
  { id: "return-proxy", title: "haproxy copies the response; SNAT to the FIP", direction: "return" },
  { id: "return-client", title: "MPLSoGRE → gateway → Internet host", direction: "return" },
] as const satisfies readonly StageInfo[];

/** One stage identifier. */
export type StageId = (typeof STAGES)[number]["id"];

/** The stage identifiers, in walk order (from {@link STAGES}). */
export const STAGE_IDS: readonly StageId[] = STAGES.map((s) => s.id);

/** Title and direction of each stage, by id (from {@link STAGES}). */
export const STAGE_INFO = Object.fromEntries(STAGES.map((s) => [s.id, { title: s.title, direction: s.direction }])) as Record<
  StageId,
  { title: string; direction: Direction }
>;

/** The outcome of one stage check. */
export interface StageResult {
  id: StageId;
  /** 1-based position in the walk. */
  step: number;
  title: string;
  direction: Direction;
  /** The node where the stage happens (null when it could not be found). */
  node: string | null;
  verdict: Verdict;
  /** Why, in plain words. */
  reason: string;
  /** A one-line digest of the evidence (`flow 400196 N(D) → 10.47.255.238, TCP SSrEEr`). */
  summary: string;
  evidence: Evidence[];
  /** Side remarks (missing capture, assumptions). */
  notes: string[];
  startedAt: number;
  durationMs: number;
}

/** Values the walk found on the way (every one discovered, none taken from the lab). */
export interface Discovery {
  gatewayNode: string | null;
  gatewayVrf: string | null;
  /** The gateway route's protocol next hop (the active node's fabric IP). */
  protocolNextHop: string | null;
  /** The label the gateway pushes (MPLSoGRE). */
  gatewayLabel: number | null;
  gatewayTunnel: string | null;
  /** Fabric IP → compute node name. */
  fabricIps: Record<string, string>;
  /** The compute node with the active haproxy (receives the FIP traffic). */
  activeNode: string | null;
  clientIp: string | null;
  clientPort: number | null;
  /** Ingress pod IP (the FIP's NAT target). */
  ingressPodIp: string | null;
  ingressPodPort: number | null;
  fipVrf: number | null;
  podVrf: number | null;
  /** RPF next hop of the FIP flow (the MPLSoGRE tunnel to the gateway). */
  rpfNh: number | null;
  serviceIp: string | null;
  servicePort: number | null;
  /** haproxy's source port toward the service. */
  ingressPort: number | null;
  /** Label the active node pushes toward the backend (null when local). */
  serviceLabel: number | null;
  serviceTunnel: string | null;
  backendNode: string | null;
  backendPodIp: string | null;
  backendPodPort: number | null;
  backendVif: string | null;
}

/** Parameters of a walk. */
export interface WalkParams {
  /** The floating IP (the ingress VIP the Internet sees). */
  fip: string;
  fipPort: number;
  /** `Host:` header that matches the ingress rule. */
  hostHeader: string;
  /** URL path of the probe. Default `/`. */
  path?: string;
  /** Junos routing instance holding the FIP route; found with `show route FIP/32` when absent. */
  gatewayVrf?: string;
  /** Restrict to these inventory nodes. */
  nodes?: string[];
  /**
   * A path that returns a response larger than one MTU (e.g. `/download/65536`), probed after the
   * main request to check large segments on the return path. Not probed when absent.
   */
  largePath?: string;
  /** HTTP requests to send (one after another). Default 1. */
  probes?: number;
  /**
   * Where the probe runs: `local` (the kernel, through the inventory's address map; default) or
   * `internet-host` (real curl on the inventory's internet-host node over SSH).
   */
  probeFrom?: "local" | "internet-host";
}

/** Options of {@link import("./run").runWalk}. */
export interface WalkOptions extends WalkParams {
  inventory: Inventory;
  /** Default: an `InventoryRunner` (SSH, kubectl exec for `via: kubectl` nodes) on the inventory (closed at the end), or a replay runner over `replay`. */
  runner?: CommandRunner;
  /** Record every command, probe, snapshot and capture of the walk into this investigation. */
  record?: InvestigationWriter;
  /** Walk a recording instead of the network: commands and the observation come back as recorded. */
  replay?: Investigation;
  signal?: AbortSignal;
  /** Called after each stage (live progress). */
  onStage?: (stage: StageResult, done: number, total: number) => void;
  /** Per-command timeout (ms). Default 8000. */
  commandTimeoutMs?: number;
  /** Probe: first response byte limit (ms). Default 6000. */
  firstByteTimeoutMs?: number;
  /** Probe: connect limit (ms). Default 5000. */
  connectTimeoutMs?: number;
  /** Capture fabric traffic with tcpdump during the probe. Default true. */
  capture?: boolean;
  /** Flow poll interval (ms). Default 200. */
  pollIntervalMs?: number;
}
