/**
 * `packetwalk share --redact` on a real lab walk: the same original becomes the same pseudonym in every
 * file kind (evidence, JSON, Arrow, notebook outputs and charts, HTML, notes, captures), nothing of the
 * original is left, files that cannot be redacted are left out and listed, the verification catches a
 * planted leftover, and the redacted investigation replays to the same stage verdicts (healthy and
 * with a fault).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aq from "arquero";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../kernel/cli";
import { renderHtml } from "../../kernel/runner/html";
import { buildFrame } from "../../lib/capture/build";
import { writePcap } from "../../lib/capture/file/writer";
import { LINKTYPE_ETHERNET } from "../../lib/capture/link-types";
import { readFrames } from "../../lib/capture/read";
import { chartBundle } from "../../lib/display/chart";
import type { CommandRecord, KubeRecord } from "../../lib/investigation/layout";
import { openInvestigation } from "../../lib/investigation/reader";
import { appendToInvestigation } from "../../lib/investigation/writer";
import { parseIpv4 } from "../../lib/ipv4";
import { redact } from "../../lib/redact/redact";
import { captureIO } from "../helpers/io";
import { CLI, requireBuilt } from "../kernel/helpers";
import { execFileSync } from "node:child_process";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-share-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIP = "101.101.101.1";
const POD = "10.47.255.236";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const t = captureIO({ cwd: tmp });
  const code = await main(args, t.io);
  return { code, out: t.out(), err: t.err() };
}

async function labWalk(name: string, extra: string[] = []): Promise<string> {
  const dir = path.join(tmp, name);
  const r = await run(["walk", "--lab", "--no-notebooks", "--out", dir, ...extra]);
  expect(r.err).not.toMatch(/did not start/);
  return dir;
}

// Every file under a folder, as latin1 text (binary files included).
function allText(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(r);
      else out.set(r, fs.readFileSync(path.join(dir, r)).toString("latin1"));
    }
  };
  walk("");
  return out;
}

async function demoNotebook(): Promise<Record<string, unknown>> {
  const chart = await chartBundle({
    title: "latency per hop",
    mark: "bar",
    data: { values: [{ hop: `cent222 ${POD}`, ms: 3 }, { hop: `gateway ${FIP}`, ms: 5 }] },
    encoding: { x: { field: "hop", type: "nominal" }, y: { field: "ms", type: "quantitative" } },
  });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { packetwalk: { parameters: { fip: FIP, hostHeader: "www.juniper.net" }, version: "0.1.0", status: "ok" } },
    cells: [
      { id: "a", cell_type: "markdown", metadata: {}, source: "# Demo\nThe backend pod on cent222." },
      {
        id: "b", cell_type: "code", metadata: { tags: ["parameters"] }, execution_count: 1,
        source: `let fip = "${FIP}";\nlet hostHeader = "www.juniper.net";`,
        outputs: [
          { output_type: "stream", name: "stdout", text: [`probing ${FIP}:80\n`, `pod ${POD}\n`] },
          { output_type: "display_data", data: chart.data, metadata: { ...chart.metadata, packetwalk: { where: "cent222", host: "vm" } } },
          { output_type: "execute_result", execution_count: 1, metadata: {}, data: { "text/html": `<td>${POD}</td><td>cent222</td>`, "text/plain": `${POD} cent222`, "application/json": { pod: POD, node: "cent222" } } },
          { output_type: "error", ename: "RemoteError", evalue: `cent222: connect ${POD}:22 refused`, traceback: [`RemoteError: cent222: connect ${POD}:22 refused`, "    at cell 2:1"] },
        ],
      },
    ],
  };
}

describe("packetwalk share --redact on a lab walk", () => {
  let src: string;
  let pseudoFip: string;
  let pseudoPod: string;
  const out = () => path.join(tmp, "shared");
  const keyFile = () => path.join(tmp, "owner.key");
  const mapFile = () => path.join(tmp, "owner-map.json");
  let result: { code: number; out: string; err: string };

  beforeAll(async () => {
    src = await labWalk("walk");
    // An Arrow table and a note in the investigation; notes, a notebook and its page beside it; an
    // unknown binary file (left out).
    const w = appendToInvestigation(path.join(src, "investigation"));
    const t = aq.table({ node: ["cent222", "cent333"], src: [POD, FIP], dip: [parseIpv4(POD), parseIpv4(FIP)], bytes: [10, 20] });
    w.addTable("flows", aq.toArrowIPC(t), 2);
    w.note(`cent222 DNATs ${FIP} to the ingress pod; backend ${POD}`, { stage: "fip-nat", author: "netops" });
    w.close();
    fs.writeFileSync(path.join(src, "notes.txt"), `cent222 saw ${FIP} for Host: www.juniper.net\n`);
    const nb = await demoNotebook();
    fs.writeFileSync(path.join(src, "demo.ipynb"), JSON.stringify(nb));
    fs.writeFileSync(path.join(src, "demo.html"), renderHtml(nb as never));
    fs.writeFileSync(path.join(src, "dump.bin"), Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(`cent222 ${FIP}`)]));
    // The lab's web page names its pod, node and client in the HTTP body: rewritten as text payload.
    result = await run(["share", src, "--redact", "--key-file", keyFile(), "--map-out", mapFile(), "-o", out()]);
    const map = JSON.parse(fs.readFileSync(mapFile(), "utf8")) as { addresses: Record<string, string> };
    const reverse = new Map(Object.entries(map.addresses).map(([p, o]) => [o, p]));
    pseudoFip = reverse.get(FIP)!;
    pseudoPod = reverse.get(POD)!;
  }, 240_000);

  it("writes, checks and summarises; leaves out what it cannot redact; the key file and the map are the owner's (0600)", () => {
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/replaced \(per kind\):\n\s+ipv4\s+\d+ distinct\s+\d+ replaced/);
    expect(result.out).toMatch(/node\s+2 distinct/);
    expect(result.out).toContain("replay of the redacted investigation: 10/10 stage verdicts as in the original");
    expect(result.out).toMatch(/left out: dump\.bin: a binary file of an unknown kind/);
    expect(result.out).toMatch(/left out: lab-inventory\.json: it holds secrets/);
    expect(result.out).toContain("checked: no original value found");
    expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect(fs.statSync(mapFile()).mode & 0o777).toBe(0o600);
    expect(pseudoFip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(pseudoFip).not.toBe(FIP);
    const files = allText(out());
    expect([...files.keys()]).not.toContain("dump.bin");
    expect([...files.keys()]).not.toContain("lab-inventory.json");
    // No key and no reverse map inside the output.
    const key = (JSON.parse(fs.readFileSync(keyFile(), "utf8")) as { key: string }).key;
    for (const [f, text] of files) {
      expect(text, f).not.toContain(key);
      expect(text, f).not.toContain(FIP);
      expect(text, f).not.toContain(POD);
      expect(text.toLowerCase(), f).not.toContain("cent222");
      expect(text.toLowerCase(), f).not.toContain("www.juniper.net");
    }
  });

  it("gives the same original the same pseudonym in every file kind", async () => {
    const inv = openInvestigation(path.join(out(), "investigation"));
    expect(inv.warnings).toEqual([]);
    // evidence text: the gateway's route and command lines
    const cmd = inv.records.find((r) => r.kind === "command" && r.node === "gateway" && r.command.includes("show route"));
    expect(cmd && cmd.kind === "command" && cmd.command).toContain(`${pseudoFip}/32`);
    expect(inv.text((cmd as unknown as { stdout: never }).stdout)).toContain(pseudoFip);
    // manifest and note
    expect(inv.manifest.parameters.fip).toBe(pseudoFip);
    expect(inv.manifest.target.nodes.map((n) => n.name)).toContain("node-1");
    const note = inv.records.find((r) => r.kind === "note");
    expect(note && note.kind === "note" && note.text).toBe(`node-1 DNATs ${pseudoFip} to the ingress pod; backend ${pseudoPod}`);
    expect(note && note.kind === "note" && note.author).toBe("user-1");
    // Arrow: strings and the address-named integer column
    const table = inv.records.find((r) => r.kind === "table" && r.name === "flows")!;
    const t = aq.fromArrow(inv.file((table as { file: string }).file)!);
    expect(t.array("node")).toEqual(["node-1", "node-2"]);
    expect(t.array("src")).toEqual([pseudoPod, pseudoFip]);
    expect(Array.from(t.array("dip") as ArrayLike<number>)).toEqual([parseIpv4(pseudoPod), parseIpv4(pseudoFip)]);
    // The walk's own tables: the flow history and the per-capture frame tables, under redacted names.
    const tables = inv.records.filter((r) => r.kind === "table").map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(["flow-history", "frames-node-1-ens3", "frames-node-2-ens3", "frames-internet-host-eth0", "flows"]));
    const history = aq.fromArrow(inv.file("tables/flow-history.arrow")!);
    expect(new Set(Array.from(history.array("node") as ArrayLike<string>))).toEqual(new Set(["node-1", "node-2"]));
    const origHistory = aq.fromArrow(openInvestigation(path.join(src, "investigation")).file("tables/flow-history.arrow")!);
    const { addresses } = JSON.parse(fs.readFileSync(mapFile(), "utf8")) as { addresses: Record<string, string> };
    for (const col of ["srcIp", "dstIp"]) {
      const [was, now] = [Array.from(origHistory.array(col) as ArrayLike<string>), Array.from(history.array(col) as ArrayLike<string>)];
      expect(now.length).toBe(was.length);
      expect(now.map((v) => addresses[v] ?? v)).toEqual(was);
      expect(now.some((v, i) => v !== was[i])).toBe(true);
    }
    const frames1 = aq.fromArrow(inv.file("tables/frames-internet-host-eth0.arrow")!);
    expect(Array.from(frames1.array("dst") as ArrayLike<string>)).toContain(pseudoFip);
    // captures: the FIP in the IP headers of the Internet host's capture
    const cap = inv.records.find((r) => r.kind === "capture" && r.node === "internet-host");
    const frames = await readFrames(inv.file((cap as { file: string }).file)!);
    expect(frames.some((f) => f.ips.some((ip) => ip.dst === pseudoFip))).toBe(true);
    // the HTTP body of the response (the lab's page names its pod address) as text payload
    expect(inv.file((cap as { file: string }).file)!.toString("latin1")).toContain(`pod IP: ${pseudoPod}`);
    // JSON beside it
    const walk = JSON.parse(fs.readFileSync(path.join(out(), "walk.json"), "utf8")) as { params: { fip: string }; discovery: { activeNode: string } };
    expect(walk.params.fip).toBe(pseudoFip);
    expect(walk.discovery.activeNode).toBe("node-1");
    // notes
    expect(fs.readFileSync(path.join(out(), "notes.txt"), "utf8")).toBe(`node-1 saw ${pseudoFip} for Host: host-2.example\n`);
    // notebook: source, metadata, every output MIME, the chart's data, and its SVG drawn again from it
    const nb = JSON.parse(fs.readFileSync(path.join(out(), "demo.ipynb"), "utf8")) as { metadata: { packetwalk: { parameters: { fip: string } } }; cells: { source: string; outputs?: Record<string, never>[] }[] };
    expect(nb.metadata.packetwalk.parameters.fip).toBe(pseudoFip);
    expect(nb.cells[0]!.source).toBe("# Demo\nThe backend pod on node-1.");
    expect(nb.cells[1]!.source).toContain(`let fip = "${pseudoFip}";`);
    const [stream, chart, result, error] = nb.cells[1]!.outputs! as Record<string, unknown>[];
    expect((stream as { text: string[] }).text).toEqual([`probing ${pseudoFip}:80\n`, `pod ${pseudoPod}\n`]);
    const data = (chart as { data: Record<string, unknown> }).data;
    const spec = data["application/vnd.vegalite.v5+json"] as { data: { values: { hop: string }[] } };
    expect(spec.data.values.map((v) => v.hop)).toEqual([`node-1 ${pseudoPod}`, `gateway ${pseudoFip}`]);
    expect(data["image/svg+xml"]).toContain(`node-1 ${pseudoPod}`);
    expect(String(data["image/png"]).length).toBeGreaterThan(100);
    expect((chart as { metadata: { packetwalk: { where: string; host: string } } }).metadata.packetwalk).toEqual({ where: "node-1", host: "host-1.example" });
    expect((result as { data: Record<string, unknown> }).data).toEqual({ "text/html": `<td>${pseudoPod}</td><td>node-1</td>`, "text/plain": `${pseudoPod} node-1`, "application/json": { pod: pseudoPod, node: "node-1" } });
    expect((error as { traceback: string[] }).traceback[0]).toBe(`RemoteError: node-1: connect ${pseudoPod}:22 refused`);
    // HTML pages: the notebook's page made again from it, the walk report made again by replay
    expect(fs.readFileSync(path.join(out(), "demo.html"), "utf8")).toContain(`node-1 ${pseudoPod}`);
    const report = fs.readFileSync(path.join(out(), "walk.html"), "utf8");
    expect(report).toContain(`${pseudoFip}:80`);
    expect(report).toContain("<svg");
  });

  it("gives the same pseudonyms again with the same key file", async () => {
    const r = await run(["share", path.join(src, "investigation"), "--redact", "--key-file", keyFile(), "--map-out", path.join(tmp, "map2.json"), "--truncate-payload", "0", "-o", path.join(tmp, "again.tgz")]);
    expect(r.code).toBe(0);
    const m1 = JSON.parse(fs.readFileSync(mapFile(), "utf8")) as { addresses: Record<string, string>; names: unknown };
    const m2 = JSON.parse(fs.readFileSync(path.join(tmp, "map2.json"), "utf8")) as typeof m1;
    for (const [p, o] of Object.entries(m2.addresses)) if (m1.addresses[p] !== undefined) expect(m1.addresses[p]).toBe(o);
    expect(m2.addresses[pseudoFip]).toBe(FIP);
    expect(m2.names).toEqual(m1.names);
    // The packed share opens and replays as it is.
    const rr = await run(["walk", "--replay", path.join(tmp, "again.tgz"), "--no-notebooks", "--out", path.join(tmp, "again-replay")]);
    expect(rr.err).not.toMatch(/packetwalk walk:/);
    expect(rr.code).toBe(0);
  }, 120_000);

  it("reads a packed investigation, and keeps --keep-range addresses as they are", async () => {
    const packed = path.join(tmp, "incident.tgz");
    expect((await run(["pack", path.join(src, "investigation"), "-o", packed])).code).toBe(0);
    const r = await run(["share", packed, "--redact", "--truncate-payload", "0", "--keep-range", "101.101.101.0/24", "-o", path.join(tmp, "from-packed")]);
    expect(r.code).toBe(0);
    const dirs = fs.readdirSync(path.join(tmp, "from-packed"));
    expect(dirs).toHaveLength(1);
    const inv = openInvestigation(path.join(tmp, "from-packed", dirs[0]!));
    expect(inv.warnings).toEqual([]);
    expect(inv.manifest.parameters.fip).toBe(FIP);
    expect(inv.manifest.target.nodes.map((n) => n.name)).not.toContain("cent222");
  }, 120_000);

  it("replays to the same stage verdicts, with redacted values in the reasons", async () => {
    const r = await run(["walk", "--replay", path.join(out(), "investigation"), "--no-notebooks", "--out", path.join(tmp, "replay")]);
    expect(r.err).not.toMatch(/packetwalk walk:/);
    const a = JSON.parse(fs.readFileSync(path.join(src, "walk.json"), "utf8")) as { stages: { id: string; verdict: string }[] };
    const b = JSON.parse(fs.readFileSync(path.join(tmp, "replay", "walk.json"), "utf8")) as { stages: { id: string; verdict: string; reason: string }[] };
    expect(b.stages.map((s) => [s.id, s.verdict])).toEqual(a.stages.map((s) => [s.id, s.verdict]));
    const reasons = b.stages.map((s) => s.reason).join("\n");
    expect(reasons).toContain("node-1");
    expect(reasons).toContain(pseudoFip);
    expect(reasons).not.toContain("cent222");
    expect(reasons).not.toContain(FIP);
    // The Kubernetes view of the replayed redacted walk: the same chain, under the redacted names.
    const ka = (JSON.parse(fs.readFileSync(path.join(src, "walk.json"), "utf8")) as { kubernetes: KubeViewJson }).kubernetes;
    const kb = (JSON.parse(fs.readFileSync(path.join(tmp, "replay", "walk.json"), "utf8")) as { kubernetes: KubeViewJson }).kubernetes;
    expect(ka.status).toBe("ok");
    expect(kb.status).toBe("ok");
    expect(kb.note).toContain("(replayed from the recording)");
    expect(kb.chain.ingress.name).toMatch(/^ing-\d+$/);
    expect(kb.chain.ingress.namespace).toMatch(/^ns-\d+$/);
    expect(kb.chain.service.name).toMatch(/^svc-\d+$/);
    expect(kb.chain.host).toMatch(/^host-\d+\.example$/);
    expect(kb.chain.fip).toBe(pseudoFip);
    expect(kb.context).toMatch(/^cluster-\d+$/);
    expect(kb.endpoints.map((e) => [e.ip, e.node, e.ready, e.walked])).toEqual([[pseudoPod, "node-2", true, true]]);
    expect(kb.endpoints[0]!.pod).toMatch(/^ns-\d+\/pod-\d+$/);
    expect(kb.endpoints.map((e) => e.flows)).toEqual(ka.endpoints.map((e) => e.flows));
    expect(kb.findings.length).toBe(ka.findings.length);
    const view = JSON.stringify(kb);
    for (const original of [ka.chain.ingress.name, ka.chain.ingress.namespace, ka.chain.service.name, ka.endpoints[0]!.pod!.split("/")[1]!, "cent333", POD, FIP, "www.juniper.net", ka.context]) expect(view).not.toContain(original);
  }, 120_000);

  it("redacts the Kubernetes API reads and the evidence-frames export, hashed again", async () => {
    const orig = openInvestigation(path.join(src, "investigation"));
    const inv = openInvestigation(path.join(out(), "investigation"));
    expect(inv.warnings).toEqual([]);
    const kubeOf = (i: typeof inv) => i.records.filter((r): r is KubeRecord => r.kind === "kube");
    expect(kubeOf(inv).map((r) => r.resource)).toEqual(kubeOf(orig).map((r) => r.resource));
    expect(kubeOf(inv).length).toBeGreaterThanOrEqual(6);
    const originals = ["ns-user-1", "webservice", "webservice-7db5dcb4c6-h9xk2", "webservice-ingress", "cent222", "cent333", "packetwalk-lab", "www.juniper.net", POD, FIP];
    for (const r of kubeOf(inv)) {
      expect(r.items, r.resource).not.toBeNull();
      const text = inv.text(r.items!)!;
      expect(text, r.resource).not.toBeNull();
      for (const o of originals) expect(text.toLowerCase(), `${r.resource}: ${o}`).not.toContain(o.toLowerCase());
      expect(r.context).toMatch(/^cluster-\d+$/);
    }
    const pods = JSON.parse(inv.text(kubeOf(inv).find((r) => r.resource === "pods")!.items!)!) as { metadata: { name: string; namespace: string }; spec: { nodeName: string }; status: { podIP: string } }[];
    const backend = pods.find((p) => p.status.podIP === pseudoPod)!;
    expect(backend.metadata.name).toMatch(/^pod-\d+$/);
    expect(backend.metadata.namespace).toMatch(/^ns-\d+$/);
    expect(backend.spec.nodeName).toBe("node-2");
    // The export: a pcapng with the same frames, new addresses, its comments redacted as text.
    const ex = inv.records.find((r) => r.kind === "export") as { file: string; sha256: string; items: number } | undefined;
    expect(ex?.file).toBe("exports/evidence-frames.pcapng");
    const bytes = inv.file(ex!.file)!;
    expect(bytes).not.toBeNull();
    const origBytes = orig.file(ex!.file)!;
    const [a, b] = [await readFrames(origBytes), await readFrames(bytes)];
    expect(b.length).toBe(a.length);
    expect(b.length).toBe(ex!.items);
    expect(b.some((f) => f.ips.some((ip) => ip.dst === pseudoFip))).toBe(true);
    expect(b.every((f) => f.ips.every((ip) => ip.src !== POD && ip.dst !== POD && ip.src !== FIP && ip.dst !== FIP))).toBe(true);
    const text = bytes.toString("utf8");
    expect(origBytes.toString("utf8")).toMatch(/stage 2 gateway PASS — [^\0]*cent222/);
    expect(text).toMatch(/stage 2 gateway PASS — [^\0]*node-1/);
    expect(text).toContain("node-1:ens3");
    for (const o of originals) expect(text.toLowerCase(), o).not.toContain(o.toLowerCase());
  });
});

interface KubeViewJson {
  status: string;
  note: string;
  context: string;
  chain: { fip: string; host: string; ingress: { name: string; namespace: string }; service: { name: string } };
  endpoints: { ip: string; node: string | null; pod: string | null; ready: boolean; walked: boolean; flows: number }[];
  findings: unknown[];
}

describe("packetwalk share --redact: a fault, a planted leftover, unreadable files", () => {
  it("a walk with a fault replays from the redacted investigation to the same verdicts", async () => {
    const src = await labWalk("fault", ["--fault", "service-no-route"]);
    const original = JSON.parse(fs.readFileSync(path.join(src, "walk.json"), "utf8")) as { verdict: string; stages: { id: string; verdict: string }[] };
    expect(original.verdict).toBe("fail");
    const r = await run(["share", src, "--redact", "-o", path.join(tmp, "fault-shared")]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("replay of the redacted investigation: 10/10 stage verdicts as in the original");
    const replay = await run(["walk", "--replay", path.join(tmp, "fault-shared", "investigation"), "--no-notebooks", "--out", path.join(tmp, "fault-replay")]);
    expect(replay.code).toBe(1);
    const b = JSON.parse(fs.readFileSync(path.join(tmp, "fault-replay", "walk.json"), "utf8")) as { stages: { id: string; verdict: string; reason: string }[] };
    expect(b.stages.map((s) => [s.id, s.verdict])).toEqual(original.stages.map((s) => [s.id, s.verdict]));
    expect(b.stages.find((s) => s.verdict !== "pass")!.reason).not.toMatch(/cent222|cent333|10\.99\.225\.17/);

    // A damaged copy: an altered blob is named and its record left out; the share still opens cleanly.
    // An investigation whose manifest is not JSON is left out whole.
    const damaged = path.join(tmp, "damaged");
    fs.cpSync(path.join(src, "investigation"), path.join(damaged, "investigation"), { recursive: true });
    const blob = fs.readdirSync(path.join(damaged, "investigation", "blobs"))[0]!;
    fs.appendFileSync(path.join(damaged, "investigation", "blobs", blob), "tampered");
    fs.mkdirSync(path.join(damaged, "bad"));
    fs.writeFileSync(path.join(damaged, "bad", "manifest.json"), "{ not json");
    const d = await run(["share", damaged, "--redact", "-o", path.join(tmp, "damaged-out")]);
    expect(d.code).toBe(0);
    expect(d.out).toMatch(new RegExp(`input: investigation: blobs/${blob} does not match its hash`));
    expect(d.out).toMatch(/left out: investigation\/record \d+ \(\w+\): its (output is|items are) missing or (does|do) not match (its|their) hash/);
    expect(d.out).toMatch(/left out: bad\/manifest\.json: part of an investigation that cannot be read/);
    expect(openInvestigation(path.join(tmp, "damaged-out", "investigation")).warnings).toEqual([]);
  }, 240_000);

  it("fails (exit 1) naming the file and place when an original value remains; leaves out a capture it cannot read", async () => {
    const dir = path.join(tmp, "planted");
    fs.mkdirSync(dir);
    // A binary datagram carries an address as text in its payload, which no rewriter reads.
    const frame = buildFrame([
      { kind: "ethernet", src: "52:54:00:3c:aa:21", dst: "52:54:00:8e:1b:20" },
      { kind: "ipv4", src: "10.169.25.20", dst: "10.169.25.99" },
      { kind: "udp", srcPort: 514, dstPort: 514 },
      { kind: "payload", data: Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from(`backend ${POD}:80 is DOWN`)]) },
    ]);
    fs.writeFileSync(path.join(dir, "syslog.pcap"), writePcap([{ data: frame, time: 1 }], { linkType: LINKTYPE_ETHERNET }));
    fs.writeFileSync(path.join(dir, "notes.md"), `the pod ${POD} stopped answering\n`);
    fs.writeFileSync(path.join(dir, "broken.pcap"), Buffer.from("this is not a capture at all"));
    const r = await run(["share", dir, "--redact", "-o", path.join(tmp, "planted-out")]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`syslog\\.pcap: byte \\d+: ipv4 ${POD.replace(/\./g, "\\.")} is still in the output`));
    expect(r.err).toMatch(/original value.* remain in .*do not send it/);
    expect(r.err).toContain("--truncate-payload 0 cuts every payload");
    // The same capture cut after its transport header shares cleanly.
    const cut = await run(["share", dir, "--redact", "--truncate-payload", "0", "-o", path.join(tmp, "planted-cut")]);
    expect(cut.code).toBe(0);
    expect(r.out).toMatch(/left out: broken\.pcap: cannot be read as a capture/);
    expect(fs.readFileSync(path.join(tmp, "planted-out", "notes.md"), "utf8")).not.toContain(POD);
  }, 60_000);

  it("the library's check names a capture whose headers were not rewritten", async () => {
    const dir = path.join(tmp, "lib-planted");
    fs.mkdirSync(dir);
    const frame = buildFrame([
      { kind: "ethernet", src: "52:54:00:3c:aa:21", dst: "52:54:00:8e:1b:20" },
      { kind: "ipv4", src: "15.15.15.2", dst: FIP },
      { kind: "tcp", srcPort: 37444, dstPort: 80, flags: "SYN" },
    ]);
    fs.writeFileSync(path.join(dir, "client.pcap"), writePcap([{ data: frame, time: 1 }], { linkType: LINKTYPE_ETHERNET }));
    // A rewriter that forgets to rewrite: the check must notice.
    const res = await redact({ input: dir, output: path.join(tmp, "lib-planted-out"), captureRewriter: () => (bytes) => ({ bytes, frames: 1, rewritten: 0, problems: [] }) });
    expect(res.ok).toBe(false);
    expect(res.leftovers).toContainEqual({ file: "client.pcap", place: "frame 1 (ip 1 dst)", value: FIP, kind: "ipv4" });
    expect(res.leftovers.some((l) => l.kind === "mac" && l.place === "frame 1 (eth src)")).toBe(true);
  }, 60_000);
});

describe("packetwalk share --redact: evidence read through the introspect and through kubectl", () => {
  it("redacts the introspect XML and the kubectl outputs, and the redacted investigation replays to the same verdicts", async () => {
    // One lab: cent333 read only through its agent introspect, cent222 only through kubectl exec.
    const dir = path.join(tmp, "via");
    fs.mkdirSync(dir, { recursive: true });
    const lab = captureIO({ cwd: dir });
    const running = main(["lab", "--inventory-out", "inv.json", "--introspect", "cent333"], lab.io);
    try {
      const invFile = path.join(dir, "inv.json");
      for (let i = 0; i < 1500 && !fs.existsSync(invFile); i++) await new Promise((r) => setTimeout(r, 20));
      const raw = JSON.parse(fs.readFileSync(invFile, "utf8")) as { nodes: Record<string, unknown>[]; scenario: { fip: string; fipPort: number; hostHeader: string; gatewayVrf: string } };
      const cent222 = raw.nodes.find((n) => n.name === "cent222")!;
      delete cent222.ssh;
      cent222.vrouter = { via: "kubectl", namespace: "kube-system", selector: "app=contrail-agent", container: "contrail-vrouter-agent" };
      fs.writeFileSync(path.join(dir, "inv-via.json"), JSON.stringify(raw));
      const s = raw.scenario;
      const w = await run(["walk", "--inventory", path.join(dir, "inv-via.json"), "--fip", s.fip, "--port", String(s.fipPort), "--host", s.hostHeader, "--gateway-vrf", s.gatewayVrf, "--no-notebooks", "--out", path.join(dir, "walk")]);
      expect(w.code, w.err).toBe(0);
    } finally {
      lab.abort();
      await running;
    }
    const orig = openInvestigation(path.join(dir, "walk", "investigation"));
    const vias = new Set(orig.records.map((r) => (r.kind === "command" ? r.via : undefined)));
    expect(vias).toContain("introspect");
    expect(vias).toContain("kubectl");
    const r = await run(["share", path.join(dir, "walk"), "--redact", "--map-out", path.join(dir, "map.json"), "-o", path.join(dir, "shared")]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("replay of the redacted investigation: 10/10 stage verdicts as in the original");
    expect(r.out).toContain("checked: no original value found");
    const inv = openInvestigation(path.join(dir, "shared", "investigation"));
    expect(inv.warnings).toEqual([]);
    const intro = inv.records.filter((x): x is CommandRecord => x.kind === "command" && x.via === "introspect");
    expect(intro.length).toBeGreaterThan(0);
    const xml = intro.map((x) => inv.text(x.stdout) ?? "").join("\n");
    expect(xml).toContain("<KInterfaceResp");
    const kc = inv.records.filter((x): x is CommandRecord => x.kind === "command" && x.via === "kubectl");
    expect(kc.length).toBeGreaterThan(0);
    expect(new Set(kc.map((x) => x.node))).toEqual(new Set(["node-1"]));
    for (const text of [xml, ...kc.map((x) => inv.text(x.stdout) ?? "")]) {
      for (const o of [POD, FIP, "10.169.25.20", "10.169.25.21", "cent222", "cent333", "k8s-ns-user-1-public", "ns-user-1"]) expect(text).not.toContain(o);
    }
    const replay = await run(["walk", "--replay", path.join(dir, "shared", "investigation"), "--no-notebooks", "--out", path.join(dir, "replay")]);
    expect(replay.code).toBe(0);
    const a = JSON.parse(fs.readFileSync(path.join(dir, "walk", "walk.json"), "utf8")) as { stages: { id: string; verdict: string }[] };
    const b = JSON.parse(fs.readFileSync(path.join(dir, "replay", "walk.json"), "utf8")) as typeof a;
    expect(b.stages.map((x) => [x.id, x.verdict])).toEqual(a.stages.map((x) => [x.id, x.verdict]));
  }, 240_000);
});

describe("packetwalk share from the compiled package", () => {
  it("renders the charts again in its worker thread", async () => {
    requireBuilt();
    const dir = path.join(tmp, "compiled");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "demo.ipynb"), JSON.stringify(await demoNotebook()));
    const stdout = execFileSync(process.execPath, [CLI, "share", dir, "--redact", "--map-out", path.join(tmp, "compiled.map"), "-o", path.join(tmp, "compiled-out")], { encoding: "utf8" });
    expect(stdout).toMatch(/1 charts rendered again/);
    const map = JSON.parse(fs.readFileSync(path.join(tmp, "compiled.map"), "utf8")) as { addresses: Record<string, string> };
    const pod = Object.entries(map.addresses).find(([, o]) => o === POD)![0];
    const nb = JSON.parse(fs.readFileSync(path.join(tmp, "compiled-out", "demo.ipynb"), "utf8")) as { cells: { outputs?: { data?: Record<string, string> }[] }[] };
    const chart = nb.cells[1]!.outputs![1]!.data!;
    expect(chart["image/svg+xml"]).toContain(`node-1 ${pod}`);
    expect(Buffer.from(chart["image/png"]!, "base64").subarray(1, 4).toString()).toBe("PNG");
  }, 60_000);
});

describe("packetwalk share: usage and key file errors", () => {
  it("refuses a key file others can read, a malformed one, a non-empty OUT and a missing --redact, with exit 2", async () => {
    const dir = path.join(tmp, "small");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "notes.txt"), `cent222 ${FIP}\n`);
    const open = path.join(tmp, "open.key");
    fs.writeFileSync(open, JSON.stringify({ format: "packetwalk-redact-key", version: 1, key: "ab".repeat(32) }), { mode: 0o644 });
    fs.chmodSync(open, 0o644);
    let r = await run(["share", dir, "--redact", "--key-file", open, "-o", path.join(tmp, "small-1")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/key file .*open\.key can be read or written by group or others \(mode 0644\).*chmod 600/);
    expect(fs.existsSync(path.join(tmp, "small-1"))).toBe(false);
    const bad = path.join(tmp, "bad.key");
    fs.writeFileSync(bad, "not a key", { mode: 0o600 });
    r = await run(["share", dir, "--redact", "--key-file", bad, "-o", path.join(tmp, "small-2")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not a packetwalk key file/);
    fs.mkdirSync(path.join(tmp, "small-3"));
    fs.writeFileSync(path.join(tmp, "small-3", "x"), "x");
    r = await run(["share", dir, "--redact", "-o", path.join(tmp, "small-3")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/exists and is not an empty folder/);
    r = await run(["share", dir, "-o", path.join(tmp, "small-4")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--redact is required/);
    r = await run(["share", dir, "--redact", "-o", path.join(tmp, "small-5")]);
    expect(r.code).toBe(0);
    // With no investigation, nothing says cent222 is a node: only the address is known (a documented limit).
    expect(fs.readFileSync(path.join(tmp, "small-5", "notes.txt"), "utf8")).toMatch(/^cent222 \d+\.\d+\.\d+\.\d+\n$/);
    expect(fs.readFileSync(path.join(tmp, "small-5", "notes.txt"), "utf8")).not.toContain(FIP);
  });
});
