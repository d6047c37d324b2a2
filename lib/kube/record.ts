/**
 * The API reads of a walk, recorded into its investigation as they arrive (one `kube` record per list
 * call, the items as the API sent them) and read back on replay, so a replayed walk shows the same
 * Kubernetes view offline.
 */
import { randomBytes } from "node:crypto";
import type { KubeRecord } from "../investigation/layout";
import type { Investigation } from "../investigation/reader";
import type { InvestigationWriter } from "../investigation/writer";
import { KUBE_RESOURCES, type KubeErrorKind, type KubeRead, type KubeResource, type KubeSnapshot } from "./types";

/**
 * A `readCluster` `onRead` callback that records each list call into `writer`.
 *
 * @example
 * const snap = await readCluster(api, { onRead: kubeRecorder(writer, api) });
 */
export function kubeRecorder(writer: InvestigationWriter, api: { server: string; context: string }): (r: KubeRead) => void {
  const stream = `kube-${randomBytes(4).toString("hex")}`;
  return (r) => {
    writer.append({
      kind: "kube", stream, server: api.server, context: api.context, resource: r.resource, namespace: r.namespace,
      startedAt: new Date(r.startedAt).toISOString(), endedAt: new Date(r.endedAt).toISOString(),
      items: r.items ? writer.blob(JSON.stringify(r.items)) : null,
      ...(r.error ? { error: { kind: r.error.kind, status: r.error.status, message: r.error.message } } : {}),
    });
  };
}

/**
 * The last recorded pass over the API, as a snapshot (null when the recording holds none). A record
 * whose items are missing or altered becomes a failed read saying so; nothing is invented.
 *
 * @example
 * const snap = replayKube(openInvestigation("out/investigation"));
 * snap?.reads.length; // 6
 */
export function replayKube(inv: Investigation): KubeSnapshot | null {
  const all = inv.records.filter((r): r is KubeRecord => r.kind === "kube");
  const last = all[all.length - 1];
  if (!last) return null;
  const mine = all.filter((r) => r.stream === last.stream);
  const reads: KubeRead[] = mine.map((r) => {
    const resource = (KUBE_RESOURCES as readonly string[]).includes(r.resource) ? (r.resource as KubeResource) : "pods";
    const base = { resource, namespace: r.namespace ?? null, startedAt: Date.parse(r.startedAt), endedAt: Date.parse(r.endedAt) };
    if (r.error || !r.items) {
      return { ...base, items: null, error: { resource, namespace: base.namespace, kind: (r.error?.kind ?? "other") as KubeErrorKind, status: r.error?.status ?? null, message: r.error?.message ?? "no items recorded" } };
    }
    const text = inv.text(r.items);
    let items: unknown[] | null = null;
    try {
      const v = text === null ? null : (JSON.parse(text) as unknown);
      items = Array.isArray(v) ? v : null;
    } catch {
      items = null;
    }
    if (!items) return { ...base, items: null, error: { resource, namespace: base.namespace, kind: "other", status: null, message: `the recorded ${r.resource} (record ${r.seq}) is missing or altered` } };
    return { ...base, items, error: null };
  });
  return { server: last.server, context: last.context, startedAt: Math.min(...reads.map((r) => r.startedAt)), endedAt: Math.max(...reads.map((r) => r.endedAt)), reads };
}
