/**
 * Opens an investigation — a folder, or a packed file (`.tar`, `.tar.gz`, `.tgz`) read in memory — and
 * checks it: a cut last line, a missing blob or capture, a hash that does not match, a manifest from a
 * newer version. Each problem is one line of `warnings` naming what is missing or altered; everything
 * else is still there to read and replay. Nothing is invented for what is missing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FILES, INVESTIGATION_FORMAT, INVESTIGATION_VERSION, RECORD_KINDS, type BlobRef, type EvidenceRecord, type Manifest } from "./layout";
import { readTar } from "./tar";
import { sha256Hex } from "./writer";

/** An opened investigation. */
export interface Investigation {
  /** Where it was read from (the folder or the packed file). */
  source: string;
  /** The folder when read from one (null for a packed file). */
  dir: string | null;
  manifest: Manifest;
  /** Every complete, readable record, in log order. */
  records: EvidenceRecord[];
  /** One line per problem found (empty for an intact investigation). */
  warnings: string[];
  /** The bytes a record points to, or null when they are missing or altered (see `warnings`). */
  bytes(ref: BlobRef): Buffer | null;
  /** The same as UTF-8 text. */
  text(ref: BlobRef): string | null;
  /** A file of the investigation by its relative path (`captures/001-cent222-ens3.pcapng`), or null. */
  file(rel: string): Buffer | null;
}

/** An investigation that cannot be opened at all (no manifest and no log, or not an investigation). */
export class InvestigationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvestigationError";
  }
}

/**
 * Opens and checks an investigation folder or packed file.
 *
 * @example
 * const inv = openInvestigation("out/investigation");
 * if (inv.warnings.length) console.warn(inv.warnings.join("\n"));
 * inv.records.filter((r) => r.kind === "command").length;
 */
export function openInvestigation(source: string): Investigation {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch (e) {
    throw new InvestigationError(`cannot open the investigation ${source}: ${(e as Error).message}`);
  }
  const warnings: string[] = [];
  let read: (rel: string) => Buffer | null;
  let dir: string | null = null;
  if (stat.isDirectory()) {
    dir = source;
    read = (rel) => {
      try {
        return fs.readFileSync(path.join(source, ...rel.split("/")));
      } catch {
        return null;
      }
    };
  } else {
    const { files, error } = readTar(fs.readFileSync(source));
    if (error) warnings.push(`${path.basename(source)}: ${error}; reading the files before it`);
    // Packed as <id>/...: find the folder holding the manifest (or the log).
    const manifestPath = [...files.keys()].find((k) => k === FILES.manifest || k.endsWith(`/${FILES.manifest}`)) ?? [...files.keys()].find((k) => k === FILES.log || k.endsWith(`/${FILES.log}`));
    if (!manifestPath) throw new InvestigationError(`${source} holds no investigation (no ${FILES.manifest} in the archive)`);
    const root = manifestPath.includes("/") ? manifestPath.slice(0, manifestPath.lastIndexOf("/") + 1) : "";
    read = (rel) => files.get(root + rel) ?? null;
  }

  const manifestBytes = read(FILES.manifest);
  const logBytes = read(FILES.log);
  if (!manifestBytes && !logBytes) throw new InvestigationError(`${source} is not an investigation (neither ${FILES.manifest} nor ${FILES.log})`);
  let manifest: Manifest;
  if (!manifestBytes) {
    warnings.push(`${FILES.manifest} is missing: id, parameters and target are unknown`);
    manifest = { format: INVESTIGATION_FORMAT, version: INVESTIGATION_VERSION, id: "(unknown)", created: "", packetwalk: "", parameters: {}, target: { kind: "inventory", source: "(unknown)", nodes: [] } };
  } else {
    let parsed: Partial<Manifest>;
    try {
      parsed = JSON.parse(manifestBytes.toString("utf8")) as Partial<Manifest>;
    } catch (e) {
      throw new InvestigationError(`${source}: ${FILES.manifest} is not JSON (${(e as Error).message})`);
    }
    if (parsed.format !== INVESTIGATION_FORMAT) throw new InvestigationError(`${source}: ${FILES.manifest} is not a packetwalk investigation (format ${JSON.stringify(parsed.format)})`);
    if (typeof parsed.version !== "number" || parsed.version > INVESTIGATION_VERSION) {
      warnings.push(`${FILES.manifest} is version ${JSON.stringify(parsed.version)}, newer than this packetwalk reads (${INVESTIGATION_VERSION}): records it does not know are skipped`);
    }
    manifest = { parameters: {}, target: { kind: "inventory", source: "(unknown)", nodes: [] }, ...parsed } as Manifest;
  }

  const records: EvidenceRecord[] = [];
  if (!logBytes) warnings.push(`${FILES.log} is missing: no evidence`);
  else {
    const text = logBytes.toString("utf8");
    const lines = text.split("\n");
    const cutLast = !text.endsWith("\n") && text.length > 0;
    if (lines[lines.length - 1] === "") lines.pop();
    const unknownKinds = new Map<string, number>();
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      let r: EvidenceRecord;
      try {
        r = JSON.parse(line) as EvidenceRecord;
      } catch {
        warnings.push(i === lines.length - 1 && cutLast ? `${FILES.log} line ${i + 1} is cut (the run stopped while writing it); ${i} lines read` : `${FILES.log} line ${i + 1} is not a record; skipped`);
        return;
      }
      if (!r || typeof r !== "object" || !RECORD_KINDS.includes(r.kind)) {
        const k = String((r as { kind?: unknown } | null)?.kind);
        unknownKinds.set(k, (unknownKinds.get(k) ?? 0) + 1);
        return;
      }
      records.push(r);
    });
    for (const [k, n] of unknownKinds) warnings.push(`${FILES.log}: ${n} record${n > 1 ? "s" : ""} of unknown kind ${k} skipped`);
  }

  // Check every byte a record points to, once per file.
  const verdict = new Map<string, Buffer | null>();
  const fileChecked = (rel: string, sha256: string, what: string): Buffer | null => {
    if (verdict.has(rel)) return verdict.get(rel)!;
    const b = read(rel);
    let v: Buffer | null = b;
    if (!b) warnings.push(`${rel} is missing (${what})`);
    else if (sha256Hex(b) !== sha256) {
      warnings.push(`${rel} does not match its hash (${what}): altered or damaged, not used`);
      v = null;
    }
    verdict.set(rel, v);
    return v;
  };
  const refs = (r: EvidenceRecord): [BlobRef, string][] =>
    r.kind === "command" ? [[r.stdout, `stdout of \`${r.command}\` on ${r.node}, record ${r.seq}`], [r.stderr, `stderr of \`${r.command}\` on ${r.node}, record ${r.seq}`]] : r.kind === "snapshot" ? [[r.output, `snapshot ${r.snapshot} of ${r.node}, record ${r.seq}`]] : r.kind === "kube" && r.items ? [[r.items, `${r.resource}${r.namespace ? ` in ${r.namespace}` : ""} from the Kubernetes API, record ${r.seq}`]] : [];
  const badInline = new Set<BlobRef>();
  const lastOfFile = new Map<string, EvidenceRecord>();
  for (const r of records) if ((r.kind === "capture" || r.kind === "table" || r.kind === "export") && r.file) lastOfFile.set(r.file, r);
  for (const r of records) {
    for (const [ref, what] of refs(r)) {
      if (!ref || typeof ref !== "object") continue;
      if (ref.file) fileChecked(ref.file, ref.sha256, what);
      else if (typeof ref.text === "string" && sha256Hex(ref.text) !== ref.sha256) {
        warnings.push(`${what}: inline output does not match its hash: altered, not used`);
        badInline.add(ref);
      }
    }
    // A file written again under the same name (an export made once more) is checked against its last record.
    if ((r.kind === "capture" || r.kind === "table" || r.kind === "export") && r.file && lastOfFile.get(r.file) === r) fileChecked(r.file, r.sha256, `${r.kind} record ${r.seq}`);
  }

  const bytes = (ref: BlobRef): Buffer | null => {
    if (!ref || badInline.has(ref)) return null;
    if (ref.file) return verdict.has(ref.file) ? verdict.get(ref.file)! : fileChecked(ref.file, ref.sha256, "blob");
    return typeof ref.text === "string" ? Buffer.from(ref.text, "utf8") : null;
  };
  return {
    source,
    dir,
    manifest,
    records,
    warnings,
    bytes,
    text: (ref) => {
      if (ref && !ref.file && typeof ref.text === "string") return badInline.has(ref) ? null : ref.text;
      return bytes(ref)?.toString("utf8") ?? null;
    },
    file: (rel) => {
      const r = [...records].reverse().find((x) => (x.kind === "capture" || x.kind === "table" || x.kind === "export") && x.file === rel) as { sha256: string } | undefined;
      return r ? fileChecked(rel, r.sha256, "file") : read(rel);
    },
  };
}
