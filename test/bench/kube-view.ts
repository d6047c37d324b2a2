/**
 * Kubernetes view benchmark: the pure join at cluster scale (the API's lists → rows → the chain for one
 * request → findings; 20 000 pods, 2 000 services, 20 000 endpoint-slice addresses, 500 ingress rules at
 * scale 1) and one pass over the lab's own API through @kubernetes/client-node (six list calls, HTTPS,
 * bearer token), as the walk and `packetwalk discover` make it.
 *
 * Run: `PACKETWALK_BENCH_ONLY=kube-view node dist/test/bench/index.js`
 */
import { kubeChain } from "../../lib/kube/chain";
import { openKubeApi } from "../../lib/kube/client";
import { kubeFindings } from "../../lib/kube/findings";
import { kubeObjects } from "../../lib/kube/objects";
import { readCluster } from "../../lib/kube/read";
import type { KubeSnapshot } from "../../lib/kube/types";
import { startLab } from "../../lib/lab/lab";
import { median, withPeakRss } from "./stats";

function syntheticCluster(scale: number): KubeSnapshot {
  const nNodes = 500 * scale, nSvc = 2000 * scale, perSvc = 10;
  const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const nodes = Array.from({ length: nNodes }, (_, i) => ({ metadata: { name: `node${i}` }, status: { addresses: [{ type: "InternalIP", address: `192.168.${i >> 8}.${i & 255}` }], conditions: [{ type: "Ready", status: "True" }] } }));
  const pods: unknown[] = [];
  const services: unknown[] = [];
  const slices: unknown[] = [];
  const paths: unknown[] = [];
  for (let s = 0; s < nSvc; s++) {
    const ns = `ns${s % 50}`;
    services.push({ metadata: { name: `svc${s}`, namespace: ns }, spec: { clusterIP: ip(0x630000 + s), ports: [{ port: 80, targetPort: 8080 }], selector: { app: `svc${s}` } } });
    const eps = [];
    for (let k = 0; k < perSvc; k++) {
      const p = s * perSvc + k;
      const node = `node${p % nNodes}`;
      pods.push({ metadata: { name: `svc${s}-${k}`, namespace: ns, labels: { app: `svc${s}` } }, spec: { nodeName: node, containers: [{ name: "app", ports: [{ containerPort: 8080 }] }] }, status: { phase: "Running", podIP: ip(0x2f0000 + p), conditions: [{ type: "Ready", status: k === 0 ? "False" : "True" }] } });
      eps.push({ addresses: [ip(0x2f0000 + p)], conditions: { ready: k !== 0 }, nodeName: node, targetRef: { kind: "Pod", namespace: ns, name: `svc${s}-${k}` } });
    }
    slices.push({ metadata: { name: `svc${s}-abc`, namespace: ns, labels: { "kubernetes.io/service-name": `svc${s}` } }, endpoints: eps, ports: [{ port: 8080, protocol: "TCP" }] });
    if (s % 4 === 0 && ns === "ns0") paths.push({ host: `h${s}.example.net`, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: `svc${s}`, port: { number: 80 } } } }] } });
  }
  const ingresses = [{ metadata: { name: "big", namespace: "ns0" }, spec: { rules: paths }, status: { loadBalancer: { ingress: [{ ip: "101.101.101.1" }] } } }];
  const read = (resource: "nodes" | "pods" | "services" | "endpointslices" | "ingresses", items: unknown[]) => ({ resource, namespace: null, startedAt: 0, endedAt: 0, items, error: null });
  return { server: "(bench)", context: "bench", startedAt: 0, endedAt: 0, reads: [read("nodes", nodes), read("pods", pods), read("services", services), read("endpointslices", slices), read("ingresses", ingresses)] };
}

/**
 * Runs the Kubernetes view benchmarks.
 *
 * @example
 * await run(console.log);
 */
export async function run(log: (line: string) => void): Promise<void> {
  const scale = Number(process.env.PACKETWALK_BENCH_SCALE ?? 1) || 1;
  const snap = syntheticCluster(scale);
  const host = `h${(2000 * scale - 4) - ((2000 * scale - 4) % 200)}.example.net`;
  const times: number[] = [];
  let found = 0;
  const { peakMB } = await withPeakRss(async () => {
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const o = kubeObjects(snap);
      const c = kubeChain(o, { fip: "101.101.101.1", host, path: "/" });
      const f = kubeFindings(c, { probes: 1, serviceIp: c.service?.clusterIp ?? null, backendPodIp: c.endpoints[1]?.ip ?? null, backendNode: null, flowsByIp: {}, routes: {}, apiErrors: [] });
      times.push(performance.now() - t0);
      found = c.endpoints.length + f.length * 0;
    }
  });
  const objects = snap.reads.reduce((n, r) => n + (r.items?.length ?? 0), 0) + 20000 * scale;
  const ms = median(times);
  log(`  join at scale ${scale}: ${objects} objects (pods + slice addresses + nodes + services) → chain with ${found} endpoints: median ${ms.toFixed(0)} ms of 5 (${((ms / objects) * 1000).toFixed(1)} µs/object), peak RSS ${peakMB.toFixed(0)} MB`);

  const lab = await startLab({ flowLingerMs: 3000 });
  try {
    const api = await openKubeApi({ kubeconfig: lab.inventory.kubernetes!.kubeconfig });
    const passes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const s = await readCluster(api);
      passes.push(performance.now() - t0);
      if (s.reads.some((r) => r.error)) throw new Error(`lab API refused: ${s.reads.find((r) => r.error)!.error!.message}`);
    }
    log(`  one pass over the lab's API (6 list calls, HTTPS, client-node): first ${passes[0].toFixed(0)} ms (library load + TLS), then median ${median(passes.slice(1)).toFixed(0)} ms of 5`);
  } finally {
    await lab.stop();
  }
}
