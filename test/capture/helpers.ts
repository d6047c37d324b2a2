/**
 * Shared helpers for the capture tests: fixture paths, the tshark oracle TSV, tshark detection.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { prng } from "../helpers/prng";
export { prng };

/** The sample captures of shared/fixtures/pcap and tshark's decoding of them, kept in the repo. */
export const FIXTURES = path.resolve(__dirname, "fixtures");

/** Path of a fixture file. */
export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** One row of tshark-fields.tsv. */
export interface TsharkRow {
  no: number;
  epoch: string;
  protocols: string;
  ipSrc: string[];
  ipDst: string[];
  labels: number[];
  srcPort: number;
  dstPort: number;
  method: string;
  host: string;
  status: number;
}

/** Parses tshark `-T fields` output in the column order of tshark-fields.tsv. */
export function parseTsharkFields(text: string, header = true): TsharkRow[] {
  const lines = text.split("\n").filter((l) => l.length > 0);
  return lines.slice(header ? 1 : 0).map((line) => {
    const c = line.split("\t");
    const list = (s: string | undefined) => (s ? s.split(",") : []);
    return {
      no: Number(c[0]),
      epoch: c[1] ?? "",
      protocols: c[2] ?? "",
      ipSrc: list(c[3]),
      ipDst: list(c[4]),
      labels: list(c[5]).map(Number),
      srcPort: c[6] ? Number(c[6]) : -1,
      dstPort: c[7] ? Number(c[7]) : -1,
      method: c[8] ?? "",
      host: c[9] ?? "",
      status: c[10] ? Number(c[10]) : 0,
    };
  });
}

/** tshark's protocol stack without the pseudo-layers we do not model (ethertype, body dissectors). */
export function normaliseProtocols(p: string): string {
  return p.split(":").filter((x) => !["ethertype", "data-text-lines", "json", "data", "media"].includes(x))
    .map((x) => (x === "ipv6" ? "ipv6" : x)).join(":");
}

let tsharkPath: string | null | undefined;

/** Path of tshark when installed, else null. */
export function findTshark(): string | null {
  if (tsharkPath !== undefined) return tsharkPath;
  try {
    execFileSync("tshark", ["--version"], { stdio: "ignore" });
    tsharkPath = "tshark";
  } catch {
    tsharkPath = null;
  }
  return tsharkPath;
}

/** The tshark field list of tshark-fields.tsv. */
export const TSHARK_FIELDS = [
  "frame.number", "frame.time_epoch", "frame.protocols", "ip.src", "ip.dst", "mpls.label", "tcp.srcport",
  "tcp.dstport", "http.request.method", "http.host", "http.response.code",
];

/** Runs tshark -T fields on a file. */
export function runTsharkFields(file: string, extra: string[] = []): TsharkRow[] {
  const args = ["-r", file, "-T", "fields", ...extra, ...TSHARK_FIELDS.flatMap((f) => ["-e", f])];
  const out = execFileSync("tshark", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return parseTsharkFields(out, false);
}

/** Reads a fixture file as text. */
export function readText(name: string): string {
  return fs.readFileSync(fixture(name), "utf8");
}

