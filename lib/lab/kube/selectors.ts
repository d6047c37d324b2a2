/**
 * Label and field selectors as the Kubernetes API reads them (`?labelSelector=app=web,tier!=db`,
 * `?fieldSelector=spec.nodeName=cent222`). Parsers are pure and never throw: a bad selector comes back
 * as `{ error }` with the message the API server gives.
 */
import type { KubeObject } from "./objects";

/** One label requirement. */
export interface LabelRequirement {
  key: string;
  op: "=" | "!=" | "in" | "notin" | "exists" | "!";
  values: string[];
}

/** A compiled selector: tests an object. */
export type Matcher = (o: KubeObject) => boolean;

const KEY = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

// Splits on commas outside parentheses.
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Parses a label selector (`=`, `==`, `!=`, `in (…)`, `notin (…)`, `key`, `!key`).
 *
 * @example
 * parseLabelSelector("app=contrail-agent,tier in (a,b)");
 * // { requirements: [{ key: "app", op: "=", values: ["contrail-agent"] }, { key: "tier", op: "in", values: ["a", "b"] }] }
 * parseLabelSelector("app=="); // { requirements: [{ key: "app", op: "=", values: [""] }] }
 * parseLabelSelector("a b");   // { error: "unable to parse requirement: …" }
 */
export function parseLabelSelector(s: string): { requirements: LabelRequirement[] } | { error: string } {
  const requirements: LabelRequirement[] = [];
  if (s.trim() === "") return { requirements };
  for (const raw of splitTop(s)) {
    const part = raw.trim();
    let m: RegExpExecArray | null;
    let r: LabelRequirement | undefined;
    if ((m = /^!\s*(\S+)$/.exec(part))) r = { key: m[1]!, op: "!", values: [] };
    else if ((m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) r = { key: m[1]!, op: m[2] as "in" | "notin", values: m[3]!.split(",").map((v) => v.trim()) };
    else if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part))) r = { key: m[1]!, op: m[2] === "!=" ? "!=" : "=", values: [m[3]!] };
    else if ((m = /^([^=!\s(),]+)$/.exec(part))) r = { key: m[1]!, op: "exists", values: [] };
    if (!r) return { error: `unable to parse requirement: found '${part}', expected: identifier, '!', 'in', 'notin', '=', '==' or '!='` };
    if (!KEY.test(r.key) || r.key.length > 316) return { error: `unable to parse requirement: invalid label key "${r.key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` };
    for (const v of r.values) if (!VALUE.test(v) || v.length > 63) return { error: `unable to parse requirement: invalid label value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` };
    requirements.push(r);
  }
  return { requirements };
}

/**
 * Whether labels satisfy every requirement.
 *
 * @example
 * matchLabels({ app: "web" }, [{ key: "app", op: "in", values: ["web", "api"] }]); // true
 */
export function matchLabels(labels: Record<string, string> | undefined, reqs: LabelRequirement[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "=":
        return has && v === r.values[0];
      case "!=":
        return !has || v !== r.values[0];
      case "in":
        return has && r.values.includes(v!);
      case "notin":
        return !has || !r.values.includes(v!);
      case "exists":
        return has;
      case "!":
        return !has;
    }
    return false;
  });
}

/** Field paths each kind supports in field selectors (as the real API: metadata plus a few per kind). */
const FIELDS: Record<string, Record<string, (o: KubeObject) => string>> = {
  Pod: {
    "spec.nodeName": (o) => String((o.spec as { nodeName?: string })?.nodeName ?? ""),
    "status.phase": (o) => String((o.status as { phase?: string })?.phase ?? ""),
    "status.podIP": (o) => String((o.status as { podIP?: string })?.podIP ?? ""),
    "spec.serviceAccountName": (o) => String((o.spec as { serviceAccountName?: string })?.serviceAccountName ?? ""),
    "spec.restartPolicy": (o) => String((o.spec as { restartPolicy?: string })?.restartPolicy ?? ""),
  },
  Node: { "spec.unschedulable": (o) => String(Boolean((o.spec as { unschedulable?: boolean })?.unschedulable)) },
  Namespace: { "status.phase": (o) => String((o.status as { phase?: string })?.phase ?? "") },
  Secret: { type: (o) => String(o.type ?? "") },
};

/**
 * Compiles a field selector for one kind (`metadata.name`, `metadata.namespace` and the kind's own
 * fields, with `=`, `==`, `!=`); an unsupported field gives the API's error text.
 *
 * @example
 * const m = compileFieldSelector("spec.nodeName=cent222", "Pod");
 * if ("match" in m) pods.filter(m.match);
 * compileFieldSelector("spec.foo=1", "Pod"); // { error: 'field label not supported: spec.foo' }
 */
export function compileFieldSelector(s: string, kind: string): { match: Matcher } | { error: string } {
  const tests: Matcher[] = [];
  if (s.trim() !== "") {
    for (const raw of s.split(",")) {
      const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
      if (!m) return { error: `invalid selector: '${s}'; can't understand '${raw}'` };
      const [, field, op, value] = m as unknown as [string, string, string, string];
      const get =
        field === "metadata.name" ? (o: KubeObject) => o.metadata.name : field === "metadata.namespace" ? (o: KubeObject) => o.metadata.namespace ?? "" : FIELDS[kind]?.[field];
      if (!get) return { error: `field label not supported: ${field}` };
      tests.push(op === "!=" ? (o) => get(o) !== value : (o) => get(o) === value);
    }
  }
  return { match: (o) => tests.every((t) => t(o)) };
}
