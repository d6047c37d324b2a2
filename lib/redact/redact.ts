/**
 * `redact()`: a shareable copy of an investigation and everything beside it (the executed notebooks,
 * their HTML, the walk report), every address and name replaced the same way in every file, then
 * checked: the output is read back and scanned for every original value; any found is a leftover
 * naming its file and place. Files that cannot be redacted are left out and listed, never copied.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FILES, isLockFile } from "../investigation/layout";
import { PACKED_NAME } from "../investigation/pack";
import { openInvestigation, type Investigation } from "../investigation/reader";
import { packTar, readTar } from "../investigation/tar";
import { createAddressMapper } from "./address";
import { redactArrow } from "./arrow";
import { redactCapture } from "./capture";
import { listCaptureAddresses } from "./capture-addresses";
import { findAddresses } from "./find-addresses";
import { NameCollector } from "./find-names";
import { isCapture, redactInvestigation, type CaptureRewriter } from "./investigation";
import { redactJson, secretPath } from "./json";
import { loadKeyFile, memoryKey, saveKeyFile, writePrivate, type KeyFile } from "./keyfile";
import { ChartRenderer, redactNotebook, type NotebookJson } from "./notebook";
import { TextRedactor, type AddressMapper, type RedactionCounts } from "./text";
import { findLeftovers, type Leftover } from "./verify";

/** What renders pages again from redacted data (`packetwalk share` passes the project's renderers). */
export interface ShareRenderers {
  /** A notebook's HTML page from the redacted notebook. */
  notebookHtml?(nb: NotebookJson, opts: { hideInput: boolean }): string;
  /** The walk report (page and JSON) made again by replaying the redacted investigation in `dir`. */
  walkReport?(dir: string): Promise<{ html: string; json: Record<string, unknown> }>;
}

/** Options of {@link redact}. */
export interface RedactOptions {
  /** An investigation folder or packed file, or a folder holding one and the files beside it (a `walk --out` folder). */
  input: string;
  /** A folder (made; refused when it exists and is not empty), or a packed file (`.tar`, `.tar.gz`, `.tgz`). */
  output: string;
  /** The owner's key file (generated when absent), or a loaded key; default: a key for this share only. */
  keyFile?: string | KeyFile;
  /** Where to write the reverse map (original ↔ pseudonym) for the owner, mode 0600. */
  mapOut?: string;
  /** Cut every packet's payload to this many bytes. */
  truncatePayload?: number;
  /** Address ranges kept as they are (CIDR), besides the special ones. */
  keepRanges?: string[];
  /** Keep MAC addresses' OUI (the vendor's first three bytes). */
  keepOui?: boolean;
  renderers?: ShareRenderers;
  /**
   * The capture rewriter factory (default: `redactCapture` of `capture.ts`, in place for the capture
   * files read for the share: its second argument says when the bytes may be overwritten).
   */
  captureRewriter?: (mapper: AddressMapper, text: (s: string) => string, truncatePayload?: number) => CaptureRewriter | null;
}

/** What {@link redact} did. */
export interface RedactResult {
  output: string;
  /** Files written (paths inside the output) with their kind. */
  written: { file: string; kind: string }[];
  /** Input files not in the output, with the reason. */
  leftOut: { file: string; reason: string }[];
  /** Parts removed inside files that were written (an image with no chart spec …). */
  removed: string[];
  /** What the input investigation's reader found wrong (a cut log, a missing blob …): those parts are left out. */
  warnings: string[];
  counts: RedactionCounts;
  /** Names given an alias for the first time by this share. */
  newAliases: number;
  /** Original values found in the written output: none when the share is safe. */
  leftovers: Leftover[];
  /** The walk report made again from the redacted investigation, compared stage by stage with the original's verdicts. */
  replay?: { stages: number; matching: number; differences: string[] };
  /** Charts rendered again from redacted specs; capture frames rewritten. */
  charts: number;
  frames: number;
  /** Milliseconds spent per phase (`read`, `names`, `investigation`, `files`, `pages`, `write`, `verify`). */
  timings: Record<string, number>;
  /** No leftover (the output is safe to share as far as the scan can tell). */
  ok: boolean;
}

const TEXT_EXT = new Set([".txt", ".md", ".log", ".csv", ".tsv", ".yaml", ".yml", ".ts", ".js", ".py", ".sh", ".conf", ".cfg", ".ini", ".xml", ".svg"]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Redacts an investigation (and what is beside it) into `output`, then verifies the output.
 *
 * @example
 * const r = await redact({ input: "out", output: "share.tar.gz", keyFile: "owner.key" });
 * if (!r.ok) console.error(r.leftovers);
 */
export async function redact(opts: RedactOptions): Promise<RedactResult> {
  const key = typeof opts.keyFile === "string" ? loadKeyFile(opts.keyFile) : (opts.keyFile ?? memoryKey());
  const mapper = createAddressMapper(key.key, { ...(opts.keepRanges ? { keepRanges: opts.keepRanges } : {}), ...(opts.keepOui ? { keepOui: true } : {}) });
  const r = new TextRedactor(mapper, key.aliases);
  const packed = PACKED_NAME.test(opts.output);
  if (!packed && fs.existsSync(opts.output) && (!fs.statSync(opts.output).isDirectory() || fs.readdirSync(opts.output).length > 0)) {
    throw new Error(`${opts.output} exists and is not an empty folder: choose a new output (a share never mixes with other files)`);
  }
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), "pwshare-"));
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string): void => {
    const now = performance.now();
    timings[name] = Math.round(now - mark);
    mark = now;
  };
  try {
    const root = inputFolder(opts.input, temp);
    const { files, links } = listFiles(root);
    const leftOut: { file: string; reason: string }[] = links.map((f) => ({ file: f, reason: "a symbolic link (not followed)" }));
    const removed: string[] = [];

    // Investigations: every folder holding a manifest or an evidence log.
    const invRoots = [...new Set(files.filter((f) => path.posix.basename(f) === FILES.manifest || path.posix.basename(f) === FILES.log).map((f) => path.posix.dirname(f)))];
    const invOf = (f: string): string | undefined => invRoots.find((d) => (d === "." ? !f.includes("/") || /^(blobs|captures|tables|exports)\//.test(f) : f.startsWith(`${d}/`)) && isInvestigationPart(d === "." ? f : f.slice(d.length + 1)));
    const invs: { dir: string; inv: Investigation }[] = [];
    const warnings: string[] = [];
    for (const d of invRoots) {
      try {
        const inv = openInvestigation(path.join(root, d));
        invs.push({ dir: d, inv });
        for (const w of inv.warnings) warnings.push(`${d === "." ? "" : `${d}: `}${w}`);
      } catch (e) {
        // Not readable as an investigation: its parts are left out, the rest goes on.
        for (const f of files) if (invOf(f) === d) leftOut.push({ file: f, reason: `part of an investigation that cannot be read: ${(e as Error).message.slice(0, 200)}` });
      }
    }

    phase("read");
    // 1. Names: what the investigations know, then the patterns in every file.
    const names = new NameCollector();
    const texts = new Map<string, string>();
    for (const { inv } of invs) {
      names.fromJson(inv.manifest, { evidence: true });
      for (const rec of inv.records) {
        names.fromJson(rec, { evidence: true });
        const refs = rec.kind === "command" ? [rec.stdout, rec.stderr] : rec.kind === "snapshot" ? [rec.output] : [];
        for (const ref of refs) {
          const t = inv.text(ref);
          if (t !== null) names.fromText(t, { evidence: true });
        }
        if (rec.kind === "kube") {
          // The API's objects name namespaces, pods, services, ingresses and nodes: aliases everywhere.
          if (typeof rec.context === "string") names.add("cluster", rec.context);
          const t = rec.items ? inv.text(rec.items) : null;
          if (t !== null) {
            try {
              names.fromKubeItems(rec.resource, JSON.parse(t));
            } catch {
              names.fromText(t, { evidence: true });
            }
          }
        }
      }
    }
    const others = files.filter((f) => invOf(f) === undefined);
    for (const f of others) {
      const ext = path.extname(f).toLowerCase();
      if (ext === ".pcap" || ext === ".pcapng" || ext === ".arrow") continue;
      let t: string;
      try {
        t = utf8.decode(fs.readFileSync(path.join(root, f)));
      } catch {
        continue;
      }
      texts.set(f, t);
      if (ext === ".json" || ext === ".ipynb") {
        try {
          names.fromJson(JSON.parse(t));
          continue;
        } catch {
          /* read as text */
        }
      }
      names.fromText(t);
    }
    const before = key.aliases.added;
    key.aliases.assign(names.entries());

    phase("names");
    // 2. Redact: investigations first (captures), then the files beside them.
    const text = (s: string): string => r.text(s);
    const capturer = opts.captureRewriter
      ? opts.captureRewriter(mapper, text, opts.truncatePayload)
      : (bytes: Uint8Array, inPlace?: boolean) => redactCapture(bytes, { addresses: mapper, text, ...(opts.truncatePayload !== undefined ? { truncatePayload: opts.truncatePayload } : {}), ...(inPlace ? { inPlace } : {}) });
    const out = new Map<string, Buffer>();
    const written: { file: string; kind: string }[] = [];
    const put = (file: string, bytes: Buffer, kind: string): void => {
      out.set(file, bytes);
      written.push({ file, kind });
    };
    let frames = 0;
    for (const { dir, inv } of invs) {
      for (const rec of inv.records) {
        const b = (rec.kind === "capture" || rec.kind === "export") && rec.file ? inv.file(rec.file) : rec.kind === "command" ? inv.bytes(rec.stdout) : null;
        if (b && isCapture(b)) noteCaptureAddresses(b, r);
      }
      const red = redactInvestigation(inv, r, capturer);
      frames += red.frames;
      const outDir = dir === "." ? "" : `${r.text(dir)}/`;
      for (const [f, b] of red.files) put(`${outDir}${f}`, b, f === FILES.manifest || f === FILES.log ? "investigation" : f.split("/")[0]!.replace(/s$/, ""));
      for (const l of red.leftOut) leftOut.push({ file: `${dir === "." ? "" : `${dir}/`}${l.what}`, reason: l.reason });
      // Files inside the investigation that no record names (a stray export, an old blob): not copied.
      const named = new Set<string>([FILES.manifest, FILES.log]);
      for (const rec of inv.records) {
        const x = rec as { file?: unknown; stdout?: { file?: unknown }; stderr?: { file?: unknown }; output?: { file?: unknown }; items?: { file?: unknown } | null };
        for (const f of [x.file, x.stdout?.file, x.stderr?.file, x.output?.file, x.items?.file]) if (typeof f === "string") named.add(f);
      }
      for (const f of files) {
        if (invOf(f) !== dir) continue;
        const rel = dir === "." ? f : f.slice(dir.length + 1);
        if (!named.has(rel)) leftOut.push({ file: f, reason: "inside the investigation but named by no record of its evidence log" });
      }
      removed.push(...red.captureProblems);
    }
    phase("investigation");
    // Walk reports are made again by replaying the redacted investigation: started now, so the replay
    // runs while the notebooks' charts render in their worker thread.
    const reports = new Map<string, Promise<{ html: string; json: Record<string, unknown> } | Error>>();
    for (const f of others) {
      const inv = invs.find((i) => path.posix.dirname(i.dir) === path.posix.dirname(f) || i.dir === path.posix.join(path.posix.dirname(f), "investigation"));
      if (path.posix.basename(f) !== "walk.html" || !inv || !opts.renderers?.walkReport) continue;
      const invDir = path.join(temp, `replay-${reports.size}`);
      const prefix = inv.dir === "." ? "" : `${r.text(inv.dir)}/`;
      for (const [k, b] of out) {
        if (prefix && !k.startsWith(prefix)) continue;
        const rest = k.slice(prefix.length);
        if (!isInvestigationPart(rest)) continue;
        fs.mkdirSync(path.dirname(path.join(invDir, rest)), { recursive: true });
        fs.writeFileSync(path.join(invDir, rest), b);
      }
      reports.set(f, opts.renderers.walkReport(invDir).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
    }
    const charts = new ChartRenderer();
    let chartCount = 0;
    const notebooks = new Map<string, NotebookJson>();
    const pending: string[] = [];
    const nbTasks: Promise<void>[] = [];
    for (const f of others) {
      const ext = path.extname(f).toLowerCase();
      const rel = r.text(f);
      const bytes = fs.readFileSync(path.join(root, f));
      try {
        if (ext === ".ipynb") {
          const nb = JSON.parse(texts.get(f) ?? "") as NotebookJson;
          // The text is redacted now; the charts render meanwhile (a worker thread) and are awaited below.
          nbTasks.push(
            redactNotebook(nb, r, charts).then((red) => {
              chartCount += red.charts;
              removed.push(...red.removed.map((x) => `${f}: ${x}`));
              notebooks.set(f, red.notebook);
              put(rel, Buffer.from(`${JSON.stringify(red.notebook, null, 1)}\n`), "notebook");
            }, (e: Error) => {
              leftOut.push({ file: f, reason: `cannot be read to redact it: ${e.message.slice(0, 200)}` });
            }),
          );
        } else if (ext === ".html") pending.push(f);
        else if (ext === ".json") {
          const v = JSON.parse(texts.get(f) ?? "") as unknown;
          const secret = secretPath(v);
          if (secret) leftOut.push({ file: f, reason: `it holds secrets (${secret}): an inventory or key file; the investigation's manifest carries the inventory without them` });
          else put(rel, Buffer.from(`${JSON.stringify(redactJson(v, r), null, 2)}\n`), "json");
        } else if (ext === ".jsonl") {
          const lines = (texts.get(f) ?? "").split("\n");
          put(rel, Buffer.from(lines.map((l) => (l.trim() === "" ? l : JSON.stringify(redactJson(JSON.parse(l), r)))).join("\n")), "json");
        } else if (ext === ".arrow") put(rel, Buffer.from(redactArrow(bytes, r).bytes), "table");
        else if (ext === ".pcap" || ext === ".pcapng") {
          if (!capturer) leftOut.push({ file: f, reason: "no capture rewriter: captures cannot be redacted" });
          else {
            noteCaptureAddresses(bytes, r);
            // read for this share alone: rewritten inside the bytes read (no second copy)
            const c = capturer(bytes, true);
            const fatal = c.problems.find((p) => p.frame === 0);
            if (fatal) {
              leftOut.push({ file: f, reason: `cannot be read as a capture: ${r.text(fatal.message)}` });
              continue;
            }
            frames += c.frames;
            removed.push(...c.problems.map((p) => `${f} frame ${p.frame}: ${r.text(p.message)}`));
            put(rel, Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.length), "capture");
          }
        } else if (TEXT_EXT.has(ext) && texts.has(f)) put(rel, Buffer.from(r.text(texts.get(f)!)), "text");
        else leftOut.push({ file: f, reason: texts.has(f) || TEXT_EXT.has(ext) ? (TEXT_EXT.has(ext) ? "not UTF-8 text" : `an unknown kind of file (${ext || "no extension"})`) : `a binary file of an unknown kind (${ext || "no extension"})` });
      } catch (e) {
        leftOut.push({ file: f, reason: `cannot be read to redact it: ${(e as Error).message.slice(0, 200)}` });
      }
    }

    await Promise.all(nbTasks);
    charts.close();
    phase("files");
    timings.charts = Math.round(charts.ms);
    // 3. Pages: rendered again from the redacted notebooks and the redacted investigation.
    let replay: RedactResult["replay"];
    for (const f of pending) {
      const base = f.replace(/\.html$/i, "");
      const nb = notebooks.get(`${base}.ipynb`);
      const original = texts.get(f) ?? "";
      if (nb && opts.renderers?.notebookHtml) {
        put(r.text(f), Buffer.from(opts.renderers.notebookHtml(nb, { hideInput: !original.includes('<pre class="source">') })), "html");
        continue;
      }
      const report = reports.get(f);
      if (report) {
        const page = await report;
        if (page instanceof Error) leftOut.push({ file: f, reason: `the report could not be made again from the redacted investigation: ${page.message.slice(0, 200)}` });
        else {
          put(r.text(f), Buffer.from(page.html), "html");
          const walkJson = `${path.posix.dirname(f) === "." ? "" : `${path.posix.dirname(f)}/`}walk.json`;
          const mine = out.get(r.text(walkJson));
          if (mine) replay = compareStages(JSON.parse(mine.toString("utf8")) as Record<string, unknown>, page.json);
        }
        continue;
      }
      if (/<svg|<img/i.test(original)) leftOut.push({ file: f, reason: "a page with charts or images and no notebook or investigation to render it again from" });
      else put(r.text(f), Buffer.from(r.text(original)), "html");
    }

    phase("pages");
    // 4. Write, read back, verify.
    const written2 = writeOutput(opts.output, out, packed, invs.length === 1 && invs[0]!.dir === "." ? invs[0]!.inv.manifest.id : path.basename(opts.output).replace(PACKED_NAME, ""));
    const originals = new Map<string, string>(r.originals);
    for (const n of key.aliases.names()) if (!originals.has(n.toLowerCase())) originals.set(n.toLowerCase(), key.aliases.kindOf(n)!);
    phase("write");
    const leftovers = await findLeftovers(written2, originals);
    phase("verify");
    saveKeyFile(key);
    if (opts.mapOut) writeMap(opts.mapOut, r, key);
    return { output: opts.output, written, leftOut, removed, warnings, counts: r.counts(), newAliases: key.aliases.added - before, leftovers, ...(replay ? { replay } : {}), charts: chartCount, frames, timings, ok: leftovers.length === 0 };
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

// A part of an investigation folder, by its path inside it.
function isInvestigationPart(rel: string): boolean {
  return rel === FILES.manifest || rel === FILES.log || /^(blobs|captures|tables|exports)\/[^/]+$/.test(rel);
}

// The input as a folder: itself, or a packed file unpacked into the temp folder (mode 0700).
function inputFolder(input: string, temp: string): string {
  const st = fs.statSync(input);
  if (st.isDirectory()) return input;
  if (!PACKED_NAME.test(input)) throw new Error(`${input}: expected an investigation folder, a folder holding one, or a packed .tar/.tar.gz/.tgz`);
  const { files, error } = readTar(fs.readFileSync(input));
  if (error && files.size === 0) throw new Error(`${input}: ${error}`);
  const dir = path.join(temp, "input");
  for (const [name, bytes] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), bytes);
  }
  return dir;
}

// Every regular file under the folder (relative, `/`-separated, sorted); symbolic links apart.
function listFiles(root: string): { files: string[]; links: string[] } {
  const files: string[] = [];
  const links: string[] = [];
  const walk = (rel: string): void => {
    for (const d of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isSymbolicLink()) links.push(r);
      else if (d.isDirectory()) walk(r);
      else if (d.isFile() && !d.name.endsWith(".tmp") && !isLockFile(d.name)) files.push(r);
    }
  };
  walk("");
  return { files: files.sort(), links };
}

// Registers a capture's addresses (its outermost Ethernet MACs and every IP header's) as originals
// before it is rewritten, so the check afterwards looks for them too; nothing when the capture does
// not read to its end.
function noteCaptureAddresses(bytes: Uint8Array, r: TextRedactor): void {
  const values = listCaptureAddresses(bytes);
  if (values !== null) for (const v of values) for (const a of findAddresses(v)) r.address(a);
}

function writeOutput(output: string, files: Map<string, Buffer>, packed: boolean, rootName: string): Map<string, Uint8Array> {
  if (packed) {
    const root = rootName.replace(/[^A-Za-z0-9_.-]+/g, "_") || "share";
    const tar = packTar([...files].sort(([a], [b]) => a.localeCompare(b)).map(([name, bytes]) => ({ name: `${root}/${name}`, bytes })), { gzip: /\.(gz|tgz)$/i.test(output) });
    fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
    fs.writeFileSync(output, tar);
    // Read back what was written.
    const { files: back, error } = readTar(fs.readFileSync(output));
    if (error) throw new Error(`${output}: the packed share does not read back: ${error}`);
    return back;
  }
  for (const [name, bytes] of files) {
    fs.mkdirSync(path.dirname(path.join(output, name)), { recursive: true });
    fs.writeFileSync(path.join(output, name), bytes);
  }
  const back = new Map<string, Uint8Array>();
  for (const f of listFiles(output).files) back.set(f, fs.readFileSync(path.join(output, f)));
  return back;
}

function compareStages(original: Record<string, unknown>, replayed: Record<string, unknown>): { stages: number; matching: number; differences: string[] } {
  const list = (j: Record<string, unknown>) => (Array.isArray(j.stages) ? (j.stages as { id?: string; verdict?: string }[]) : []);
  const a = list(original);
  const b = new Map(list(replayed).map((s) => [s.id, s.verdict]));
  const differences: string[] = [];
  for (const s of a) if (b.get(s.id) !== s.verdict) differences.push(`${s.id}: ${s.verdict} in the original, ${b.get(s.id) ?? "missing"} in the replay of the redacted investigation`);
  return { stages: a.length, matching: a.length - differences.length, differences };
}

// The owner's reverse map: pseudonym → original, addresses and names (mode 0600).
function writeMap(file: string, r: TextRedactor, key: KeyFile): void {
  const addresses: Record<string, string> = {};
  for (const [orig, pseudo] of r.pairs) addresses[pseudo] = orig;
  const names: Record<string, Record<string, string>> = {};
  for (const [kind, entries] of Object.entries(key.aliases.toJSON())) names[kind] = Object.fromEntries(Object.entries(entries ?? {}).map(([o, a]) => [a, o]));
  writePrivate(file, `${JSON.stringify({ format: "packetwalk-redact-map", version: 1, created: new Date().toISOString(), addresses, names }, null, 1)}\n`);
}
