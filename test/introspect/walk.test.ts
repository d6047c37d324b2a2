/**
 * Done-when of #17 part 4: a walk where a compute node is read only through the agent's introspect (its
 * SSH port closed, so nothing can reach it over SSH) gives the same stage verdicts as the walk over SSH,
 * on the healthy lab and under faults; the introspect node's evidence names the introspect requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createInvestigation, describeTarget, openInvestigation } from "../../lib/investigation";
import type { Lab } from "../../lib/lab/lab";
import { loadInventory, type Inventory } from "../../lib/remote/inventory";
import { runWalk } from "../../lib/walk";
import type { WalkReport } from "../../lib/walk/report";
import { labFor, walkOn } from "../walk/helpers";

function story(r: WalkReport): unknown {
  return {
    verdict: r.verdict,
    discovery: r.discovery,
    stages: r.stages.map((s) => ({ id: s.id, verdict: s.verdict, node: s.node, reason: s.reason, notes: s.notes, evidence: s.evidence.map((e) => ({ title: e.title, node: e.node, command: e.command, rows: e.rows, error: e.error ?? null })) })),
  };
}

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The lab's inventory with `nodes` read through the introspect only (SSH pointed at a closed port). */
async function introspectOnly(lab: Lab, nodes: string[]): Promise<Inventory> {
  const inv = JSON.parse(JSON.stringify(lab.inventory)) as Inventory & { scenario?: unknown };
  const port = await closedPort();
  for (const n of inv.nodes) {
    if (!nodes.includes(n.name)) continue;
    expect(n.introspect, `${n.name} has an introspect in the lab inventory`).toBeDefined();
    n.evidence = "introspect";
    n.ssh = { ...n.ssh!, port };
    // The address map must not send the node's SSH back to its real port.
    for (const [k, v] of Object.entries(inv.addressMap ?? {})) if (k.endsWith(":22") && v.endsWith(`:${lab.inventory.nodes.find((x) => x.name === n.name)!.ssh!.port}`)) delete inv.addressMap![k];
  }
  return inv;
}

describe("a compute node read only through its introspect", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await labFor();
  });
  afterAll(async () => {
    await lab?.stop();
  });

  for (const fault of [null, "backend-down", "wrong-label"] as const) {
    it(`gives the SSH walk's verdicts${fault ? ` with ${fault}` : " on the healthy lab"}`, async () => {
      if (fault) lab.setFault(fault, true);
      try {
        const s = lab.inventory.scenario;
        const backend = s.backendPods[0]!.node;
        const viaSsh = await walkOn(lab, { largePath: undefined });
        const inv = await introspectOnly(lab, [backend]);
        const viaIntrospect = await walkOn(lab, { inventory: inv, largePath: undefined });
        expect(viaIntrospect.stages.map((x) => [x.id, x.verdict])).toEqual(viaSsh.stages.map((x) => [x.id, x.verdict]));
        if (!fault) expect(viaIntrospect.verdict).toBe("pass");
        else expect(viaIntrospect.firstFailure?.id).toBe(viaSsh.firstFailure?.id);
        // Nothing was asked of the backend node over SSH; its evidence came from the introspect.
        expect(viaIntrospect.unreachable[backend]).toBeUndefined();
        const ev = viaIntrospect.stages.flatMap((x) => x.evidence).filter((e) => e.node === backend && e.command);
        expect(ev.length).toBeGreaterThan(0);
        expect(ev.every((e) => /introspect \/Snh_K/.test(e.command!))).toBe(true);
      } finally {
        if (fault) lab.setFault(fault, false);
      }
    });
  }

  it("gives the same verdicts when both compute nodes are read through the introspect", async () => {
    const viaSsh = await walkOn(lab, { largePath: undefined });
    const inv = await introspectOnly(lab, lab.inventory.nodes.filter((n) => n.role === "compute").map((n) => n.name));
    const viaIntrospect = await walkOn(lab, { inventory: inv, largePath: undefined });
    expect(viaIntrospect.stages.map((x) => [x.id, x.verdict])).toEqual(viaSsh.stages.map((x) => [x.id, x.verdict]));
  });

  it("records the introspect fetches and snapshots, and a replay tells the same story offline", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-introspect-replay-"));
    try {
      lab.setFault("wrong-label", true);
      const s = lab.inventory.scenario;
      const inventory = await introspectOnly(lab, [s.backendPods[0]!.node]);
      const params = { fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader };
      const record = createInvestigation(path.join(dir, "inv"), { target: describeTarget(loadInventory(inventory), "lab", "default"), parameters: params });
      const live = await walkOn(lab, { inventory, record, largePath: undefined });
      record.close();
      const inv = openInvestigation(path.join(dir, "inv"));
      expect(inv.warnings).toEqual([]);
      const fetched = inv.records.filter((r) => r.kind === "command" && r.via === "introspect");
      expect(fetched.length).toBeGreaterThan(0);
      expect(fetched.every((r) => r.kind === "command" && /^introspect GET \/Snh_K/.test(r.command))).toBe(true);
      expect(inv.records.some((r) => r.kind === "snapshot" && r.format === "introspect")).toBe(true);
      // Offline: every introspect (and SSH) address of the replay's inventory leads to a closed port.
      const target = JSON.parse(JSON.stringify(inv.manifest.target.inventory!)) as Inventory;
      const closed = await closedPort();
      for (const k of Object.keys(target.addressMap ?? {})) target.addressMap![k] = `127.0.0.1:${closed}`;
      for (const n of target.nodes) if (n.ssh) n.ssh = { ...n.ssh, port: closed };
      const replayInv = loadInventory(target);
      expect(replayInv.nodes.find((n) => n.name === s.backendPods[0]!.node)?.evidence).toBe("introspect");
      const replayed = await runWalk({ ...params, inventory: replayInv, replay: inv, firstByteTimeoutMs: 3000, commandTimeoutMs: 5000 });
      expect(story(replayed)).toEqual(story(live));
    } finally {
      lab.setFault("wrong-label", false);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an introspect that does not answer: the node is unreachable with the URL and why, the walk does not throw", async () => {
    const s = lab.inventory.scenario;
    const backend = s.backendPods[0]!.node;
    const inv = await introspectOnly(lab, [backend]);
    const closed = await closedPort();
    inv.addressMap![`${s.nodes[backend]!.fabricIp}:8085`] = `127.0.0.1:${closed}`;
    const r = await walkOn(lab, { inventory: inv, largePath: undefined });
    expect(r.unreachable[backend]).toMatch(new RegExp(`^${backend} unreachable: introspect http://127\\.0\\.0\\.1:${closed}/Snh_KInterfaceReq\\?if_id=-1: connect failed: connect ECONNREFUSED`));
    const svc = r.stage("service-nat")!;
    expect(svc.verdict).not.toBe("pass");
    // Up to haproxy everything is on the other node; the overlay's tunnel leads to the node that did not answer.
    expect(r.stages.slice(0, 4).map((x) => x.verdict)).toEqual(["pass", "pass", "pass", "pass"]);
    expect(r.stage("overlay")!.verdict).toBe("unknown");
    expect(r.stage("overlay")!.reason).toContain(`${backend} unreachable: introspect`);
  });
});
