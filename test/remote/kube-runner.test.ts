/**
 * KubeRunner (commands through the Kubernetes API's pod exec) and InventoryRunner (SSH or kubectl per
 * node) against the lab: the SshRunner contract (output, exit status, check, timeouts, abort, streams,
 * output cap) and clear errors naming the node and what failed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { startLab, type Lab } from "../../lib/lab/lab";
import { agentPodName } from "../../lib/lab/kube/objects";
import { loadInventory, type Inventory } from "../../lib/remote/inventory";
import { KubeRunner } from "../../lib/remote/kube-runner";
import { InventoryRunner } from "../../lib/remote/dispatch-runner";
import { RemoteError } from "../../lib/remote/errors";
import execCommand from "../../kernel/commands/exec";
import { runCli } from "./helpers/cli";

let lab: Lab;
let dir: string;
beforeAll(async () => {
  lab = await startLab();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kuberunner-"));
});
afterAll(async () => {
  await lab?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The lab's inventory with the given compute nodes reached only through kubectl (no ssh section). */
function kubeInventory(nodes: string[], vrouter: Record<string, unknown> = { selector: "app=contrail-agent", container: "contrail-vrouter-agent" }, kubernetes?: Record<string, unknown>): Inventory {
  const raw = JSON.parse(JSON.stringify(lab.inventory)) as { nodes: Record<string, unknown>[]; kubernetes?: unknown };
  for (const n of raw.nodes) {
    if (!nodes.includes(n.name as string)) continue;
    delete n.ssh;
    n.vrouter = { via: "kubectl", ...vrouter };
  }
  if (kubernetes) raw.kubernetes = kubernetes;
  return loadInventory(raw);
}

async function failure(p: Promise<unknown>): Promise<RemoteError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteError);
    return e as RemoteError;
  }
  throw new Error("expected a RemoteError");
}

describe("KubeRunner", () => {
  it("runs the vRouter tools in the agent container: the same bytes as the lab's tool (and SSH)", async () => {
    const runner = new KubeRunner(kubeInventory(["cent222", "cent333"]));
    try {
      expect(await runner.target("cent333")).toEqual({ namespace: "kube-system", pod: agentPodName("cent333"), container: "contrail-vrouter-agent", nodeName: "cent333" });
      for (const argv of [["nh", "--get", "61"], ["rt", "--dump", "2"], ["mpls", "--dump"], ["vif", "--list"], ["flow", "-l"]]) {
        const r = await runner.runVrouter("cent222", argv, { timeoutMs: 10_000 });
        expect(r.exitCode, argv.join(" ")).toBe(0);
        expect(r.stdout, argv.join(" ")).toBe(lab.tool("cent222", argv).stdout);
        expect(r).toMatchObject({ node: "cent222", command: argv.join(" "), signal: null });
      }
    } finally {
      runner.close();
    }
  });

  it("argv runs without a shell, scripts through sh -c; exit status and stderr as results; check turns them into errors", async () => {
    const runner = new KubeRunner(kubeInventory(["cent333"], { pod: agentPodName("cent333") }));
    try {
      const a = await runner.run("cent333", ["echo", "a b", "$HOME;"]);
      expect(a.stdout).toBe("a b $HOME;\n");
      const s = await runner.run("cent333", { script: "echo out; echo err >&2; exit 5" });
      expect([s.stdout, s.stderr, s.exitCode]).toEqual(["out\n", "err\n", 5]);
      const c = await failure(runner.run("cent333", { script: "echo boom >&2; exit 2" }, { check: true }));
      expect([c.stage, c.node, c.exitCode]).toEqual(["exec", "cent333", 2]);
      expect(c.message).toBe("exec failed on cent333: exit 2: boom (command: echo boom >&2; exit 2)");
      const missing = await failure(runner.run("cent333", ["no-such-tool"]));
      expect(missing.stage).toBe("exec");
      expect(missing.message).toMatch(/exec: "no-such-tool": executable file not found in \$PATH/);
    } finally {
      runner.close();
    }
  });

  it("streams output as it comes (binary kept), or stops collecting at the cap", async () => {
    const runner = new KubeRunner(kubeInventory(["cent222"]), { maxOutputBytes: 10_000 });
    try {
      const chunks: Buffer[] = [];
      const r = await runner.run("cent222", { script: "printf '\\000\\377\\001'; sleep 0.2; printf 'x'" }, { collect: false, onStdout: (d) => chunks.push(d) });
      expect(r.stdout).toBe("");
      expect(Buffer.concat(chunks)).toEqual(Buffer.from([0, 255, 1, 120]));
      const big = await failure(runner.run("cent222", ["head", "-c", "50000", "/dev/zero"]));
      expect(big.stage).toBe("exec");
      expect(big.detail).toMatch(/^output over 10000 bytes: stopped/);
      const streamed = await runner.run("cent222", ["head", "-c", "50000", "/dev/zero"], { collect: false, onStdout: () => undefined });
      expect(streamed.exitCode).toBe(0);
    } finally {
      runner.close();
    }
  });

  it("times out and aborts like SshRunner, and the command stops on the node", async () => {
    const runner = new KubeRunner(kubeInventory(["cent222"]));
    const marker = path.join(dir, "late");
    try {
      const t0 = Date.now();
      const e = await failure(runner.run("cent222", { script: `sleep 1.5; touch ${marker}` }, { timeoutMs: 400 }));
      expect(e.stage).toBe("timeout");
      expect(e.message).toBe(`timeout failed on cent222: the command took over the command's 400 ms limit (command: sleep 1.5; touch ${marker})`);
      expect(Date.now() - t0).toBeLessThan(1500);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 300);
      const a = await failure(runner.run("cent222", ["sleep", "5"], { signal: ac.signal, timeoutMs: 0 }));
      expect([a.stage, a.detail]).toEqual(["abort", "aborted"]);
      const k = new AbortController();
      setTimeout(() => k.abort(), 300);
      const kc = await failure(runner.run("cent222", { script: `sleep 1.5; touch ${marker}.kc` }, { signal: k.signal, killOnClose: true, timeoutMs: 0 }));
      expect(kc.stage).toBe("abort");
      await new Promise((r) => setTimeout(r, 2000));
      expect(fs.existsSync(marker)).toBe(false);
      expect(fs.existsSync(`${marker}.kc`)).toBe(false);
    } finally {
      runner.close();
    }
    const closed = await failure(runner.run("cent222", ["true"]));
    expect(closed.stage).toBe("abort");
  });

  it("one caller giving up does not fail the others sharing the pod lookup", async () => {
    const runner = new KubeRunner(kubeInventory(["cent333"]));
    try {
      await runner.kubeConfig();
      const ac = new AbortController();
      const first = runner.target("cent333", ac.signal);
      const second = runner.target("cent333");
      ac.abort();
      expect((await failure(first)).stage).toBe("abort");
      expect((await second).pod).toBe(agentPodName("cent333"));
      expect((await runner.run("cent333", ["echo", "still here"])).stdout).toBe("still here\n");
    } finally {
      runner.close();
    }
  });

  it("names what failed: pod or container not found, no pod on the node, forbidden, expired token, API unreachable, bad context", async () => {
    const kc = lab.inventory.kubernetes!.kubeconfig;
    const pod = await failure(new KubeRunner(kubeInventory(["cent222"], { pod: "contrail-agent-zzzzz" })).run("cent222", ["true"]));
    expect([pod.stage, pod.node]).toEqual(["connect", "cent222"]);
    expect(pod.detail).toBe('reading pod kube-system/contrail-agent-zzzzz: not found (pods "contrail-agent-zzzzz" not found)');
    const ctr = await failure(new KubeRunner(kubeInventory(["cent222"], { selector: "app=contrail-agent", container: "vrouter-agent" })).run("cent222", ["true"]));
    expect(ctr.detail).toBe(`container vrouter-agent not found in pod kube-system/${agentPodName("cent222")} (containers: contrail-vrouter-agent, contrail-agent-nodemgr)`);
    const none = await failure(new KubeRunner(kubeInventory(["cent222"], { selector: "app=vrouter" })).run("cent222", ["true"]));
    expect(none.detail).toMatch(/^no pod matches selector "app=vrouter" on node cent222 in namespace kube-system \(Kubernetes API https:\/\/127\.0\.0\.1:\d+\)$/);
    const viewer = await failure(new KubeRunner(kubeInventory(["cent222"], undefined, { kubeconfig: kc, context: "packetwalk-lab-viewer" })).run("cent222", ["true"]));
    expect(viewer.stage).toBe("auth");
    expect(viewer.detail).toMatch(/forbids exec into kube-system\/contrail-agent-\w+ container contrail-vrouter-agent \(403 Forbidden/);
    const tenant = await failure(new KubeRunner(kubeInventory(["cent222"], undefined, { kubeconfig: kc, context: "packetwalk-lab-tenant" })).run("cent222", ["true"]));
    expect(tenant.stage).toBe("auth");
    expect(tenant.detail).toContain('pods is forbidden: User "tenant-ns-user-1" cannot list resource "pods" in API group "" in the namespace "kube-system"');
    const expired = await failure(new KubeRunner(kubeInventory(["cent222"], undefined, { kubeconfig: kc, context: "packetwalk-lab-expired" })).run("cent222", ["true"]));
    expect(expired.stage).toBe("auth");
    expect(expired.detail).toMatch(/refused the credentials of context packetwalk-lab-expired .*401 Unauthorized/);
    const bad = await failure(new KubeRunner(kubeInventory(["cent222"], undefined, { kubeconfig: kc, context: "nope" })).run("cent222", ["true"]));
    expect(bad.stage).toBe("inventory");
    expect(bad.detail).toMatch(/kubernetes: .*kubeconfig has no context "nope" \(contexts: packetwalk-lab, packetwalk-lab-viewer, packetwalk-lab-tenant, packetwalk-lab-expired\)/);
    // An API nobody answers: the lab's kubeconfig pointed at a closed port.
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const deadCfg = path.join(dir, "dead.kubeconfig");
    fs.writeFileSync(deadCfg, fs.readFileSync(kc, "utf8").replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`));
    const down = await failure(new KubeRunner(kubeInventory(["cent222"], undefined, { kubeconfig: deadCfg })).run("cent222", ["true"], { timeoutMs: 5000 }));
    expect(down.stage).toBe("connect");
    expect(down.detail).toMatch(new RegExp(`^Kubernetes API https://127\\.0\\.0\\.1:${port} unreachable while listing pods .*ECONNREFUSED`));
  });
});

describe("InventoryRunner", () => {
  it("sends kubectl nodes through the API and the others through SSH", async () => {
    const inv = kubeInventory(["cent333"]);
    expect(inv.nodes.find((n) => n.name === "cent333")!.ssh).toBeUndefined();
    const runner = new InventoryRunner(inv);
    try {
      const [k, s] = await Promise.all([runner.runVrouter("cent333", ["vif", "--list"]), runner.runVrouter("cent222", ["vif", "--list"])]);
      expect(k.stdout).toBe(lab.tool("cent333", ["vif", "--list"]).stdout);
      expect(s.stdout).toBe(lab.tool("cent222", ["vif", "--list"]).stdout);
      expect(runner.connectedNodes()).toEqual(["cent222"]);
      expect(runner.runnerFor("cent333")).toBeInstanceOf(KubeRunner);
      const gw = await runner.run("gateway", { script: "cli -c 'show route table k8s-ns-user-1-public.inet.0'" });
      expect(gw.exitCode).toBe(0);
    } finally {
      runner.close();
    }
  });

  it("a kubectl node has no SSH plan: asking for one names the node", async () => {
    const runner = new InventoryRunner(kubeInventory(["cent333"]));
    expect(() => runner.ssh.plan("cent333")).toThrow(/cent333 has no ssh section \(it is reached through the Kubernetes API: vrouter\.via kubectl\)/);
    runner.close();
  });
});

describe("packetwalk exec on a kubectl node", () => {
  it("runs the command in the agent container and fans out beside SSH nodes", async () => {
    const file = path.join(dir, "kube-inv.json");
    const raw = JSON.parse(JSON.stringify(lab.inventory)) as { nodes: Record<string, unknown>[] };
    for (const n of raw.nodes) if (n.name === "cent333") {
      delete n.ssh;
      n.vrouter = { via: "kubectl", selector: "app=contrail-agent", container: "contrail-vrouter-agent" };
    }
    fs.writeFileSync(file, JSON.stringify(raw));
    const one = await runCli(execCommand, ["cent333", "--inventory", file, "--vrouter", "--", "mpls", "--dump"]);
    expect(one).toEqual({ code: 0, stdout: lab.tool("cent333", ["mpls", "--dump"]).stdout, stderr: "" });
    const both = await runCli(execCommand, ["cent222,cent333", "--inventory", file, "--", "sh", "-c", "echo $PWLAB_NODE"]);
    expect(both.code).toBe(0);
    expect(both.stdout.split("\n").sort()).toEqual(["", "cent222 | cent222", "cent333 | cent333"]);
  });
});
