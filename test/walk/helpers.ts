import { startLab, type Lab } from "../../lib/lab/lab";
import type { Inventory } from "../../lib/remote/inventory";
import { runWalk } from "../../lib/walk";
import type { WalkReport } from "../../lib/walk/report";
import type { WalkOptions } from "../../lib/walk/types";

/** Starts a lab tuned for fast walks (short haproxy connect timeout, flows linger 3 s). */
export function labFor(opts: { topology?: string; faults?: string[] } = {}): Promise<Lab> {
  return startLab({ topology: opts.topology ?? "default", faults: opts.faults ?? [], flowLingerMs: 3000, proxy: { connectTimeoutMs: 1000, dropHoldMs: 8000 } });
}

/** The walk parameters a test passes (from the inventory's scenario only where a human would type them). */
export function walkOn(lab: Lab, extra: Partial<WalkOptions> = {}): Promise<WalkReport> {
  const s = lab.inventory.scenario;
  return runWalk({
    inventory: lab.inventory as unknown as Inventory,
    fip: s.fip,
    fipPort: s.fipPort,
    hostHeader: s.hostHeader,
    largePath: "/download/20000",
    firstByteTimeoutMs: 3000,
    commandTimeoutMs: 5000,
    ...extra,
  });
}
