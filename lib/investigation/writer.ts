/**
 * Writes an investigation folder as evidence arrives: the manifest once, then one line per record,
 * appended with a single write each, blobs renamed into place before the record that names them. A run
 * killed at any point leaves a folder the reader opens, holding everything written until then.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { packetwalkVersion } from "../display/version";
import {
  FILES,
  INLINE_MAX,
  lockKeyName,
  INVESTIGATION_FORMAT,
  INVESTIGATION_VERSION,
  type BlobRef,
  type CaptureRecord,
  type EvidenceRecord,
  type ExportRecord,
  type Manifest,
  type NoteRecord,
  type TableRecord,
  type TargetDescription,
} from "./layout";

/** A record before the writer numbers and stamps it. */
export type NewRecord = EvidenceRecord extends infer R ? (R extends EvidenceRecord ? Omit<R, "seq" | "at"> : never) : never;

/** Options of {@link createInvestigation}. */
export interface CreateOptions {
  target: TargetDescription;
  parameters?: Record<string, unknown>;
  title?: string;
  /** Default: a new id from the current time. */
  id?: string;
  /** Default: now. */
  created?: Date;
  /** See {@link WriterOptions.flushMs}. */
  flushMs?: number;
}

/**
 * How long live recordings (a walk, a notebook's `openTarget`, the CLI's `--record`) gather records
 * before writing them together: one batch per round of a 5 Hz poll, so the lock and the append are paid
 * once per round, not per snapshot. A killed run loses at most this window.
 */
export const LIVE_FLUSH_MS = 250;

/** Options of an {@link InvestigationWriter}. */
export interface WriterOptions {
  /**
   * Gather appended lines for up to this many ms and write them in one go (0: each record at once). A
   * killed run loses at most this window; `close()` and process exit write what is pending. Default 0.
   */
  flushMs?: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A new investigation id, `pw-YYYYMMDD-HHMMSS-xxxx` (UTC, four random hex digits).
 *
 * @example
 * newInvestigationId(new Date("2026-12-02T09:30:00Z")) // "pw-20261202-093000-3fa1"
 */
export function newInvestigationId(now: Date = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `pw-${t}-${crypto.randomBytes(2).toString("hex")}`;
}

/**
 * The SHA-256 of some bytes (a string: of its UTF-8), as lowercase hex.
 *
 * @example
 * sha256Hex(Buffer.from("")) // "e3b0c442…b855"
 * sha256Hex("flow table\n") === sha256Hex(Buffer.from("flow table\n")) // true
 */
export function sha256Hex(bytes: Uint8Array | string): string {
  // one-shot (Node ≥ 20.12): no Hash object per call, which counts at a 5 Hz poll's rate
  return crypto.hash("sha256", bytes, "hex");
}

/**
 * An open investigation folder being written.
 *
 * @example
 * const inv = createInvestigation("out/investigation", { target: { kind: "lab", source: "default", nodes: [] } });
 * inv.append({ kind: "note", text: "started" });
 */
export class InvestigationWriter {
  readonly dir: string;
  readonly manifest: Manifest;
  private seq = 0;
  private fd: number | null;
  private captures = 0;
  private readonly knownBlobs = new Set<string>();
  private readonly flushMs: number;
  private pending: EvidenceRecord[] = [];
  /** The log's size after this writer's last batch (-1: not written yet). */
  private logEnd = -1;
  private timer: NodeJS.Timeout | null = null;
  /** When the pending batch began (its first record). */
  private batchAt = 0;
  private readonly onExit = (): void => this.flush();

  /** Opens `dir` for writing with an existing manifest (use {@link createInvestigation} for a new one). */
  constructor(dir: string, manifest: Manifest, nextSeq = 1, opts: WriterOptions = {}) {
    this.dir = dir;
    this.manifest = manifest;
    this.seq = nextSeq - 1;
    // Appending (every write lands at the end), and readable: a batch numbers on from the log's last record.
    this.fd = fs.openSync(path.join(dir, FILES.log), "a+");
    this.flushMs = opts.flushMs ?? 0;
    if (this.flushMs > 0) process.on("exit", this.onExit);
  }

  /**
   * Writes the records gathered so far: under the folder's lock, numbers them on from the last record
   * of the log (read back only when another process appended since this writer's last batch: two
   * notebooks, a `packetwalk note` during a live recording) and writes them in one append, so record
   * numbers never repeat and follow the order of the log. One lock per batch, not per record.
   *
   * @example
   * inv.flush();
   */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.fd === null || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const release = lockFolder(this.dir);
    try {
      // Another process appended since this writer's last batch: number on after its last record.
      const size = fs.fstatSync(this.fd).size;
      let last = this.seq;
      let text = "";
      if (size !== this.logEnd) {
        const tail = lastRecordOf(this.fd, size);
        last = Math.max(last, tail.seq);
        if (!tail.endsWithNewline) text = "\n"; // a line cut by a killed writer stays apart from ours
      }
      for (const r of batch) {
        r.seq = ++last;
        text += `${JSON.stringify(r)}\n`;
      }
      const bytes = Buffer.from(text, "utf8");
      fs.writeSync(this.fd, bytes);
      this.logEnd = size + bytes.length;
      this.seq = last;
    } finally {
      release();
    }
  }

  /** Whether records can still be appended. */
  get open(): boolean {
    return this.fd !== null;
  }

  /**
   * Appends one record (stamped here) and returns it. Its `seq` is final once it is written: at once
   * without `flushMs`, else at the next {@link flush} (the returned object is updated then; until then
   * it holds this writer's guess). After {@link close} it is a no-op that still returns the record, so
   * late evidence never throws inside a caller's cleanup.
   *
   * @example
   * inv.append({ kind: "note", text: "gateway answered in terse form only", stage: "gateway" });
   */
  append<R extends NewRecord>(record: R): R & { seq: number; at: string } {
    const full = { seq: this.seq + this.pending.length + 1, at: new Date().toISOString(), ...record } as R & { seq: number; at: string };
    if (this.fd === null) return full;
    this.pending.push(full);
    if (this.flushMs <= 0) this.flush();
    else if (!this.timer) {
      this.batchAt = Date.now();
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref?.();
    } else if (Date.now() - this.batchAt >= this.flushMs) {
      // A steady stream (a 5 Hz poll) writes its batch from the record that completes it, so the
      // timer, cleared here, never wakes the process: it is there for the last records of a stream.
      this.flush();
    }
    return full;
  }

  /**
   * Stores bytes: inline text when small and valid UTF-8, else a content-addressed blob file (written
   * once per content, so repeated identical outputs cost nothing).
   *
   * @example
   * const ref = inv.blob(Buffer.from("flow table\n")); // { sha256, bytes: 11, text: "flow table\n" }
   */
  blob(data: Uint8Array | string, truncated = false): BlobRef {
    if (typeof data === "string") {
      // Small text (a flow table of a 5 Hz poll) is hashed as it is, with no copy into bytes.
      const size = Buffer.byteLength(data, "utf8");
      if (size <= INLINE_MAX) {
        const sha256 = sha256Hex(data);
        return { sha256, bytes: size, ...(truncated ? { truncated } : {}), text: data };
      }
    }
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const sha256 = sha256Hex(bytes);
    const ref: BlobRef = { sha256, bytes: bytes.length, ...(truncated ? { truncated } : {}) };
    if (bytes.length <= INLINE_MAX) {
      try {
        ref.text = typeof data === "string" ? data : utf8.decode(bytes);
        return ref;
      } catch {
        /* not UTF-8: a blob file */
      }
    }
    const rel = `${FILES.blobs}/${sha256}`;
    if (!this.knownBlobs.has(sha256)) {
      writeAtomically(path.join(this.dir, rel), bytes);
      this.knownBlobs.add(sha256);
    }
    ref.file = rel;
    return ref;
  }

  /**
   * Stores a capture file's bytes under `captures/` (as written: `.pcap` or `.pcapng`) and appends its record.
   *
   * @example
   * inv.addCapture({ node: "cent222", iface: "ens3", filter: "udp port 6635", command: "tcpdump …" }, pcapngBytes);
   */
  addCapture(meta: Omit<CaptureRecord, "seq" | "at" | "kind" | "file" | "sha256" | "bytes">, bytes: Uint8Array): CaptureRecord {
    // Kept as the node wrote it: pcapng starts with its section header block's type 0x0a0d0d0a.
    const ext = bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a ? "pcapng" : "pcap";
    const file = `${FILES.captures}/${String(++this.captures).padStart(3, "0")}-${safeName(meta.node)}-${safeName(meta.iface)}.${ext}`;
    writeAtomically(path.join(this.dir, file), bytes);
    return this.append({ kind: "capture", ...meta, file, sha256: sha256Hex(bytes), bytes: bytes.length });
  }

  /**
   * Stores a table as Arrow IPC bytes (from `aq.toArrowIPC(table)`) under `tables/` and appends its record.
   *
   * @example
   * inv.addTable("flow-history", aq.toArrowIPC(history), history.numRows());
   */
  addTable(name: string, ipc: Uint8Array, rows: number): TableRecord {
    const file = `${FILES.tables}/${safeName(name)}.arrow`;
    writeAtomically(path.join(this.dir, file), ipc);
    return this.append({ kind: "table", name, file, rows, sha256: sha256Hex(ipc), bytes: ipc.length });
  }

  /**
   * Stores a file made from the evidence under `exports/` (replacing an earlier one of the same name)
   * and appends its record.
   *
   * @example
   * inv.addExport("evidence-frames.pcapng", "evidence frames", pcapng, 12);
   */
  addExport(name: string, what: string, bytes: Uint8Array, items: number): ExportRecord {
    const file = `${FILES.exports}/${safeName(name)}`;
    writeAtomically(path.join(this.dir, file), bytes);
    return this.append({ kind: "export", what, file, items, sha256: sha256Hex(bytes), bytes: bytes.length });
  }

  /**
   * Appends a note.
   *
   * @example
   * inv.note("haproxy on cent222 answered 503 twice", { stage: "proxy" });
   */
  note(text: string, opts: { stage?: string; evidence?: string; author?: string } = {}): NoteRecord {
    const r = this.append({ kind: "note", text, ...opts });
    // Written at once: a note is rare, and its number is what the caller shows.
    this.flush();
    return r;
  }

  /** Writes what is pending and stops writing (records appended later are dropped). */
  close(): void {
    if (this.fd === null) return;
    this.flush();
    process.off("exit", this.onExit);
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Creates a new investigation folder (made if missing; refused when it already holds a manifest) and
 * writes its manifest.
 *
 * @example
 * const inv = createInvestigation("out/investigation", { target, parameters: { fip: "101.101.101.1" } });
 */
export function createInvestigation(dir: string, opts: CreateOptions): InvestigationWriter {
  fs.mkdirSync(dir, { recursive: true });
  const manifestFile = path.join(dir, FILES.manifest);
  if (fs.existsSync(manifestFile)) throw new Error(`${dir} already holds an investigation (${FILES.manifest}); open it to add to it, or choose another folder`);
  const created = opts.created ?? new Date();
  const manifest: Manifest = {
    format: INVESTIGATION_FORMAT,
    version: INVESTIGATION_VERSION,
    id: opts.id ?? newInvestigationId(created),
    created: created.toISOString(),
    packetwalk: packetwalkVersion(),
    parameters: opts.parameters ?? {},
    target: opts.target,
    ...(opts.title ? { title: opts.title } : {}),
  };
  writeAtomically(manifestFile, Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`));
  return new InvestigationWriter(dir, manifest, 1, opts.flushMs !== undefined ? { flushMs: opts.flushMs } : {});
}

/**
 * Opens an existing investigation folder to append to it (notes after the fact, a second run), numbering
 * new records after the last complete one.
 *
 * @example
 * const inv = appendToInvestigation("out/investigation");
 * inv.note("reviewed with the vendor");
 */
export function appendToInvestigation(dir: string, opts: WriterOptions = {}): InvestigationWriter {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, FILES.manifest), "utf8")) as Manifest;
  let last = 0;
  const logFile = path.join(dir, FILES.log);
  if (fs.existsSync(logFile)) {
    const text = fs.readFileSync(logFile, "utf8");
    // A cut last line (a killed run) would glue onto the next record: end it first.
    if (text.length > 0 && !text.endsWith("\n")) fs.appendFileSync(logFile, "\n");
    for (const line of text.split("\n")) {
      try {
        const seq = (JSON.parse(line) as { seq?: unknown }).seq;
        if (typeof seq === "number" && seq > last) last = seq;
      } catch {
        /* cut or foreign line: the reader reports it */
      }
    }
  }
  return new InvestigationWriter(dir, manifest, last + 1, opts);
}

/**
 * Opens the investigation to record into: the folder's own when it already holds one (appended to,
 * numbering on), else a new one created there with `opts`. What `openTarget(…, { record: DIR })` and
 * the CLI's `--record DIR` (exec, flows, probe) both do.
 *
 * @example
 * const inv = recordInto("incident-42", { target: describeTarget(inventory, "inventory", "cluster.yaml"), parameters: { command: "exec" } });
 * inv.created; // true the first time, false when a later command adds to it
 */
export function recordInto(dir: string, opts: CreateOptions): InvestigationWriter & { created: boolean } {
  if (fs.existsSync(path.join(dir, FILES.manifest))) {
    let w: InvestigationWriter;
    try {
      w = appendToInvestigation(dir, opts.flushMs !== undefined ? { flushMs: opts.flushMs } : {});
    } catch (e) {
      throw new Error(`cannot record into ${dir}: its ${FILES.manifest} does not read (${(e as Error).message})`);
    }
    return Object.assign(w, { created: false });
  }
  return Object.assign(createInvestigation(dir, opts), { created: true });
}

/**
 * The highest record number among the last complete lines of the log (read backwards from its end, 64 KiB
 * at a time, until one parses), and whether the log ends with a newline.
 */
function lastRecordOf(fd: number, size: number): { seq: number; endsWithNewline: boolean } {
  if (size === 0) return { seq: 0, endsWithNewline: true };
  let window = 1 << 16;
  for (;;) {
    const from = Math.max(0, size - window);
    const buf = Buffer.alloc(size - from);
    fs.readSync(fd, buf, 0, buf.length, from);
    const endsWithNewline = buf[buf.length - 1] === 0x0a;
    const lines = buf.toString("utf8").split("\n");
    if (from > 0) lines.shift(); // the first line of the window may be cut
    let best = 0;
    for (const line of lines) {
      try {
        const seq = (JSON.parse(line) as { seq?: unknown }).seq;
        if (typeof seq === "number" && seq > best) best = seq;
      } catch {
        /* a cut or foreign line */
      }
    }
    if (best > 0 || from === 0) return { seq: best, endsWithNewline };
    window *= 4;
  }
}

const nap = new Int32Array(new SharedArrayBuffer(4));

// This process's key file per folder (see lockFolder), removed when the process exits.
const keyFiles = new Map<string, string>();
let keyCleanup = false;

function keyFileOf(dir: string, fresh = false): string {
  let key = keyFiles.get(dir);
  if (!key || fresh) {
    key = path.join(dir, lockKeyName(process.pid));
    fs.writeFileSync(key, String(process.pid));
    keyFiles.set(dir, key);
    if (!keyCleanup) {
      keyCleanup = true;
      process.on("exit", () => {
        for (const k of keyFiles.values()) fs.rmSync(k, { force: true });
      });
    }
  }
  return key;
}

/**
 * Takes the folder's lock and returns its release. The lock is `evidence.lock` made as a hard link to
 * this process's key file (`.evidence.lock.<pid>`, holding the pid, made once): one `link` to take it
 * and one `unlink` to release it, which costs a seventh of creating and writing a lock file — it is
 * taken for every batch of a 5 Hz poll's records. A lock whose holder is gone, or untouched for 5 s
 * (a holder keeps it for microseconds), is taken over. After 10 s of waiting the lock is an error
 * naming the file.
 */
function lockFolder(dir: string): () => void {
  const file = path.join(dir, FILES.lock);
  const deadline = Date.now() + 10_000;
  let key = keyFileOf(dir);
  for (;;) {
    try {
      fs.linkSync(key, file);
      return () => {
        try {
          fs.unlinkSync(file);
        } catch {
          /* removed as stale by another process */
        }
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // the key file was removed (a folder cleaned while recording): make it again
      if (code === "ENOENT" && fs.existsSync(dir)) {
        key = keyFileOf(dir, true);
        continue;
      }
      if (code !== "EEXIST") throw e;
    }
    try {
      // the holder's key file's inode: its pid, and its change time (linking it is a change)
      const st = fs.statSync(file);
      const pid = Number(fs.readFileSync(file, "utf8"));
      if (Date.now() - Math.max(st.mtimeMs, st.ctimeMs) > 5000 || (pid > 0 && !processAlive(pid))) fs.rmSync(file, { force: true });
    } catch {
      /* released meanwhile */
    }
    if (Date.now() > deadline) throw new Error(`${file}: the investigation's lock was held for more than 10 s`);
    Atomics.wait(nap, 0, 0, 1);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

// A file name part made of safe characters only.
function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80) || "_";
}

// Writes to a temp file beside the target, then renames: a reader never sees half a file.
function writeAtomically(file: string, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}
