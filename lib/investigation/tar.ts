/**
 * A POSIX ustar archive: what `packetwalk pack` writes (one file to send, which `tar -xf` also opens)
 * and what `openInvestigation` reads in memory, gzipped or not. Regular files only; names up to 255
 * bytes (ustar's prefix + name). Reading never throws: a cut or damaged archive gives the files before
 * the damage and one error.
 */
import * as zlib from "node:zlib";

/** A file to put in an archive. */
export interface TarEntry {
  /** Path inside the archive, `/`-separated, no leading `/` and no `..`. */
  name: string;
  bytes: Uint8Array;
  /** Modification time; default now. */
  mtime?: Date;
}

const BLOCK = 512;

/**
 * Packs files into a ustar archive (gzipped when `gzip` is set).
 *
 * @example
 * const tar = packTar([{ name: "inv/manifest.json", bytes: Buffer.from("{}") }]);
 * readTar(tar).files.get("inv/manifest.json")?.toString() // "{}"
 */
export function packTar(entries: readonly TarEntry[], opts: { gzip?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const header = Buffer.alloc(BLOCK);
    const { name, prefix } = splitName(e.name);
    header.write(name, 0, 100, "utf8");
    writeOctal(header, 100, 8, 0o644);
    writeOctal(header, 108, 8, 0);
    writeOctal(header, 116, 8, 0);
    writeOctal(header, 124, 12, e.bytes.length);
    writeOctal(header, 136, 12, Math.floor((e.mtime ?? new Date()).getTime() / 1000));
    header.fill(0x20, 148, 156); // checksum field counts as spaces
    header.write("0", 156, 1, "ascii");
    header.write("ustar\u0000", 257, 6, "binary");
    header.write("00", 263, 2, "ascii");
    header.write(prefix, 345, 155, "utf8");
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += header[i]!;
    header.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "binary");
    parts.push(header, Buffer.from(e.bytes.buffer, e.bytes.byteOffset, e.bytes.length));
    const pad = (BLOCK - (e.bytes.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  const tar = Buffer.concat(parts);
  return opts.gzip ? zlib.gzipSync(tar) : tar;
}

/**
 * Reads a ustar (or pax/GNU-compatible) archive, gzipped or not, into a map of path → bytes.
 *
 * @example
 * const { files, error } = readTar(fs.readFileSync("incident-42.tar"));
 */
export function readTar(data: Uint8Array): { files: Map<string, Buffer>; error: string | null } {
  const files = new Map<string, Buffer>();
  let buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (e) {
      return { files, error: `not a readable gzip stream: ${(e as Error).message}` };
    }
  }
  let off = 0;
  let longName: string | null = null;
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) return { files, error: null };
    const stored = readOctal(h, 148, 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (stored === null || stored !== sum) return { files, error: `damaged archive header at byte ${off} (checksum)` };
    const size = readOctal(h, 124, 12);
    if (size === null) return { files, error: `damaged archive header at byte ${off} (size)` };
    const type = String.fromCharCode(h[156]!);
    const magic = h.toString("binary", 257, 262);
    const prefix = magic === "ustar" ? cstr(h, 345, 155) : "";
    const base = cstr(h, 0, 100);
    const name = longName ?? (prefix ? `${prefix}/${base}` : base);
    const start = off + BLOCK;
    const end = start + size;
    if (end > buf.length) return { files, error: `archive cut inside ${JSON.stringify(name)} (${buf.length - start} of ${size} bytes)` };
    const body = buf.subarray(start, end);
    longName = null;
    if (type === "L") longName = cstr(body, 0, body.length); // GNU long name for the next entry
    else if (type === "x") longName = paxPath(body);
    else if (type === "0" || type === "\u0000" || type === "7") {
      const clean = cleanPath(name);
      if (clean) files.set(clean, Buffer.from(body));
    }
    off = end + ((BLOCK - (size % BLOCK)) % BLOCK);
  }
  return { files, error: off >= buf.length ? "archive ends without its closing blocks (cut?)" : `archive cut in a header at byte ${off}` };
}

function splitName(full: string): { name: string; prefix: string } {
  const n = cleanPath(full);
  if (!n) throw new TypeError(`packTar: unsafe path ${JSON.stringify(full)}`);
  if (Buffer.byteLength(n) <= 100) return { name: n, prefix: "" };
  for (let i = n.lastIndexOf("/"); i > 0; i = n.lastIndexOf("/", i - 1)) {
    if (Buffer.byteLength(n.slice(i + 1)) <= 100 && Buffer.byteLength(n.slice(0, i)) <= 155) return { name: n.slice(i + 1), prefix: n.slice(0, i) };
  }
  throw new TypeError(`packTar: path too long for ustar: ${n}`);
}

// A relative path with no empty, `.` or `..` parts; null when it would escape or is empty.
function cleanPath(p: string): string | null {
  const parts = p.replace(/\\/g, "/").split("/").filter((x) => x !== "" && x !== ".");
  if (parts.length === 0 || parts.some((x) => x === "..")) return null;
  return parts.join("/");
}

function writeOctal(b: Buffer, off: number, len: number, v: number): void {
  b.write(`${v.toString(8).padStart(len - 1, "0")}\u0000`, off, len, "ascii");
}

function readOctal(b: Buffer, off: number, len: number): number | null {
  const s = b.toString("ascii", off, off + len).replace(/[\u0000 ]+$/g, "").trim();
  if (!/^[0-7]+$/.test(s)) return s === "" ? 0 : null;
  return parseInt(s, 8);
}

function cstr(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString("utf8", off, end >= 0 && end < off + len ? end : off + len);
}

function paxPath(body: Buffer): string | null {
  for (const line of body.toString("utf8").split("\n")) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1]!;
  }
  return null;
}
