/**
 * Every fault a drill can hide is diagnosed by the walk at the stage the drill catalogue names (so every
 * level's drills are gradable), and a two-fault drill shows its second fault once the first is found.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../../lib/lab/lab";
import { DRILL_CAUSES, DRILL_FAULTS, drillsOfLevel, planDrill } from "../../lib/lab/drill";
import { labFor, walkOn } from "../walk/helpers";
import { startLab } from "../../lib/lab/lab";
import type { Inventory } from "../../lib/remote/inventory";
import { runWalk } from "../../lib/walk";

let lab: Lab;
beforeAll(async () => {
  lab = await labFor();
});
afterAll(async () => {
  await lab?.stop();
});

describe("every drill fault is diagnosed at its stage by the walk", () => {
  for (const cause of DRILL_CAUSES) {
    it(`${cause} → stage ${DRILL_FAULTS[cause].stage}`, async () => {
      lab.setFault(cause, true);
      try {
        const r = await walkOn(lab);
        expect(r.verdict).toBe("fail");
        expect(r.firstFailure?.id, r.firstFailure?.reason).toBe(DRILL_FAULTS[cause].stage);
        if (cause === "return-sg-drop") expect(r.firstFailure!.reason).toMatch(/D\(Policy\)/);
        if (cause === "stale-flow") expect(r.firstFailure!.reason).toMatch(/has no reverse flow \(rindex -1\)/);
        if (cause === "standby-answers") expect(r.firstFailure!.reason).toMatch(/on cent333 accepted the client's connection.*opened no connection/);
      } finally {
        lab.setFault(cause, false);
      }
    }, 60_000);
  }

  it("the catalogue covers every level: level 1 forward only, level 3 return/large or two faults", () => {
    for (const d of drillsOfLevel(1)) expect(DRILL_FAULTS[d[0]].path).toBe("forward");
    expect(drillsOfLevel(2).flat().sort()).toEqual([...DRILL_CAUSES].sort());
    for (const d of drillsOfLevel(3)) expect(d.length === 2 || DRILL_FAULTS[d[0]].path !== "forward").toBe(true);
  });

  it("a two-fault drill: the walk finds the first, and once it is found (repaired) the second", async () => {
    let seed = 1;
    while (planDrill(seed, 3).faults.join() !== "fip-nat-missing,backend-down") seed++;
    const d = await startLab({ drill: { seed, level: 3 }, flowLingerMs: 3000, proxy: { connectTimeoutMs: 1000, dropHoldMs: 8000 } });
    try {
      const s = d.inventory.scenario;
      const walk = () => runWalk({ inventory: d.inventory as unknown as Inventory, fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader, firstByteTimeoutMs: 3000, commandTimeoutMs: 5000 });
      expect((await walk()).firstFailure?.id).toBe("fip-nat");
      expect(d.state.drill!.check({ stage: "fip-nat", cause: "fip-nat-missing" })).toMatchObject({ correct: true, remaining: 1 });
      expect((await walk()).firstFailure?.id).toBe("backend");
      expect(d.state.drill!.check({ stage: "backend", cause: "backend-down" })).toMatchObject({ correct: true, remaining: 0 });
    } finally {
      await d.stop();
    }
  }, 90_000);
});
