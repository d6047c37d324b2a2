/**
 * The kubeconfig of the lab's Kubernetes API (`packetwalk lab --kubeconfig-out FILE`): one cluster
 * with the lab CA inline (`certificate-authority-data`), one user per lab API user with its bearer
 * token, and one context per user. The current context is the admin's. Read by the real kubectl and
 * by @kubernetes/client-node (`KubeConfig.loadFromFile`).
 *
 * | context | user | for |
 * |---|---|---|
 * | `packetwalk-lab` (current) | `packetwalk-lab-admin` | everything, exec included |
 * | `packetwalk-lab-viewer` | `packetwalk-lab-viewer` | read-only; secrets and exec refused (403) |
 * | `packetwalk-lab-tenant` | `packetwalk-lab-tenant` | read-only in the app namespace (the context's namespace); elsewhere 403 |
 * | `packetwalk-lab-expired` | `packetwalk-lab-expired` | every request refused: 401 Unauthorized |
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { KubeUser } from "./auth";

/** The cluster name, and the admin context's name, in the lab's kubeconfig. */
export const LAB_KUBE_CONTEXT = "packetwalk-lab";

/** What the kubeconfig needs from the running API. */
export interface KubeconfigSource {
  url: string;
  caCert: string;
  users: KubeUser[];
  /** The app namespace (the tenant context's namespace). */
  namespace: string;
}

/**
 * The context name of a lab API user (`admin` → `packetwalk-lab`, others `packetwalk-lab-<user>`).
 *
 * @example
 * labContextName("viewer"); // "packetwalk-lab-viewer"
 */
export function labContextName(user: string): string {
  return user === "admin" ? LAB_KUBE_CONTEXT : `${LAB_KUBE_CONTEXT}-${user}`;
}

/**
 * The kubeconfig as an object (the same keys as the YAML file).
 *
 * @example
 * const kc = labKubeconfig({ url: api.url, caCert: api.caCert, users: api.users, namespace: "ns-user-1" });
 * kc["current-context"]; // "packetwalk-lab"
 */
export function labKubeconfig(src: KubeconfigSource): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [{ name: LAB_KUBE_CONTEXT, cluster: { server: src.url, "certificate-authority-data": Buffer.from(src.caCert).toString("base64") } }],
    users: src.users.map((u) => ({ name: `${LAB_KUBE_CONTEXT}-${u.id}`, user: { token: u.token } })),
    contexts: src.users.map((u) => ({
      name: labContextName(u.id),
      context: { cluster: LAB_KUBE_CONTEXT, user: `${LAB_KUBE_CONTEXT}-${u.id}`, ...(u.id === "tenant" ? { namespace: src.namespace } : {}) },
    })),
    "current-context": LAB_KUBE_CONTEXT,
  };
}

/**
 * Writes the kubeconfig (YAML, mode 0600: it holds tokens).
 *
 * @example
 * writeLabKubeconfig("/tmp/lab.kubeconfig", { url: api.url, caCert: api.caCert, users: api.users, namespace: "ns-user-1" });
 * // kubectl --kubeconfig /tmp/lab.kubeconfig get nodes
 */
export function writeLabKubeconfig(file: string, src: KubeconfigSource): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, stringify(labKubeconfig(src)), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
