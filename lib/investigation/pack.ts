/**
 * `packetwalk pack`: one file to send. An investigation folder becomes a ustar archive (gzipped when the
 * name ends in `.gz` or `.tgz`) holding `<id>/…`, which `openInvestigation` and `walk --replay` read
 * without unpacking, and `tar -xf` unpacks anywhere.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FILES, isLockFile, type Manifest } from "./layout";
import { InvestigationError } from "./reader";
import { packTar, type TarEntry } from "./tar";

/** The names a packed investigation may have. */
export const PACKED_NAME = /\.(tar|tar\.gz|tgz)$/i;

/**
 * Packs the investigation folder `dir` into `outFile`; returns the number of files and bytes written.
 *
 * @example
 * packInvestigation("out/investigation", "incident-42.tar.gz"); // { files: 14, bytes: 20480 }
 */
export function packInvestigation(dir: string, outFile: string): { files: number; bytes: number } {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, FILES.manifest), "utf8")) as Manifest;
  } catch (e) {
    throw new InvestigationError(`${dir} is not an investigation folder (${FILES.manifest}: ${(e as Error).message})`);
  }
  if (!PACKED_NAME.test(outFile)) throw new InvestigationError(`${outFile}: a packed investigation's name ends in .tar, .tar.gz or .tgz`);
  const root = String(manifest.id || "investigation").replace(/[^A-Za-z0-9_.-]+/g, "_");
  const entries: TarEntry[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(dir, rel);
    for (const d of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(r);
      else if (d.isFile() && !d.name.endsWith(".tmp") && !isLockFile(d.name)) {
        const st = fs.statSync(path.join(abs, d.name));
        entries.push({ name: `${root}/${r}`, bytes: fs.readFileSync(path.join(abs, d.name)), mtime: st.mtime });
      }
    }
  };
  walk("");
  const out = packTar(entries, { gzip: /\.(gz|tgz)$/i.test(outFile) });
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  fs.writeFileSync(outFile, out);
  return { files: entries.length, bytes: out.length };
}
