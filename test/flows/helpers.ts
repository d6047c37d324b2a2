/** Shared set-up of the flow tests: a bin directory with a fake `flow` (and `docker`) for the test SSH server. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageRoot } from "../../lib/display/version";

/** The real vRouter outputs of shared/fixtures/vrouter, kept in the repo (test/vrouter/fixtures/real). */
export const FIXTURES = path.resolve(packageRoot(), "test/vrouter/fixtures/real");

/**
 * A temp dir with `bin/flow` printing `flowFile` (and failing with the code written in `exitFile`, when
 * not empty), and a `docker` that runs `exec CONTAINER cmd…` locally.
 *
 * @example
 * const bin = fakeVrouterBin(); fs.copyFileSync(fixture, bin.flowFile);
 * const srv = await startTestSshServer({ path: bin.bin });
 */
export function fakeVrouterBin(): { dir: string; bin: string; flowFile: string; exitFile: string; dispose(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-flowbin-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const flowFile = path.join(dir, "flow.txt");
  const exitFile = path.join(dir, "exit");
  fs.writeFileSync(path.join(bin, "flow"), `#!/bin/sh\ncat "${flowFile}"\nif [ -s "${exitFile}" ]; then echo "flow: failing as asked" >&2; exit "$(cat "${exitFile}")"; fi\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "docker"), `#!/bin/sh\n[ "$1" = exec ] || exit 64\nshift 2\nexec "$@"\n`, { mode: 0o755 });
  return { dir, bin, flowFile, exitFile, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A `flow -l` dump holding the given entries (4-line blocks as the utility prints them).
 *
 * @example
 * flowDump([{ index: 1, rindex: 2, src: "15.15.15.2:51000", dst: "101.101.101.1:80", proto: 6, vrf: "5", action: "N(D)", tcp: "S", stats: "1/60" }])
 */
export function flowDump(entries: { index: number; rindex: number; src: string; dst: string; proto: number; vrf: string; action: string; tcp?: string; stats: string }[]): string {
  const head =
    "Flow table(size 161218560, entries 629760)\n\n" +
    "Entries: Created 1 Added 1 Deleted 0 Changed 0Processed 1 Used Overflow entries 0\n" +
    "(Created Flows/CPU: 0 0 0 0)(oflows 0)\n\n" +
    "Action:F=Forward, D=Drop N=NAT(S=SNAT, D=DNAT, Ps=SPAT, Pd=DPAT, L=Link Local Port)\n" +
    " Other:K(nh)=Key_Nexthop, S(nh)=RPF_Nexthop\n" +
    " Flags:E=Evicted, Ec=Evict Candidate, N=New Flow, M=Modified Dm=Delete Marked\n" +
    "TCP(r=reverse):S=SYN, F=FIN, R=RST, C=HalfClose, E=Established, D=Dead\n\n" +
    "    Index                Source:Port/Destination:Port                      Proto(V)\n" +
    "-----------------------------------------------------------------------------------\n";
  const body = entries
    .map((e) => {
      const idx = String(e.index).padStart(9) + `<=>${String(e.rindex).padEnd(9)}`;
      const src = `${e.src}`.padEnd(46);
      const tcp = e.proto === 6 ? `TCP:${e.tcp ?? ""}, ` : "";
      return (
        `${idx}    ${src}    ${String(e.proto).padStart(3)} (${e.vrf})\n` +
        `${" ".repeat(25)}${e.dst}\n` +
        `(Gen: 1, K(nh):61, Action:${e.action}, Flags:, ${tcp}QOS:-1, S(nh):61,\n` +
        ` Stats:${e.stats},  SPort 51234, TTL 0, Sinfo 0.0.0.0)\n\n`
      );
    })
    .join("");
  return head + body;
}
