/**
 * Capture redaction benchmark (issue #16: ≥ 1,000,000 packets/s): a pcap of 1,000,000 packets
 * (× PACKETWALK_BENCH_SCALE) of the capture bench's scenario mix (MPLSoGRE, MPLSoUDP, VXLAN,
 * VLAN-tagged GRE, two-label stacks; HTTP exchanges, so every frame has 4 IPv4 addresses, 2–4 MACs and
 * 2–4 checksums to rewrite, the HTTP messages' header values go through `text`, and the 2.6 KB
 * response bodies are text payloads).
 *
 * `text` is what a share passes: a `TextRedactor` over the same address mapper, with an alias table
 * of a few names (nodes, a host, a VRF), so header values and text bodies are searched for addresses
 * and names as in `packetwalk share --redact`.
 *
 * Prints side by side, wall and CPU time (best of 2 warm runs, each after a full GC, with a fresh
 * mapper and redactor, as in a share), with the load average, for the paths that matter:
 *   - **share path**: what `packetwalk share --redact` does with a capture file (`lib/redact/redact.ts`,
 *     `investigation.ts`): `redactCapture` in memory, one thread (no worker), default options (text
 *     payloads on), `inPlace: true` — share reads the file for this share alone and the pcap is
 *     rewritten inside the bytes read. Each run gets its own copy of the input made before the clock
 *     starts, as share's file read is (every path needs the input in memory or reads it). The issue's
 *     target is judged on it;
 *   - in memory copying (`inPlace` off: an output as large as the input is allocated and first
 *     touched), defaults: the share path before, and a `tcpdump -w -` output share keeps as it is;
 *   - headers only (`textPayloads: false`), in place and copying; `truncatePayload: 64` in place
 *     (`share --truncate-payload 64`);
 *   - streaming (`createCaptureRedactorStream`, 1 MiB chunks to a synchronous writer), headers only
 *     and defaults; and streaming file → file (1 MiB `fs.readSync` chunks of a file in the temp
 *     folder, the redacted blocks `fs.writeSync`-ed to another), defaults;
 *   - `readCapture` of the same bytes into a FrameTable: the yardstick of one decoding pass.
 * Then whether the target is MET on the share path (on a shared machine, wall time measures the
 * neighbours too; CPU time is this process's own work, page faults included). Last, the whole share
 * around that step, on a tenth of the packets: `redact()` of an investigation holding the capture,
 * by phase (the share also lists the capture's addresses before and checks the written capture's
 * frames after, each a `listFrameAddresses` pass, and scans the written capture as text).
 *
 * Run: `PACKETWALK_BENCH_ONLY=redact node dist/test/bench/index.js`
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PcapWriter } from "../../lib/capture/file/writer";
import { readCapture } from "../../lib/capture/read";
import { createInvestigation } from "../../lib/investigation/writer";
import { createAddressMapper } from "../../lib/redact/address";
import { AliasTable } from "../../lib/redact/aliases";
import { redactCapture, type CaptureRedaction, type CaptureRedactionOptions } from "../../lib/redact/capture";
import { createCaptureRedactorStream } from "../../lib/redact/capture-stream";
import { redact } from "../../lib/redact/redact";
import { TextRedactor } from "../../lib/redact/text";
import { templates } from "./capture";
import { settle } from "./settle";

const TARGET_PPS = 1_000_000;
const PCAP_HEADER = 24;

/** The scenario mix as one in-memory pcap of `packets` frames. */
function generate(packets: number): Buffer {
  const t = templates(600);
  const w = new PcapWriter(undefined, { bufferSize: 64 << 20 });
  let sec = 1732456800, nsec = 0;
  for (let i = 0; i < packets; i++) {
    w.write(t[i % t.length]!, { sec, nsec });
    nsec += 10_000;
    if (nsec >= 1e9) { nsec -= 1e9; sec++; }
  }
  return w.toBuffer();
}

type Options = Pick<CaptureRedactionOptions, "truncatePayload" | "textPayloads" | "inPlace">;

/**
 * Runs the bench and prints its figures.
 * @example await run(console.log); // "redact: share path (in place, one thread, defaults): 1000000 packets in … s = … packets/s …"
 */
export async function run(log: (line: string) => void): Promise<void> {
  const scale = Number(process.env.PACKETWALK_BENCH_SCALE ?? "1");
  const packets = Math.max(1000, Math.round(1_000_000 * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
  const g0 = performance.now();
  const bytes = generate(packets);
  const mib = bytes.length / 2 ** 20;
  log(`redact: generated ${packets} packets, ${mib.toFixed(1)} MiB in memory in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  const key = new Uint8Array(32).map((_, i) => (i * 151 + 7) & 255);
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const load = (): string => `load ${os.loadavg()[0]!.toFixed(1)}`;

  /** A fresh mapper and text redactor, as a share makes (its alias table names a few nodes, a host, a VRF). */
  const fresh = (): Pick<CaptureRedactionOptions, "addresses" | "text"> => {
    const addresses = createAddressMapper(key);
    const aliases = new AliasTable();
    aliases.assign([["node", "cent111"], ["node", "cent222"], ["node", "cent333"], ["host", "www.juniper.net"], ["vrf", "default-domain:k8s-default:k8s-default-pod-network"]] as const);
    const r = new TextRedactor(addresses, aliases);
    return { addresses, text: (s) => r.text(s) };
  };
  interface Run { wall: number; cpu: number; load: string }
  const timed = (f: () => CaptureRedaction, check: (r: CaptureRedaction) => string): Run => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = f();
    const c = process.cpuUsage(c0);
    const wall = (performance.now() - t0) / 1000;
    const bad = check(r);
    if (bad) throw new Error(bad);
    return { wall, cpu: (c.user + c.system) / 1e6, load: load() };
  };
  const whole = (r: CaptureRedaction): string =>
    r.frames !== packets || r.problems.length > 0 ? `read ${r.frames} of ${packets} frames, problems: ${JSON.stringify(r.problems.slice(0, 3))}` : "";
  // the hash of the first share-path output, to check every other path gives the same bytes (a hash,
  // not a copy: 380 MiB more kept alive would make the later runs pay for it in garbage collection)
  let reference: string | null = null;
  const digest = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
  const sameAsReference = (b: Uint8Array): string => (reference !== null && digest(b) !== reference ? "output differs from the share path's" : "");
  const inMemory = (o: Options): Run => {
    // in place: a copy of the input of its own, made before the clock starts (share's file read)
    const input = o.inPlace ? new Uint8Array(bytes) : bytes;
    return timed(() => redactCapture(input, { ...fresh(), ...o }), (r) => {
      if (reference === null && o.inPlace && o.textPayloads === undefined && o.truncatePayload === undefined) reference = digest(r.bytes);
      return whole(r) || (o.textPayloads === undefined && o.truncatePayload === undefined ? sameAsReference(r.bytes) : "");
    });
  };
  const streaming = (o: Options): Run => {
    let written = 0;
    return timed(() => {
      // the writer consumes synchronously (as fs.writeSync would), so it borrows one reused block
      const st = createCaptureRedactorStream({ ...fresh(), ...o, ownChunks: false, write: (b) => { written += b.length; } });
      for (let p = 0; p < bytes.length; p += 1 << 20) st.push(bytes.subarray(p, Math.min(bytes.length, p + (1 << 20))));
      return st.end();
    }, (r) => whole(r) || (written !== bytes.length ? `stream wrote ${written} of ${bytes.length} bytes` : ""));
  };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-bench-redact-"));
  const inFile = path.join(tmp, "in.pcap"), outFile = path.join(tmp, "out.pcap");
  fs.writeFileSync(inFile, bytes);
  const fileToFile = (): Run => timed(() => {
    const fin = fs.openSync(inFile, "r"), fout = fs.openSync(outFile, "w");
    try {
      const st = createCaptureRedactorStream({ ...fresh(), ownChunks: false, write: (b) => { fs.writeSync(fout, b); } });
      const chunk = new Uint8Array(1 << 20);
      for (let got; (got = fs.readSync(fin, chunk, 0, chunk.length, null)) > 0;) st.push(chunk.subarray(0, got));
      return st.end();
    } finally {
      fs.closeSync(fin); fs.closeSync(fout);
    }
  }, (r) => whole(r) || sameAsReference(fs.readFileSync(outFile)));
  // each run after a full GC: it measures one redaction, not the collection of the previous one's output
  const best = async (f: () => Run): Promise<Run> => {
    await settle(200);
    const a = f();
    await settle(200);
    const b = f();
    return a.wall <= b.wall ? a : b;
  };
  const line = (what: string, r: Run): string =>
    `redact: ${what}: ${packets} packets in ${r.wall.toFixed(2)} s = ${n(packets / r.wall)} packets/s, ${(mib / r.wall).toFixed(0)} MiB/s; ` +
    `CPU ${r.cpu.toFixed(2)} s = ${n(packets / r.cpu)} packets per CPU-second (${r.load})`;

  const SHARE = "share path (redactCapture in memory, in place, one thread, defaults: text payloads through the share's TextRedactor)";
  try {
    await settle(200);
    const cold = inMemory({ inPlace: true });
    log(line(`${SHARE}, first run (cold JIT)`, cold));
    const share = await best(() => inMemory({ inPlace: true }));
    log(line(`${SHARE}, best of 2`, share));
    const copying = await best(() => inMemory({}));
    log(line("in memory copying (inPlace off: the share path before), defaults, best of 2", copying));
    const headersInPlace = await best(() => inMemory({ inPlace: true, textPayloads: false }));
    log(line("in memory in place, headers only (textPayloads: false), best of 2", headersInPlace));
    const headers = await best(() => inMemory({ textPayloads: false }));
    log(line("in memory copying, headers only, best of 2", headers));
    const trunc = await best(() => inMemory({ inPlace: true, truncatePayload: 64 }));
    log(line("in memory in place, truncatePayload 64 (share --truncate-payload 64), best of 2", trunc));
    const streamHeaders = await best(() => streaming({ textPayloads: false }));
    log(line("streaming, headers only, best of 2", streamHeaders));
    const streamDefaults = await best(() => streaming({}));
    log(line("streaming, defaults, best of 2", streamDefaults));
    const files = await best(fileToFile);
    log(line("streaming file → file (1 MiB fs.readSync chunks, fs.writeSync of the reused block, temp folder), defaults, best of 2", files));

    await settle(200);
    const d0 = performance.now();
    const dc0 = process.cpuUsage();
    const table = await readCapture(bytes);
    const dc = process.cpuUsage(dc0);
    const ds = (performance.now() - d0) / 1000;
    const dcpu = (dc.user + dc.system) / 1e6;
    log(`redact: yardstick, readCapture of the same bytes into a FrameTable: ${table.length} packets in ${ds.toFixed(2)} s = ${n(table.length / ds)} packets/s; ` +
      `CPU ${dcpu.toFixed(2)} s = ${n(table.length / dcpu)} packets per CPU-second (${load()})`);
    log(`redact: share path / readCapture = ${((packets / share.wall) / (table.length / ds)).toFixed(2)} wall, ${((packets / share.cpu) / (dcpu > 0 ? table.length / dcpu : 1)).toFixed(2)} CPU`);
    const verdict = (r: Run) => `${packets / r.wall >= TARGET_PPS ? "MET" : "NOT MET"} (${n(packets / r.wall)} packets/s wall, ${n(packets / r.cpu)} per CPU-second; ${r.load})`;
    log(`redact: target ≥ ${n(TARGET_PPS)} packets/s on the share path (what packetwalk share --redact does with a capture file: redactCapture in memory, in place, one thread, no worker, defaults): ${verdict(share)}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(", ")} on ${os.cpus().length} cores`);
    log(`redact: target on in memory copying, defaults: ${verdict(copying)}; in place, headers only: ${verdict(headersInPlace)}; streaming, defaults: ${verdict(streamDefaults)}; file → file: ${verdict(files)}`);

    // The whole share around that step, on a tenth of the packets: redact() of an investigation holding
    // the capture (open and hash-check it, note the capture's addresses for the check, redact, hash,
    // write, read back and scan the output for every original).
    const part = Math.max(1000, Math.round(packets / 10));
    let end = PCAP_HEADER;
    for (let i = 0; i < part; i++) end += 16 + new DataView(bytes.buffer, bytes.byteOffset + end + 8, 4).getUint32(0, true);
    const invDir = path.join(tmp, "inv");
    const w = createInvestigation(invDir, { target: { kind: "lab", source: "bench", nodes: [{ name: "cent222", role: "compute" }] }, parameters: {} });
    w.addCapture({ node: "cent222", iface: "ens3", filter: "", command: "tcpdump -i ens3 -w -" }, bytes.subarray(0, end));
    w.close();
    await settle(200);
    const s0 = performance.now();
    const sc0 = process.cpuUsage();
    const res = await redact({ input: invDir, output: path.join(tmp, "shared") });
    const sc = process.cpuUsage(sc0);
    const ss = (performance.now() - s0) / 1000;
    if (res.frames !== part || !res.ok) throw new Error(`the share redacted ${res.frames} of ${part} frames, ${res.leftovers.length} leftovers`);
    log(`redact: the whole share around it (redact() of an investigation holding ${part} of these packets, ${(end / 2 ** 20).toFixed(1)} MiB): ${ss.toFixed(2)} s = ${n(part / ss)} packets/s; ` +
      `CPU ${((sc.user + sc.system) / 1e6).toFixed(2)} s (${load()}); phases ms ${Object.entries(res.timings).map(([k, v]) => `${k} ${v}`).join(", ")} ` +
      "(investigation: the capture's addresses listed by listFrameAddresses, redacted, hashed; verify: frames read back by listFrameAddresses, then the bytes scanned as text)");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
