/**
 * Done-when of #17 part 4: a walk where a compute node is read only through the agent's introspect (its
 * SSH port closed, so nothing can reach it over SSH) gives the same stage verdicts as the walk over SSH,
 * on the healthy lab and under faults; the introspect node's evidence names the introspect requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as net from "node:net";
import type { Lab } from "../../lib/lab/lab";
import type { Inventory } from "../../lib/remote/inventory";
import { labFor, walkOn } from "../walk/helpers";

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
    n.ssh = { ...n.ssh, port };
    // The address map must not send the node's SSH back to its real port.
    for (const [k, v] of Object.entries(inv.addressMap ?? {})) if (k.endsWith(":22") && v.endsWith(`:${lab.inventory.nodes.find((x) => x.name === n.name)!.ssh.port}`)) delete inv.addressMap![k];
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
});
