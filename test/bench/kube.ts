/**
 * Kubernetes door benchmark, on the lab: the same command on the same compute node through its two
 * doors side by side — SSH (`SshRunner`, one kept connection) and the Kubernetes API's pod exec
 * (`KubeRunner`: a TLS WebSocket per command, as `kubectl exec` opens) — for `true` (the transport and
 * process start) and `flow -l` (a vRouter tool through the lab's tool socket); and the API's list
 * latency through @kubernetes/client-node (`listPodForAllNamespaces`, a TLS connection per request).
 *
 * Scale: `PACKETWALK_BENCH_SCALE` (float, default 1) multiplies the iterations.
 *
 * Run: `node node_modules/typescript/bin/tsc -p tsconfig.json && PACKETWALK_BENCH_ONLY=kube node dist/test/bench/index.js`
 */
import { startLab } from "../../lib/lab/lab";
import { loadInventory } from "../../lib/remote/inventory";
import { KubeRunner } from "../../lib/remote/kube-runner";
import { loadKubeClient } from "../../lib/kube/library";
import { SshRunner, type CommandRunner } from "../../lib/remote/runner";
import { median, percentile } from "./stats";

function scale(): number {
  const s = Number(process.env.PACKETWALK_BENCH_SCALE ?? "1");
  return Number.isFinite(s) && s > 0 ? s : 1;
}

async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm: connection, pod lookup, JIT
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const f = (x: number) => `${x.toFixed(1)} ms`;

/** Runs the benchmark and prints its figures. */
export async function run(log: (line: string) => void): Promise<void> {
  const n = Math.max(5, Math.round(30 * scale()));
  const lab = await startLab();
  const raw = JSON.parse(JSON.stringify(lab.inventory)) as { nodes: Record<string, unknown>[] };
  const sshInv = loadInventory(JSON.parse(JSON.stringify(raw)));
  for (const node of raw.nodes) if (node.role === "compute") {
    delete node.ssh;
    node.vrouter = { via: "kubectl", selector: "app=contrail-agent", container: "contrail-vrouter-agent" };
  }
  const kubeInv = loadInventory(raw);
  const ssh = new SshRunner(sshInv);
  const kube = new KubeRunner(kubeInv);
  try {
    for (const argv of [["true"], ["flow", "-l"]]) {
      const runOn = (r: CommandRunner) => () => r.run("cent222", argv, { timeoutMs: 20_000, check: true });
      const s = await time(n, runOn(ssh));
      const k = await time(n, runOn(kube));
      log(`  ${argv.join(" ").padEnd(8)} ssh p50 ${f(median(s))} p99 ${f(percentile(s, 99))} | kubectl exec p50 ${f(median(k))} p99 ${f(percentile(k, 99))} | ratio kube/ssh p50 ${(median(k) / median(s)).toFixed(2)} (n=${n})`);
    }
    const k8s = await loadKubeClient();
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(lab.inventory.kubernetes!.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const lists = await time(n * 3, () => core.listPodForAllNamespaces());
    log(`  API list pods -A (client-node) p50 ${f(median(lists))} p99 ${f(percentile(lists, 99))} (n=${n * 3})`);
  } finally {
    ssh.close();
    kube.close();
    await lab.stop();
  }
}
