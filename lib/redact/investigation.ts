/**
 * An investigation redacted into new files: the manifest, every record of the evidence log (command
 * lines, nodes, outputs, probe results, notes, gap reasons …), blobs, captures (through the capture
 * rewriter), Arrow tables, the Kubernetes API reads (`kube` records: their items through the JSON
 * redactor) and exports (`exports/evidence-frames.pcapng` through the capture rewriter, its packet
 * comments as text) — with every hash and size computed again from the redacted bytes, so the redacted
 * investigation opens with no warnings and replays. A record whose bytes are missing, altered, or not
 * text (an output that is not UTF-8) is left out and listed: it cannot be redacted. So is a record of a
 * kind this module does not know ({@link REDACTED_KINDS}): a new kind is never copied unredacted.
 */
import { FILES, INLINE_MAX, type BlobRef, type EvidenceRecord, type KubeRecord, type Manifest } from "../investigation/layout";
import type { Investigation } from "../investigation/reader";
import { sha256Hex } from "../investigation/writer";
import { redactArrow } from "./arrow";
import { redactJson } from "./json";
import type { TextRedactor } from "./text";

/**
 * Rewrites one capture file's bytes (`redactCapture` bound to the share's mapper and options). `inPlace`:
 * the bytes are the caller's to overwrite (a file read for this share and redacted once), so a pcap is
 * rewritten inside them with no second copy (`CaptureRedactionOptions.inPlace`).
 */
export type CaptureRewriter = (bytes: Uint8Array, inPlace?: boolean) => { bytes: Uint8Array; frames: number; rewritten: number; problems: { frame: number; message: string }[] };

/** The redacted investigation: files by path inside its folder, and what was left out. */
export interface RedactedInvestigation {
  files: Map<string, Buffer>;
  manifest: Manifest;
  records: EvidenceRecord[];
  leftOut: { what: string; reason: string }[];
  /** Capture frames seen and rewritten. */
  frames: number;
  /** Problems the capture rewriter reported (kept, with the frame). */
  captureProblems: string[];
}

/**
 * How each record kind is redacted. Typed over every kind of the evidence log, so a kind added to
 * `layout.ts` does not compile until it is placed here; at run time a record of any other kind is left
 * out and listed.
 */
export const REDACTED_KINDS: Readonly<Record<EvidenceRecord["kind"], string>> = {
  command: "command line and node as text; stdout and stderr as text (or a capture), hashed again",
  snapshot: "output as text, hashed again",
  gap: "fields as text",
  probe: "result as JSON",
  capture: "file through the capture rewriter, hashed again",
  table: "Arrow file cell by cell, hashed again",
  export: "file through the capture rewriter (a pcapng: packet comments as text), hashed again",
  observation: "fields as text",
  note: "fields as text",
  kube: "items through the JSON redactor, hashed again; server and context as text",
};

const utf8 = new TextDecoder("utf-8", { fatal: true });
// Fields of records that are not text to redact: numbering, times, hashes, file names (redone here).
const KEEP = new Set(["seq", "at", "kind", "startedAt", "endedAt", "stampAt", "stampStartedAt", "arrivedAt", "sha256", "bytes", "file", "exitCode", "signal", "snapshot", "from", "to", "rows", "stage"]);

/**
 * Redacts an opened investigation.
 *
 * @example
 * const red = redactInvestigation(openInvestigation("out/investigation"), redactor, captureRewriter);
 * red.files.get("evidence.jsonl");
 */
export function redactInvestigation(inv: Investigation, r: TextRedactor, captures: CaptureRewriter | null): RedactedInvestigation {
  const files = new Map<string, Buffer>();
  const leftOut: { what: string; reason: string }[] = [];
  const captureProblems: string[] = [];
  let frames = 0;
  // The manifest's own field order (the reader puts its defaults first).
  const { format, version, id, created, packetwalk, ...more } = inv.manifest;
  const manifest = redactJson({ format, version, id, created, packetwalk, ...more }, r) as Manifest;
  // An inventory file's name may name the customer or the site: only its extension is kept.
  if (manifest.target?.kind === "inventory" && typeof manifest.target.source === "string") manifest.target.source = `inventory${/\.(ya?ml|json)$/i.exec(manifest.target.source)?.[0] ?? ""}`;
  // Redacted bytes stored again with their new hash: inline text when small, else a blob file in OUT
  // (a capture always as a file).
  const stored = (red: Buffer, truncated: boolean): BlobRef => {
    const sha256 = sha256Hex(red);
    const out: BlobRef = { sha256, bytes: red.length, ...(truncated ? { truncated: true } : {}) };
    if (red.length <= INLINE_MAX && !isCapture(red)) out.text = red.toString("utf8");
    else {
      out.file = `${FILES.blobs}/${sha256}`;
      files.set(out.file, red);
    }
    return out;
  };
  const blob = (ref: BlobRef, what: string): BlobRef | null => {
    const bytes = inv.bytes(ref);
    if (bytes === null) {
      leftOut.push({ what, reason: "its output is missing or does not match its hash" });
      return null;
    }
    let red: Buffer;
    if (isCapture(bytes)) {
      // `tcpdump -w -` output: a capture, rewritten like the capture files.
      if (!captures) {
        leftOut.push({ what, reason: "its output is a capture and there is no capture rewriter" });
        return null;
      }
      const c = captures(bytes);
      const fatal = c.problems.find((p) => p.frame === 0);
      if (fatal) {
        leftOut.push({ what, reason: `its output cannot be read as a capture: ${r.text(fatal.message)}` });
        return null;
      }
      frames += c.frames;
      for (const p of c.problems) captureProblems.push(`${what} frame ${p.frame}: ${r.text(p.message)}`);
      red = Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.length);
    } else {
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        leftOut.push({ what, reason: "its output is neither text (UTF-8) nor a capture, so it cannot be redacted" });
        return null;
      }
      red = Buffer.from(r.text(text), "utf8");
    }
    return stored(red, ref.truncated === true);
  };
  const rest = (rec: Record<string, unknown>, skip: string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      if (skip.includes(k)) continue;
      out[k] = KEEP.has(k) ? v : redactJson(v, r);
    }
    return out;
  };
  // A list call's items: JSON through the JSON redactor (an object's keys and every string), stored
  // again inline or as a blob with its new hash.
  const kubeItems = (ref: BlobRef, what: string): BlobRef | null => {
    const text = inv.text(ref);
    if (text === null) {
      leftOut.push({ what, reason: "its items are missing or do not match their hash" });
      return null;
    }
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch {
      leftOut.push({ what, reason: "its items are not JSON, so they cannot be redacted" });
      return null;
    }
    return stored(Buffer.from(JSON.stringify(redactJson(items, r)), "utf8"), ref.truncated === true);
  };
  // Files named by several records (an export made again under the same name) are redacted once.
  const redactedFiles = new Map<string, { file: string; sha256: string; bytes: number; rows?: number }>();
  const records: EvidenceRecord[] = [];
  for (const rec of inv.records) {
    const what = `record ${rec.seq} (${rec.kind})`;
    if (!Object.hasOwn(REDACTED_KINDS, String((rec as { kind: unknown }).kind))) {
      leftOut.push({ what: `record ${(rec as { seq?: unknown }).seq} (${String((rec as { kind: unknown }).kind)})`, reason: "a record kind the redactor does not know: left out rather than copied unredacted" });
      continue;
    }
    if (rec.kind === "kube") {
      const items = rec.items ? kubeItems(rec.items, what) : null;
      if (rec.items && !items) continue;
      records.push({ ...rest(rec as never, ["items"]), items } as unknown as KubeRecord);
    } else if (rec.kind === "command") {
      const stdout = blob(rec.stdout, what);
      const stderr = stdout && blob(rec.stderr, what);
      if (!stdout || !stderr) continue;
      records.push({ ...rest(rec as never, ["stdout", "stderr"]), stdout, stderr } as unknown as EvidenceRecord);
    } else if (rec.kind === "snapshot") {
      const output = blob(rec.output, what);
      if (!output) continue;
      records.push({ ...rest(rec as never, ["output"]), output } as unknown as EvidenceRecord);
    } else if (rec.kind === "capture" || rec.kind === "table" || rec.kind === "export") {
      const done = rec.file ? redactedFiles.get(rec.file) : undefined;
      if (done) {
        records.push({ ...rest(rec as never, []), ...done } as unknown as EvidenceRecord);
        continue;
      }
      const bytes = rec.file ? inv.file(rec.file) : null;
      if (!bytes) {
        if (rec.kind === "capture" && rec.error && !rec.file) records.push(rest(rec as never, []) as unknown as EvidenceRecord);
        else leftOut.push({ what: `${what} ${rec.file}`, reason: "its file is missing or does not match its hash" });
        continue;
      }
      let red: Uint8Array;
      let rows: number | undefined;
      try {
        if (rec.kind === "capture" || rec.kind === "export") {
          if (rec.kind === "export" && !isCapture(bytes)) {
            leftOut.push({ what: `${what} ${rec.file}`, reason: "an export that is not a capture: no redactor for its kind" });
            continue;
          }
          if (!captures) {
            leftOut.push({ what: `${what} ${rec.file}`, reason: "no capture rewriter: captures cannot be redacted" });
            continue;
          }
          // in place: the reader's copy of this file is read by nothing after it (a file several
          // records name is redacted once, above); a blob (`tcpdump -w -` output) may be shared by
          // records with the same output, so it is copied
          const c = captures(bytes, true);
          const fatal = c.problems.find((p) => p.frame === 0);
          if (fatal) {
            leftOut.push({ what: `${what} ${rec.file}`, reason: `cannot be read as a capture: ${r.text(fatal.message)}` });
            continue;
          }
          frames += c.frames;
          for (const p of c.problems) captureProblems.push(`${rec.file} frame ${p.frame}: ${r.text(p.message)}`);
          red = c.bytes;
        } else {
          const t = redactArrow(bytes, r);
          red = t.bytes;
          rows = t.rows;
        }
      } catch (e) {
        leftOut.push({ what: `${what} ${rec.file}`, reason: `cannot be read to redact it: ${(e as Error).message}` });
        continue;
      }
      const file = r.text(rec.file);
      files.set(file, Buffer.from(red.buffer, red.byteOffset, red.length));
      const ref = { file, sha256: sha256Hex(red), bytes: red.length, ...(rows !== undefined ? { rows } : {}) };
      redactedFiles.set(rec.file, ref);
      records.push({ ...rest(rec as never, []), ...ref } as unknown as EvidenceRecord);
    } else records.push(rest(rec as never, []) as unknown as EvidenceRecord);
  }
  files.set(FILES.manifest, Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`));
  files.set(FILES.log, Buffer.from(records.map((x) => `${JSON.stringify(x)}\n`).join("")));
  return { files, manifest, records, leftOut, frames, captureProblems };
}

/**
 * Whether bytes start like a pcap (either byte order, µs or ns) or pcapng file.
 *
 * @example
 * isCapture(fs.readFileSync("captures/001-cent222-ens3.pcap")); // true
 */
export function isCapture(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const m = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1 || m === 0x0a0d0d0a;
}
