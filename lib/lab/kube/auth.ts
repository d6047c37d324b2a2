/**
 * Who may do what on the lab's Kubernetes API: bearer tokens made fresh at every lab start, one per
 * lab user, and RBAC-like rules with the API server's own refusal texts.
 *
 * | user (kubeconfig user / context suffix) | Kubernetes user name | may |
 * |---|---|---|
 * | `admin` | `kubernetes-admin` (group `system:masters`) | everything, including `pods/exec` |
 * | `viewer` | `packetwalk-viewer` | get/list every resource except `secrets`; no exec |
 * | `tenant` | `tenant-<namespace>` | get/list namespaced resources in the lab's app namespace only; no nodes, no exec |
 * | `expired` | — | nothing: its token has expired, every request is 401 Unauthorized |
 */
import * as crypto from "node:crypto";

/** The lab's API users, by their kubeconfig names. */
export const KUBE_USERS = ["admin", "viewer", "tenant", "expired"] as const;
/** One lab API user. */
export type KubeUserName = (typeof KUBE_USERS)[number];

/** A user's identity and rules. */
export interface KubeUser {
  /** The kubeconfig user name (`admin`, `viewer`, …). */
  id: KubeUserName;
  /** The user name the API server reports in refusals. */
  username: string;
  groups: string[];
  token: string;
  /** When the token stops being accepted (epoch ms); the `expired` user's lies in the past. */
  expiresAt: number;
}

/** One request to authorize. */
export interface KubeAttributes {
  verb: "get" | "list" | "watch" | "create";
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/**
 * Makes the users with fresh random tokens (`<id>.<random>`, like a bootstrap token's shape).
 *
 * @example
 * const users = makeKubeUsers("ns-user-1");
 * users.find((u) => u.id === "viewer")!.username; // "packetwalk-viewer"
 */
export function makeKubeUsers(appNamespace: string, now = Date.now()): KubeUser[] {
  const token = (id: string) => `${id}.${crypto.randomBytes(24).toString("base64url")}`;
  const year = 365 * 86400_000;
  return [
    { id: "admin", username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"], token: token("admin"), expiresAt: now + year },
    { id: "viewer", username: "packetwalk-viewer", groups: ["system:authenticated"], token: token("viewer"), expiresAt: now + year },
    { id: "tenant", username: `tenant-${appNamespace}`, groups: ["system:authenticated"], token: token("tenant"), expiresAt: now + year },
    { id: "expired", username: "packetwalk-expired", groups: ["system:authenticated"], token: token("expired"), expiresAt: now - 86400_000 },
  ];
}

/**
 * Finds the user of an `Authorization` header; `null` for a missing, unknown or expired token
 * (the API server answers all three with 401 Unauthorized).
 *
 * @example
 * authenticate(users, "Bearer " + users[0].token)?.id; // "admin"
 */
export function authenticate(users: KubeUser[], header: string | undefined, now = Date.now()): KubeUser | null {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (!m) return null;
  const given = Buffer.from(m[1]!);
  for (const u of users) {
    const t = Buffer.from(u.token);
    if (t.length === given.length && crypto.timingSafeEqual(t, given)) return u.expiresAt > now ? u : null;
  }
  return null;
}

/**
 * Whether the user may do it; when not, the API server's refusal message.
 *
 * @example
 * authorize(viewer, { verb: "list", group: "", resource: "secrets", namespace: "kube-system" }, "ns-user-1");
 * // { allowed: false, message: 'secrets is forbidden: User "packetwalk-viewer" cannot list resource "secrets" in API group "" in the namespace "kube-system"' }
 */
export function authorize(user: KubeUser, a: KubeAttributes, appNamespace: string): { allowed: true } | { allowed: false; message: string } {
  const allowed = (() => {
    if (user.groups.includes("system:masters")) return true;
    if (a.verb === "create" || a.subresource) return false;
    if (user.id === "viewer") return a.resource !== "secrets";
    if (user.id === "tenant") return a.namespace === appNamespace && a.resource !== "secrets";
    return false;
  })();
  if (allowed) return { allowed: true };
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = a.name ? `${a.resource} "${a.name}"` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return { allowed: false, message: `${what} is forbidden: User "${user.username}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${where}` };
}
