/**
 * Against Debian's real OpenSSH server on a loopback port (skipped, with the reason, when sshd is not
 * installed or we are not root; CI installs `openssh-server openssh-client`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowPoller } from "../../lib/flows/poller";
import type { FlowSnapshot, SnapshotGap } from "../../lib/flows/snapshot";
import { loadInventory, type Inventory } from "../../lib/remote/inventory";
import { SshRunner } from "../../lib/remote/runner";
import { FIXTURES, fakeVrouterBin } from "../flows/helpers";
import { HOSTILE } from "./helpers/hostile";
import { startOpenSsh, type OpenSshServer } from "./helpers/openssh";
import { running, waitFor } from "./helpers/wait";

let sshd: OpenSshServer | undefined;
let skip = "";
let bin: ReturnType<typeof fakeVrouterBin>;

beforeAll(async () => {
  const s = await startOpenSsh();
  if ("skip" in s) {
    skip = s.skip;
    console.warn(`openssh tests skipped: ${skip}`);
  } else sshd = s;
  bin = fakeVrouterBin();
  fs.copyFileSync(path.join(FIXTURES, "s3-2.txt"), bin.flowFile);
});

afterAll(async () => {
  await sshd?.close();
  bin.dispose();
});

function inventory(s: OpenSshServer, extra: Record<string, unknown> = {}): Inventory {
  return loadInventory({
    nodes: [{ name: "cent222", role: "compute", ssh: { host: s.host, port: s.port, user: s.user, identityFile: s.clientKeyPath, agent: false, ...extra } }],
    sshConfig: false,
    knownHosts: path.join(s.dir, "known_hosts"),
  });
}

describe("against OpenSSH sshd", () => {
  it("verifies the host key from known_hosts and runs hostile arguments literally", async (ctx) => {
    if (!sshd) return ctx.skip();
    fs.writeFileSync(path.join(sshd.dir, "known_hosts"), `[127.0.0.1]:${sshd.port} ${sshd.hostKeyLine}\n`);
    const runner = new SshRunner(inventory(sshd));
    const r = await runner.run("cent222", ["printf", "%s\\0", ...HOSTILE]);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(HOSTILE);
    runner.close();
  });

  it("refuses the unknown host key of a real sshd with its fingerprint", async (ctx) => {
    if (!sshd) return ctx.skip();
    fs.writeFileSync(path.join(sshd.dir, "known_hosts"), "");
    const runner = new SshRunner(inventory(sshd));
    await expect(runner.run("cent222", ["true"])).rejects.toMatchObject({ stage: "hostkey", fingerprint: sshd.hostFingerprint });
    runner.close();
  });

  it("stops the remote command on timeout with killOnClose (sshd refuses signal requests for root)", async (ctx) => {
    if (!sshd) return ctx.skip();
    const runner = new SshRunner(inventory(sshd, { hostKey: sshd.hostFingerprint }));
    const marker = path.join(sshd.dir, "survived");
    await expect(runner.run("cent222", { script: `sleep 31.4159 && touch ${marker}` }, { timeoutMs: 300, killOnClose: true })).rejects.toMatchObject({ stage: "timeout" });
    // The remote process group is gone (not left to run its 31 s to completion): within 20 s, as a
    // machine loaded by the whole suite can take seconds to run sshd's side of the close.
    await waitFor(() => !running("sleep 31.4159"), 20_000);
    expect(fs.existsSync(marker)).toBe(false);
    runner.close();
  });

  it("streams snapshots from one remote loop and survives a killed connection", async (ctx) => {
    if (!sshd) return ctx.skip();
    const runner = new SshRunner(inventory(sshd, { hostKey: sshd.hostFingerprint }));
    // The silence watch is not what this test is about (poller.test.ts covers it): on a loaded machine
    // a 100 ms loop can pause past its default 1.2 s, which would add a gap of its own. Only the killed
    // connection may make one here.
    const poller = new FlowPoller({ runner, nodes: ["cent222"], argv: [path.join(bin.bin, "flow"), "-l"], intervalMs: 100, reconnectDelayMs: 50, silenceMs: 60_000 });
    const snaps: FlowSnapshot[] = [];
    const gaps: SnapshotGap[] = [];
    const ac = new AbortController();
    const done = poller.run({ signal: ac.signal, onSnapshot: (s) => snaps.push(s), onGap: (g) => gaps.push(g) });
    await waitFor(() => snaps.length >= 3, 20_000);
    const killedAt = snaps.length;
    runner.drop("cent222");
    await waitFor(() => snaps.length >= killedAt + 3, 20_000);
    ac.abort();
    await done;
    expect(snaps[0]!.entries.map((e) => e.index)).toEqual([159376, 409632]);
    expect(gaps, JSON.stringify(gaps)).toHaveLength(1);
    expect(gaps[0]!.reason).toMatch(/connection closed|exec failed/);
    expect(snaps.map((s) => s.seq)).toEqual(snaps.map((_, i) => i));
    runner.close();
  });
});
