/**
 * An investigation redacted into new files: the manifest, every record of the evidence log (command
 * lines, nodes, outputs, probe results, notes, gap reasons …), blobs, captures (through the capture
 * rewriter) and Arrow tables — with every hash and size computed again from the redacted bytes, so the
 * redacted investigation opens with no warnings and replays. A record whose bytes are missing,
 * altered, or not text (an output that is not UTF-8) is left out and listed: it cannot be redacted.
 */
import { FILES, INLINE_MAX, type BlobRef, type EvidenceRecord, type Manifest } from "../investigation/layout";
import type { Investigation } from "../investigation/reader";
import { sha256Hex } from "../investigation/writer";
import { redactArrow } from "./arrow";
import { redactJson } from "./json";
import type { TextRedactor } from "./text";

/** Rewrites one capture file's bytes (`redactCapture` bound to the share's mapper and options). */
export type CaptureRewriter = (bytes: Uint8Array) => { bytes: Uint8Array; frames: number; rewritten: number; problems: { frame: number; message: string }[] };

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
    const sha256 = sha256Hex(red);
    const out: BlobRef = { sha256, bytes: red.length, ...(ref.truncated ? { truncated: true } : {}) };
    if (red.length <= INLINE_MAX && !isCapture(red)) out.text = red.toString("utf8");
    else {
      out.file = `${FILES.blobs}/${sha256}`;
      files.set(out.file, red);
    }
    return out;
  };
  const rest = (rec: Record<string, unknown>, skip: string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      if (skip.includes(k)) continue;
      out[k] = KEEP.has(k) ? v : redactJson(v, r);
    }
    return out;
  };
  const records: EvidenceRecord[] = [];
  for (const rec of inv.records) {
    const what = `record ${rec.seq} (${rec.kind})`;
    if (rec.kind === "command") {
      const stdout = blob(rec.stdout, what);
      const stderr = stdout && blob(rec.stderr, what);
      if (!stdout || !stderr) continue;
      records.push({ ...rest(rec as never, ["stdout", "stderr"]), stdout, stderr } as unknown as EvidenceRecord);
    } else if (rec.kind === "snapshot") {
      const output = blob(rec.output, what);
      if (!output) continue;
      records.push({ ...rest(rec as never, ["output"]), output } as unknown as EvidenceRecord);
    } else if (rec.kind === "capture" || rec.kind === "table") {
      const bytes = rec.file ? inv.file(rec.file) : null;
      if (!bytes) {
        if (rec.kind === "capture" && rec.error && !rec.file) records.push(rest(rec as never, []) as unknown as EvidenceRecord);
        else leftOut.push({ what: `${what} ${rec.file}`, reason: "its file is missing or does not match its hash" });
        continue;
      }
      let red: Uint8Array;
      let rows: number | undefined;
      try {
        if (rec.kind === "capture") {
          if (!captures) {
            leftOut.push({ what: `${what} ${rec.file}`, reason: "no capture rewriter: captures cannot be redacted" });
            continue;
          }
          const c = captures(bytes);
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
      records.push({ ...rest(rec as never, []), file, sha256: sha256Hex(red), bytes: red.length, ...(rows !== undefined ? { rows } : {}) } as unknown as EvidenceRecord);
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
