/**
 * The Junos route row shared by every form: an empty row, the table name's family and instance, the
 * mpls.0 label prefix, ages in seconds, bounded numbers, and the final step that fills the row's
 * selected-next-hop columns from its next hops.
 */
import type { JunosRouteRow } from "./types";
import { formatJunosNextHop, tunnelOfInterface, MAX_MPLS_LABEL, type JunosNextHop } from "./junos-nexthop";

/** A row under construction: the row and its next hops (written into `nextHops` by {@link finishRoute}). */
export interface RouteDraft {
  row: JunosRouteRow;
  hops: JunosNextHop[];
  /** Forwarding next hops met while resolving the protocol next hop (extensive): used when `hops` is empty. */
  resolved: JunosNextHop[];
}

/**
 * A row with every optional field null, for `table`/`prefix` in `form`.
 *
 * @example
 * emptyRoute(3, "vrf.inet.0", "10.0.0.0/24", "brief").family // => "inet"
 */
export function emptyRoute(line: number, table: string, prefix: string, form: string): JunosRouteRow {
  const t = tableParts(table);
  const lab = mplsPrefix(prefix);
  return {
    line,
    table,
    family: t.family,
    instance: t.instance,
    prefix,
    inLabel: lab?.label ?? null,
    bottomOfStack: lab?.bottom ?? null,
    form,
    active: false,
    lastActive: false,
    hidden: false,
    deleted: false,
    protocol: null,
    preference: null,
    preference2: null,
    routeDistinguisher: null,
    nextHopType: null,
    nextHopIndex: null,
    nextHopVia: null,
    nextHopTo: null,
    nextHopCount: 0,
    labelOperation: null,
    label: null,
    protocolNextHop: null,
    tunnelType: null,
    tunnelSource: null,
    tunnelDestination: null,
    state: null,
    localAs: null,
    peerAs: null,
    age: null,
    task: null,
    asPath: null,
    communities: null,
    localPref: null,
    routerId: null,
    source: null,
    primaryTable: null,
    ageSeconds: null,
    metric: null,
    metric2: null,
    med: null,
    validationState: null,
    nextHops: null,
    labels: null,
    lsp: null,
    extra: null,
  };
}

/**
 * Family and routing instance of a table name: `VRF.inet.0` → inet / VRF, `inet6.0` → inet6 / null,
 * `bgp.l3vpn.0` → l3vpn / bgp, `mpls.0` → mpls / null.
 *
 * @example
 * tableParts("k8s-ns-user-1.inet6.0") // => { family: "inet6", instance: "k8s-ns-user-1" }
 */
export function tableParts(table: string): { family: string | null; instance: string | null } {
  const hit = partsCache.get(table);
  if (hit !== undefined) return hit;
  const v = computeTableParts(table);
  if (partsCache.size > 1000) partsCache.clear();
  partsCache.set(table, v);
  return v;
}

const partsCache = new Map<string, { family: string | null; instance: string | null }>();

function computeTableParts(table: string): { family: string | null; instance: string | null } {
  const parts = table.split(".");
  if (parts.length < 2 || !/^\d+$/.test(parts[parts.length - 1])) return { family: null, instance: null };
  const family = parts[parts.length - 2] || null;
  // `bgp.l3vpn.0`, `bgp.evpn.0`: tables of the master instance.
  const instance = parts.length > 2 && !(parts.length === 3 && parts[0] === "bgp") ? parts.slice(0, -2).join(".") : null;
  return { family, instance };
}

/**
 * An mpls.0 prefix: `299776` → label 299776 bottom of stack; `299776(S=0)` → not bottom of stack.
 * Null for anything else (and for labels above 2^20-1).
 *
 * @example
 * mplsPrefix("19(S=0)") // => { label: 19, bottom: false }
 */
export function mplsPrefix(prefix: string): { label: number; bottom: boolean } | null {
  const m = /^(\d{1,7})(\(S=0\))?$/.exec(prefix);
  if (!m) return null;
  const v = Number(m[1]);
  if (v > MAX_MPLS_LABEL) return null;
  return { label: v, bottom: m[2] === undefined };
}

/**
 * Seconds of a Junos age: `08:27:04`, `2d 07:03:17`, `1w1d 17:34:37`, `1:10` (m:ss), `3w2d`; null when
 * unreadable or impossible (minutes or seconds ≥ 60). A bare number is seconds (`Age: 12`).
 *
 * @example
 * ageToSeconds("1w1d 17:34:37") // => 754477
 */
export function ageToSeconds(age: string): number | null {
  const hit = ageCache.get(age);
  if (hit !== undefined) return hit;
  const v = computeAge(age);
  if (ageCache.size > 4096) ageCache.clear();
  ageCache.set(age, v);
  return v;
}

const ageCache = new Map<string, number | null>();

function computeAge(age: string): number | null {
  if (/^\d{1,9}$/.test(age.trim())) return Number(age.trim()); // under a minute: seconds alone
  const m = /^(?:(\d{1,5})y\s*)?(?:(\d{1,5})w)?(?:(\d{1,5})d)?\s*(?:(?:(\d{1,5}):)?(\d{1,2}):(\d{1,2}))?$/.exec(age.trim());
  if (!m || age.trim() === "") return null;
  const [y, w, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? 0 : Number(x)));
  if (mi >= 60 || s >= 60 || ((m[2] !== undefined || m[3] !== undefined) && h >= 24)) return null;
  const v = (((y * 365 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + s;
  return Number.isSafeInteger(v) ? v : null;
}

/**
 * A decimal integer within [min, max], else null (and `warn` is told why when the text was a number).
 *
 * @example
 * boundedInt("170", 0, 4294967295, () => {}) // => 170
 * boundedInt("99999999999", 0, 4294967295, () => {}) // => null
 */
export function boundedInt(s: string | undefined | null, min: number, max: number, warn: (message: string) => void): number | null {
  if (s === undefined || s === null) return null;
  const t = s.trim();
  if (!/^-?\d+$/.test(t)) return null;
  const v = t.length > 16 ? NaN : Number(t);
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    warn(`${t} is outside ${min}..${max}: left out`);
    return null;
  }
  return v;
}

/** Largest 32-bit unsigned value (preferences, metrics, AS numbers). */
export const U32 = 4294967295;

/** Next hops without repeats (extensive prints a resolved next hop under `Next hop:` and `Nexthop:`). */
function dedupe(hops: JunosNextHop[]): JunosNextHop[] {
  const seen = new Set<string>();
  return hops.filter((h) => {
    const k = formatJunosNextHop({ ...h, selected: false });
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Completes a row: writes `nextHops`, and fills the selected next hop's columns (`nextHopVia`,
 * `nextHopTo`, `labelOperation`, `label`, `labels`, tunnel, `lsp`) where the form did not print them
 * otherwise; a tunnel's destination is its protocol next hop when the form printed none.
 *
 * @example
 * const d = { row: emptyRoute(1, "v.inet.0", "10.0.0.0/24", "brief"), hops: [], resolved: [] };
 * finishRoute(d); d.row.nextHops // => null
 */
export function finishRoute(d: RouteDraft): JunosRouteRow {
  const r = d.row;
  const chosen = d.hops.length > 0 ? d.hops : d.resolved;
  const hops = chosen.length > 1 ? dedupe(chosen) : chosen;
  r.nextHopCount = Math.max(r.nextHopCount, hops.length);
  r.nextHops = hops.length === 0 ? null : hops.map(formatJunosNextHop).join("; ");
  const sel = hops.find((h) => h.selected) ?? hops[0];
  if (sel !== undefined) {
    if (r.nextHopVia === null) r.nextHopVia = sel.via;
    if (r.nextHopTo === null) r.nextHopTo = sel.to;
    if (r.nextHopType === null && sel.type !== null) r.nextHopType = sel.type;
    if (r.labelOperation === null) r.labelOperation = sel.labelOperation;
    if (r.label === null && sel.labels.length > 0 && /Push/.test(sel.labelOperation ?? "")) r.label = sel.labels[0];
    if (sel.labels.length > 0) r.labels = sel.labels.join(" ");
    if (r.tunnelType === null) r.tunnelType = sel.tunnelType ?? (sel.via !== null ? tunnelOfInterface(sel.via) : null);
    if (r.tunnelSource === null) r.tunnelSource = sel.tunnelSource;
    if (r.tunnelDestination === null) r.tunnelDestination = sel.tunnelDestination;
    if (r.lsp === null) r.lsp = sel.lsp;
  }
  if (r.protocolNextHop === null && r.tunnelDestination !== null && (r.form === "brief" || r.form === "terse")) r.protocolNextHop = r.tunnelDestination;
  if (r.tunnelDestination === null && r.tunnelType !== null && r.protocolNextHop !== null) r.tunnelDestination = r.protocolNextHop;
  if (r.age !== null && r.ageSeconds === null) r.ageSeconds = ageToSeconds(r.age);
  if (r.state !== null) {
    if (/\bHidden\b/.test(r.state)) r.hidden = true;
    if (/\bDelete/.test(r.state)) r.deleted = true;
  }
  return r;
}
