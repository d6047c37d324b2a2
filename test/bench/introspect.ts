/**
 * Introspect benchmark: the same flow table through both doors of the lab — `flow -l` text parsed by
 * `parseFlow`, and the agent's `KFlowResp` XML pages (100 entries each, as the agent pages) read by
 * `parseIntrospectFlow` (saxes) — with the figures and the ratio side by side: entries/s, MB/s of input,
 * and the input's size per entry (XML is the larger door). A whole table read over HTTP from the lab's
 * introspect server (every `NextKFlowReq` page) is timed too.
 *
 * Size: 50,000 entries × `PACKETWALK_BENCH_SCALE` (default 1).
 *
 * Run: `PACKETWALK_BENCH_ONLY=introspect node dist/test/bench/index.js`
 */
import { fetchIntrospect, introspectGetter, parseIntrospectFlow } from "../../lib/introspect";
import { renderFlowList } from "../../lib/lab/render/flow";
import { renderKFlowResp } from "../../lib/lab/render/introspect";
import { startIntrospectServer } from "../../lib/lab/introspect";
import { LabState } from "../../lib/lab/state";
import { loadTopology } from "../../lib/lab/topology";
import { parseFlow } from "../../lib/vrouter/flow";
import { prng } from "../helpers/prng";

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

/** Runs the introspect benchmark, printing through `log`. */
export async function run(log: (l: string) => void): Promise<void> {
  const n = Math.max(1000, Math.round(50_000 * Number(process.env.PACKETWALK_BENCH_SCALE ?? 1)));
  const state = new LabState(loadTopology("default"));
  const node = [...state.model.computes.keys()][0]!;
  const t = state.model.computes.get(node)!.flows;
  const r = prng(17);
  for (let i = 0; i < n; i++) {
    const nat = r() < 0.3;
    t.add({
      keyNh: 5, qos: -1, rpfNh: 5, sinfo: "0.0.0.0", sip: `10.47.${(r() * 256) | 0}.${(r() * 256) | 0}`, sport: 1024 + i % 60000, dip: "10.99.225.17", dport: 80,
      proto: 6, vrf: 2, action: nat ? "N" : "F", nat: nat ? { d: true, pd: true } : {}, tcp: 0x68,
    });
  }
  const text = renderFlowList(t);
  const pages: string[] = [];
  let from = 0;
  for (;;) {
    const page = renderKFlowResp(t, { from });
    pages.push(page);
    const m = /link="NextKFlowReq">(\d+)</.exec(page);
    if (!m || m[1] === "0") break;
    from = Number(m[1]);
  }
  const xmlBytes = pages.reduce((s, p) => s + Buffer.byteLength(p), 0);
  const textBytes = Buffer.byteLength(text);
  // Warm up both once.
  parseFlow(text.slice(0, 200_000));
  parseIntrospectFlow(pages[0]!);
  const cli = time(() => parseFlow(text).rows.length);
  const xml = time(() => pages.reduce((s, p) => s + parseIntrospectFlow(p).rows.length, 0));
  if (cli.value !== n || xml.value !== n) throw new Error(`row counts differ: cli ${cli.value}, introspect ${xml.value}, expected ${n}`);
  const rate = (rows: number, ms: number) => `${Math.round(rows / (ms / 1000)).toLocaleString("en")} entries/s`;
  const mbs = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
  log(`  ${n.toLocaleString("en")} flow entries; flow -l text ${(textBytes / 1e6).toFixed(1)} MB (${Math.round(textBytes / n)} B/entry), KFlowResp XML ${pages.length} pages ${(xmlBytes / 1e6).toFixed(1)} MB (${Math.round(xmlBytes / n)} B/entry)`);
  log(`  parseFlow (text)            ${cli.ms.toFixed(0).padStart(6)} ms  ${rate(n, cli.ms)}  ${mbs(textBytes, cli.ms)}`);
  log(`  parseIntrospectFlow (XML)   ${xml.ms.toFixed(0).padStart(6)} ms  ${rate(n, xml.ms)}  ${mbs(xmlBytes, xml.ms)}`);
  log(`  ratio introspect/text time: ${(xml.ms / cli.ms).toFixed(2)}×; input size ${(xmlBytes / textBytes).toFixed(2)}×`);
  const srv = await startIntrospectServer(state, node);
  try {
    const t0 = performance.now();
    const a = await fetchIntrospect(introspectGetter({ node, baseUrl: `http://127.0.0.1:${srv.port}` }), "/Snh_KFlowReq?flow_idx=-1", parseIntrospectFlow, { timeoutMs: 60_000, node });
    const ms = performance.now() - t0;
    if (a.error || a.rows.length !== n) throw new Error(`HTTP read: ${a.error?.message ?? `${a.rows.length} rows`}`);
    log(`  whole table over HTTP (${a.pages.length} pages, lab server on loopback): ${ms.toFixed(0)} ms  ${rate(n, ms)}`);
  } finally {
    await srv.close();
  }
}
