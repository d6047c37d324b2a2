/**
 * `redactInvestigation` record kind by record kind: Kubernetes API reads (`kube`, items inline and as a
 * blob), the evidence-frames export (a commented pcapng), a file named by no record, and a record of a
 * kind the redactor does not know (left out and listed, never copied).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildFrame } from "../../lib/capture/build";
import { writePcap, writePcapng } from "../../lib/capture/file/writer";
import { readRecords } from "../../lib/capture/read";
import { LINKTYPE_ETHERNET } from "../../lib/capture/link-types";
import type { EvidenceRecord, KubeRecord } from "../../lib/investigation/layout";
import { openInvestigation } from "../../lib/investigation/reader";
import { createInvestigation, sha256Hex } from "../../lib/investigation/writer";
import { createAddressMapper } from "../../lib/redact/address";
import { AliasTable } from "../../lib/redact/aliases";
import { redactCapture } from "../../lib/redact/capture";
import { NameCollector } from "../../lib/redact/find-names";
import { REDACTED_KINDS, redactInvestigation } from "../../lib/redact/investigation";
import { redact } from "../../lib/redact/redact";
import { TextRedactor } from "../../lib/redact/text";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-redact-inv-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const POD_IP = "10.47.255.236";
const NODE_IP = "10.169.25.21";
const pods = [
  {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "shopfront-7db5dcb4c6-h9xk2", namespace: "acme-prod", labels: { app: "shopfront" }, ownerReferences: [{ kind: "ReplicaSet", name: "shopfront-7db5dcb4c6" }] },
    // Padding so the items are stored as a blob, not inline.
    spec: { nodeName: "worker17", containers: [{ name: "web", image: "registry.example/web:1", env: Array.from({ length: 60 }, (_, i) => ({ name: `V${i}`, value: "x".repeat(20) })) }] },
    status: { podIP: POD_IP, hostIP: NODE_IP },
  },
];
const services = [{ apiVersion: "v1", kind: "Service", metadata: { name: "shopfront", namespace: "acme-prod" }, spec: { clusterIP: "10.99.225.17", selector: { app: "shopfront" } } }];
const ingresses = [{
  apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "acme-edge", namespace: "acme-prod" },
  spec: { rules: [{ host: "shop.acme.test", http: { paths: [{ path: "/", backend: { service: { name: "shopfront", port: { number: 80 } } } }] } }] },
}];
const nodes = [{ apiVersion: "v1", kind: "Node", metadata: { name: "worker17", labels: { "kubernetes.io/hostname": "worker17" } }, status: { addresses: [{ type: "InternalIP", address: NODE_IP }, { type: "Hostname", address: "worker17" }], nodeInfo: { machineID: "154e1f25b925e41a13eb022477519e54" } } }];

function makeInvestigation(dir: string): void {
  const w = createInvestigation(dir, { target: { kind: "lab", source: "test", nodes: [{ name: "worker17", role: "compute" }] }, parameters: { fip: "101.101.101.1" } });
  const read = (resource: string, items: unknown[]) =>
    w.append({ kind: "kube", stream: "kube-1", server: "https://api.acme.test:6443", context: "acme-prod-admin", resource, namespace: null, startedAt: new Date(0).toISOString(), endedAt: new Date(1).toISOString(), items: w.blob(JSON.stringify(items)) });
  read("nodes", nodes);
  read("pods", pods);
  read("services", services);
  read("ingresses", ingresses);
  w.append({ kind: "kube", stream: "kube-1", server: "https://api.acme.test:6443", context: "acme-prod-admin", resource: "endpoints", namespace: "acme-prod", startedAt: new Date(0).toISOString(), endedAt: new Date(1).toISOString(), items: null, error: { kind: "forbidden", status: 403, message: "endpoints is forbidden in acme-prod" } });
  const frame = buildFrame([
    { kind: "ethernet", src: "52:54:00:3c:aa:21", dst: "52:54:00:8e:1b:20" },
    { kind: "ipv4", src: NODE_IP, dst: POD_IP },
    { kind: "tcp", srcPort: 40000, dstPort: 80, flags: "SYN" },
  ]);
  const pcapng = writePcapng([{ data: frame, time: { sec: 1, nsec: 0 }, comment: [`stage 6 backend PASS — worker17 sent it to ${POD_IP} (shopfront-7db5dcb4c6-h9xk2)`] }], { interfaces: [{ linkType: LINKTYPE_ETHERNET, name: "worker17:ens3" }] });
  // Made twice under the same name (the last one counts), as a walk run again into a recording does.
  w.addExport("evidence-frames.pcapng", "evidence frames", pcapng.subarray(0), 1);
  w.addExport("evidence-frames.pcapng", "evidence frames", pcapng, 1);
  w.close();
}

const mapper = createAddressMapper(Buffer.alloc(32, 7));
function redactor(aliases = new AliasTable()): TextRedactor {
  return new TextRedactor(mapper, aliases);
}

describe("redactInvestigation: Kubernetes reads, exports, unknown kinds", () => {
  const dir = path.join(tmp, "inv");
  makeInvestigation(dir);

  it("every known kind has a redaction rule", () => {
    expect(Object.keys(REDACTED_KINDS).sort()).toEqual(["capture", "command", "export", "gap", "kube", "note", "observation", "probe", "snapshot", "table"]);
  });

  it("learns the names Kubernetes objects carry, with their kinds", () => {
    const c = new NameCollector();
    for (const [res, items] of [["nodes", nodes], ["pods", pods], ["services", services], ["ingresses", ingresses]] as const) c.fromKubeItems(res, items);
    const found = new Map(c.entries().map(([k, n]) => [n, k]));
    expect(found.get("acme-prod")).toBe("namespace");
    expect(found.get("shopfront-7db5dcb4c6-h9xk2")).toBe("pod");
    expect(found.get("shopfront")).toBe("service");
    expect(found.get("acme-edge")).toBe("ingress");
    expect(found.get("worker17")).toBe("node");
    expect(found.get("shop.acme.test")).toBe("host");
    // An image digest is no user@host; Kubernetes' own words are no names.
    c.fromKubeItems("pods", [{ kind: "Pod", metadata: { name: "p-1x", namespace: "kube-system" }, status: { containerStatuses: [{ imageID: "docker.io/x/agent@sha256:ddf6860a1c72b8fe62e503324c97e38723e3339362af6f2ce8529e8212d15fc9" }] } }]);
    const names = c.entries().map(([, n]) => n);
    expect(names).not.toContain("sha256");
    expect(names).not.toContain("kube-system");
    expect(names).not.toContain("kubernetes.io");
  });

  it("redacts kube items and the export, hashes them again, and the result opens with no warnings", async () => {
    const inv = openInvestigation(dir);
    expect(inv.warnings).toEqual([]);
    const c = new NameCollector();
    c.fromJson(inv.manifest, { evidence: true });
    for (const rec of inv.records) {
      c.fromJson(rec, { evidence: true });
      if (rec.kind === "kube") {
        c.add("cluster", rec.context);
        if (rec.items) c.fromKubeItems(rec.resource, JSON.parse(inv.text(rec.items)!));
      }
    }
    const aliases = new AliasTable();
    aliases.assign(c.entries());
    const r = redactor(aliases);
    const red = redactInvestigation(inv, r, (b) => redactCapture(b, { addresses: mapper, text: (s) => r.text(s) }));
    expect(red.leftOut).toEqual([]);
    const out = path.join(tmp, "inv-red");
    for (const [f, b] of red.files) {
      fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
      fs.writeFileSync(path.join(out, f), b);
    }
    const back = openInvestigation(out);
    expect(back.warnings).toEqual([]);
    const kube = back.records.filter((x): x is KubeRecord => x.kind === "kube");
    expect(kube.map((k) => k.resource)).toEqual(["nodes", "pods", "services", "ingresses", "endpoints"]);
    expect(kube.find((k) => k.resource === "pods")!.items!.file).toMatch(/^blobs\//);
    expect(kube[0]!.context).toBe("cluster-1");
    expect(kube[0]!.server).toBe("https://host-1.example:6443");
    expect(kube[4]!.items).toBeNull();
    expect(kube[4]!.namespace).toBe("ns-1");
    expect(kube[4]!.error!.message).toBe("endpoints is forbidden in ns-1");
    const items = (res: string) => JSON.parse(back.text(kube.find((k) => k.resource === res)!.items!)!) as Record<string, never>[];
    const pod = items("pods")[0] as unknown as typeof pods[0];
    expect(pod.metadata.name).toBe("pod-1");
    expect(pod.metadata.namespace).toBe("ns-1");
    expect(pod.metadata.labels.app).toBe("svc-1");
    expect(pod.metadata.ownerReferences[0]!.name).toBe("svc-1-7db5dcb4c6");
    expect(pod.spec.nodeName).toBe("node-1");
    expect(pod.status.podIP).not.toBe(POD_IP);
    expect(pod.status.podIP).toBe(r.text(POD_IP));
    const ing = items("ingresses")[0] as unknown as typeof ingresses[0];
    expect(ing.metadata.name).toBe("ing-1");
    expect(ing.spec.rules[0]!.host).toBe("host-2.example");
    expect(ing.spec.rules[0]!.http.paths[0]!.backend.service.name).toBe("svc-1");
    const node = items("nodes")[0] as unknown as { metadata: { name: string; labels: Record<string, string> }; status: { nodeInfo: Record<string, string> } };
    expect(node.metadata.labels).toEqual({ "kubernetes.io/hostname": "node-1" });
    expect(node.status.nodeInfo).toEqual({});
    // The export: one file, both records pointing at it with its new hash; comments redacted as text.
    const exports = back.records.filter((x) => x.kind === "export") as (EvidenceRecord & { file: string; sha256: string })[];
    expect(exports).toHaveLength(2);
    expect(new Set(exports.map((e) => e.sha256)).size).toBe(1);
    const bytes = back.file(exports[1]!.file)!;
    expect(sha256Hex(bytes)).toBe(exports[1]!.sha256);
    const recs = [];
    for await (const x of readRecords(bytes, { name: "export" })) recs.push(x);
    expect(recs).toHaveLength(1);
    const all = [...red.files.values()].map((b) => b.toString("latin1")).join("\n");
    for (const original of [POD_IP, NODE_IP, "worker17", "acme-prod", "acme-edge", "shopfront", "shop.acme.test", "api.acme.test", "154e1f25b925e41a13eb022477519e54"]) expect(all).not.toContain(original);
    // The packet comment, redacted as text (pcapng options are UTF-8).
    expect(bytes.toString("utf8")).toContain(`stage 6 backend PASS — node-1 sent it to ${r.text(POD_IP)} (pod-1)`);
  });

  it("leaves out, and lists, a record of a kind it does not know rather than copying it", () => {
    const inv = openInvestigation(dir);
    const future = { seq: 99, at: new Date(0).toISOString(), kind: "telemetry", node: "worker17", sample: `${POD_IP} shopfront` } as unknown as EvidenceRecord;
    const forged = { ...inv, records: [...inv.records, future] };
    const red = redactInvestigation(forged, redactor(), null);
    expect(red.leftOut).toContainEqual({ what: "record 99 (telemetry)", reason: "a record kind the redactor does not know: left out rather than copied unredacted" });
    expect(red.records.map((x) => x.seq)).not.toContain(99);
    expect(red.files.get("evidence.jsonl")!.toString()).not.toContain("telemetry");
  });

  it("redact() leaves out, and lists, a file inside the investigation that no record names", async () => {
    const input = path.join(tmp, "stray");
    fs.cpSync(dir, path.join(input, "investigation"), { recursive: true });
    fs.writeFileSync(path.join(input, "investigation", "exports", "notes.csv"), `worker17,${POD_IP}\n`);
    const res = await redact({ input, output: path.join(tmp, "stray-out") });
    expect(res.leftOut).toContainEqual({ file: "investigation/exports/notes.csv", reason: "inside the investigation but named by no record of its evidence log" });
    expect(res.ok).toBe(true);
    expect(openInvestigation(path.join(tmp, "stray-out", "investigation")).warnings).toEqual([]);
    expect(res.written.map((w) => w.file)).toContain("investigation/exports/evidence-frames.pcapng");
  });
});

describe("redactInvestigation: capture files rewritten in place, each once", () => {
  it("a pcap named by a capture record and by two export records, and a capture blob two commands share, each come out exactly as a copying redaction of the original", () => {
    const dir = path.join(tmp, "inplace");
    const frames = [0, 1, 2].map((i) => ({ data: buildFrame([
      { kind: "ethernet", src: "52:54:00:3c:aa:21", dst: "52:54:00:8e:1b:20" },
      { kind: "ipv4", src: NODE_IP, dst: POD_IP },
      { kind: "tcp", srcPort: 40000 + i, dstPort: 80, flags: "SYN" },
    ]), time: { sec: 1, nsec: i } }));
    const pcap = writePcap(frames);
    const w = createInvestigation(dir, { target: { kind: "lab", source: "test", nodes: [{ name: "worker17", role: "compute" }] }, parameters: {} });
    w.addCapture({ node: "worker17", iface: "ens3", filter: "", command: "tcpdump -i ens3 -w -" }, pcap);
    w.addExport("frames.pcap", "frames", pcap, 3);
    w.addExport("frames.pcap", "frames", pcap, 3);
    for (let k = 0; k < 2; k++) {
      w.append({ kind: "command", node: "worker17", command: "tcpdump -w -", startedAt: new Date(0).toISOString(), endedAt: new Date(1).toISOString(), exitCode: 0, signal: null, stdout: w.blob(pcap), stderr: w.blob("") });
    }
    w.close();
    const r = redactor();
    const expected = Buffer.from(redactCapture(Buffer.from(pcap), { addresses: mapper, text: (s) => r.text(s) }).bytes);
    const inv = openInvestigation(dir);
    let inPlaceCalls = 0;
    const red = redactInvestigation(inv, r, (b, inPlace) => {
      if (inPlace) inPlaceCalls++;
      return redactCapture(b, { addresses: mapper, text: (s) => r.text(s), ...(inPlace ? { inPlace } : {}) });
    });
    expect(red.leftOut).toEqual([]);
    expect(inPlaceCalls).toBe(2); // the capture file and the export file, once each; the blob is copied
    const captures = [...red.files].filter(([f]) => /^(captures|exports|blobs)\//.test(f));
    expect(captures.map(([f]) => f.split("/")[0]).sort()).toEqual(["blobs", "captures", "exports"]);
    for (const [f, b] of captures) expect(Buffer.compare(b, expected), f).toBe(0);
    const cmds = red.records.filter((x) => x.kind === "command") as { stdout: { file?: string } }[];
    expect(cmds).toHaveLength(2);
    expect(cmds[0]!.stdout.file).toBe(cmds[1]!.stdout.file);
  });
});
