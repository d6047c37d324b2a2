/**
 * The one place packetwalk loads `@kubernetes/client-node`. The library is an ES module of some
 * thousand files (its types too): it is loaded with `import()` on first use, so commands that never
 * touch Kubernetes do not pay for it, and no public declaration of packetwalk names its types — a
 * notebook's `import … from "packetwalk"` type-checks without its 800 declaration files (the kernel's
 * TypeScript program stays a third of the size; see `kernel/keep-types.ts`).
 */
import type * as K8s from "@kubernetes/client-node" with { "resolution-mode": "import" };

let lib: Promise<typeof K8s> | null = null;

/**
 * Loads the Kubernetes client library (seconds on a busy machine), once per process. Discovery, the
 * walk's Kubernetes view and the kubectl runner (`lib/remote/kube-runner.ts`) all come here.
 *
 * @example
 * const k8s = await loadKubeClient();
 * new k8s.KubeConfig();
 */
export function loadKubeClient(): Promise<typeof K8s> {
  lib ??= import("@kubernetes/client-node");
  return lib;
}
