/**
 * What an investigation folder holds, as types: the manifest, the evidence log's records and the blobs
 * they point to. One folder per investigation:
 *
 * ```
 * manifest.json       who/what/when: id, created, packetwalk version, parameters, target (no secrets)
 * evidence.jsonl      append-only, one record per line, written as each piece of evidence arrives
 * blobs/<sha256>      command output too large (or not text) to sit inline, content-addressed
 * captures/<n>.pcap   captures as the node wrote them (pcap or pcapng), with node, interface and filter
 * tables/<name>.arrow large tables as Arrow IPC (arquero, DuckDB, Polars and Spark read them)
 * exports/<name>      files made from the evidence (evidence-frames.pcapng: the frames stages used, commented)
 * evidence.lock       held for an instant while a batch of records is numbered (on from the log's last
 *                     record) and appended, so processes appending at once (two notebooks, a note)
 *                     never repeat a number and the log's order is the numbers' order: a hard link to
 *                     the holder's `.evidence.lock.<pid>` (holding its pid; removed when it exits)
 * ```
 *
 * A run that is killed leaves a readable folder: blobs are written (and renamed into place) before the
 * record that names them, and the reader takes every complete line.
 */

/** The format name and version every manifest carries. */
export const INVESTIGATION_FORMAT = "packetwalk-investigation";
/** The manifest version this code writes (and the newest it reads without a warning). */
export const INVESTIGATION_VERSION = 1;

/** The file names inside an investigation folder. */
export const FILES = {
  manifest: "manifest.json",
  log: "evidence.jsonl",
  blobs: "blobs",
  captures: "captures",
  tables: "tables",
  exports: "exports",
  /** Held for an instant while a batch of records is numbered and appended. */
  lock: "evidence.lock",
} as const;

/**
 * The name of a process's lock key file (what `evidence.lock` links to while that process holds it).
 *
 * @example
 * lockKeyName(4242); // ".evidence.lock.4242"
 */
export function lockKeyName(pid: number): string {
  return `.${FILES.lock}.${pid}`;
}

/**
 * Whether a file name in an investigation folder is the lock or a lock key file (never evidence: packing
 * and sharing leave them out).
 *
 * @example
 * isLockFile("evidence.lock"); // true
 * isLockFile(".evidence.lock.4242"); // true
 * isLockFile("evidence.jsonl"); // false
 */
export function isLockFile(name: string): boolean {
  return name === FILES.lock || (name.startsWith(`.${FILES.lock}.`) && /^\d+$/.test(name.slice(FILES.lock.length + 2)));
}

/** Output up to this many bytes, when it is valid UTF-8, is kept inline in its record. */
export const INLINE_MAX = 2048;

/** The target an investigation looked at, described with no secrets (no keys, no passphrases). */
export interface TargetDescription {
  /** `lab` (the embedded lab), `inventory` (a file), or `replay` (another investigation). */
  kind: "lab" | "inventory" | "replay";
  /** Where it came from: the inventory file's name (no directories), or the lab's topology. */
  source: string;
  nodes: { name: string; role: string; via?: string }[];
  /** The inventory without secrets (no key files, passphrases, agent sockets or SSH config paths), for replay. */
  inventory?: Record<string, unknown>;
}

/** `manifest.json`. */
export interface Manifest {
  format: typeof INVESTIGATION_FORMAT;
  version: number;
  /** `pw-YYYYMMDD-HHMMSS-xxxx` (UTC). */
  id: string;
  /** ISO time (UTC). */
  created: string;
  packetwalk: string;
  /** The walk's or notebook's parameters (fip, port, host …). */
  parameters: Record<string, unknown>;
  target: TargetDescription;
  /** Free text: what the investigation is about. */
  title?: string;
}

/** Bytes a record refers to: inline text when small, else a blob file; always the hash and size. */
export interface BlobRef {
  sha256: string;
  bytes: number;
  /** The bytes as UTF-8 text, when small and valid UTF-8. */
  text?: string;
  /** The blob's path inside the folder (`blobs/<sha256>`), when not inline. */
  file?: string;
  /** The producer cut the output (it was larger than what was kept). */
  truncated?: boolean;
}

/** Fields every record has. */
export interface RecordBase {
  /** Position in the log, from 1. */
  seq: number;
  /** ISO time (UTC) the record was written. */
  at: string;
}

/** One remote command, as run. */
export interface CommandRecord extends RecordBase {
  kind: "command";
  node: string;
  /** The command line as the caller wrote it (what replay matches). */
  command: string;
  /** How the node runs the vRouter tools (`direct`, `docker`, `contrail-tools`, `kubectl`), when known. */
  via?: string;
  /** ISO start and end (UTC). */
  startedAt: string;
  endedAt: string;
  exitCode: number | null;
  signal: string | null;
  stdout: BlobRef;
  stderr: BlobRef;
  /** The command did not complete: the error's stage and message (output so far is kept). */
  error?: { stage: string; message: string };

}

/** One flow-table snapshot of a poll stream. */
export interface SnapshotRecord extends RecordBase {
  kind: "snapshot";
  node: string;
  /** The poll stream this snapshot belongs to (one per poller run). */
  stream: string;
  /** The snapshot's sequence number for its node in its stream. */
  snapshot: number;
  /** The node's stamp (epoch ms) when the read completed, and when it began. */
  stampAt: number;
  stampStartedAt?: number;
  /** Epoch ms the snapshot arrived here. */
  arrivedAt: number;
  /** The raw `flow` output (replay parses it again). */
  output: BlobRef;
  /** What `output` is when it is not `flow` output: `introspect` (a JSON array of the agent's `KFlowResp` pages). */
  format?: string;
}

/** A gap in a poll stream. */
export interface GapRecord extends RecordBase {
  kind: "gap";
  node: string;
  stream: string;
  from: number;
  to: number;
  reason: string;
}

/** One probe (HTTP or TCP) with its result as the probe returned it. */
export interface ProbeRecord extends RecordBase {
  kind: "probe";
  /** The walk's observation this probe belongs to, when it was one's. */
  stream?: string;
  /** What the probe was for (`request`, `large`, or a notebook's label). */
  purpose: string;
  /** The probe's result object (transcript, timings, client port …), as JSON. */
  result: unknown;
}

/** A capture file. */
export interface CaptureRecord extends RecordBase {
  kind: "capture";
  /** The walk's observation this capture belongs to, when it was one's. */
  stream?: string;
  node: string;
  iface: string;
  filter: string;
  command: string;
  /** `captures/<n>-<node>-<iface>.pcap` (or `.pcapng`, as the capture was written) */
  file: string;
  sha256: string;
  bytes: number;
  error?: string;
}

/** A large table stored as Arrow IPC. */
export interface TableRecord extends RecordBase {
  kind: "table";
  name: string;
  /** `tables/<name>.arrow` */
  file: string;
  rows: number;
  sha256: string;
  bytes: number;
}

/** A file made from the evidence (the stages' evidence frames as a commented pcapng …). */
export interface ExportRecord extends RecordBase {
  kind: "export";
  /** What it is (`evidence frames`). */
  what: string;
  /** `exports/<name>` */
  file: string;
  /** How many items it holds (frames …). */
  items: number;
  sha256: string;
  bytes: number;
}

/** The traffic phase of a walk: when it ran and which nodes were polled (its probes, snapshots and captures follow). */
export interface ObservationRecord extends RecordBase {
  kind: "observation";
  /** The poll stream its snapshots carry. */
  stream: string;
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  polled: string[];
  /**
   * What the walk used of the stream: per node the last snapshot it took (snapshots are taken in order,
   * so it took every one up to it), how many of the poll loop's gaps it took (the first ones), and how
   * many gaps it added after the loop (the last ones). Snapshots and gaps recorded after the walk stopped
   * listening are in the log but were not used; a replay leaves them out. Absent in older recordings.
   */
  used?: { lastSnapshot: Record<string, number>; loopGaps: number; afterGaps: number };
}

/** A note someone wrote during or after the investigation. */
export interface NoteRecord extends RecordBase {
  kind: "note";
  text: string;
  /** The walk stage it is about (`fip-nat`). */
  stage?: string;
  /** What it points at: a record's seq, a command, a frame number … */
  evidence?: string;
  author?: string;
}

/** One list call to the Kubernetes API (discovery, the walk's Kubernetes view): the items as the API sent them, or the error. */
export interface KubeRecord extends RecordBase {
  kind: "kube";
  /** The pass over the API it belongs to (one per walk). */
  stream: string;
  /** The API server's URL and the kubeconfig context. */
  server: string;
  context: string;
  /** `pods`, `services`, `endpointslices` … */
  resource: string;
  /** The namespace of a per-namespace list, null for a cluster-wide one. */
  namespace: string | null;
  /** ISO start and end (UTC). */
  startedAt: string;
  endedAt: string;
  /** The list's items as JSON text; null when the call failed. */
  items: BlobRef | null;
  error?: { kind: string; status: number | null; message: string };
}

/** Any record of the evidence log. */
export type EvidenceRecord = CommandRecord | SnapshotRecord | GapRecord | ProbeRecord | CaptureRecord | TableRecord | ExportRecord | ObservationRecord | NoteRecord | KubeRecord;

/** The record kinds this version reads. */
export const RECORD_KINDS: readonly EvidenceRecord["kind"][] = ["command", "snapshot", "gap", "probe", "capture", "table", "export", "observation", "note", "kube"];
