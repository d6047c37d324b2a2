/**
 * Stable aliases for names (`node-1`, `vrf-2`, `host-1.example` …): one table per owner, kept in the
 * owner's key file, so the same name gets the same alias in every later share made with that key file.
 * A name seen for the first time gets the next free number of its kind; names new in one share are
 * numbered in sorted order, so the numbering does not depend on the order files were read.
 */

/** The kinds of names that get aliases, and the alias each kind takes. */
export const NAME_KINDS = {
  node: (n: number) => `node-${n}`,
  host: (n: number) => `host-${n}.example`,
  vrf: (n: number) => `vrf-${n}`,
  network: (n: number) => `vn-${n}`,
  namespace: (n: number) => `ns-${n}`,
  pod: (n: number) => `pod-${n}`,
  service: (n: number) => `svc-${n}`,
  user: (n: number) => `user-${n}`,
  /** A Kubernetes Ingress (its rules name the service; its name often the application). */
  ingress: (n: number) => `ing-${n}`,
  /** A kubeconfig context (often the cluster's or the customer's name). */
  cluster: (n: number) => `cluster-${n}`,
} as const;

/** One kind of name. */
export type NameKind = keyof typeof NAME_KINDS;

/** The kinds, in the order new names are numbered. */
export const NAME_KIND_LIST = Object.keys(NAME_KINDS) as NameKind[];

/** The alias table as stored: per kind, original → alias. */
export type AliasData = Partial<Record<NameKind, Record<string, string>>>;

/**
 * The owner's alias table.
 *
 * @example
 * const t = new AliasTable();
 * t.assign([["node", "cent222"], ["node", "cent111"]]);
 * t.get("cent111"); // "node-1" (new names numbered in sorted order)
 */
export class AliasTable {
  private readonly byKind = new Map<NameKind, Map<string, string>>();
  // Originals are matched case-insensitively (DNS names are), so the index is by lower case.
  private readonly byLower = new Map<string, { kind: NameKind; alias: string }>();
  /** Names added by {@link assign} since the table was loaded. */
  added = 0;

  /** Loads a stored table (the `aliases` of a key file); throws on a malformed one. */
  constructor(data: AliasData = {}) {
    for (const [kind, entries] of Object.entries(data)) {
      if (!(kind in NAME_KINDS)) throw new Error(`unknown alias kind ${JSON.stringify(kind)}`);
      if (!entries || typeof entries !== "object" || Array.isArray(entries)) throw new Error(`aliases.${kind} is not an object`);
      for (const [orig, alias] of Object.entries(entries)) {
        if (typeof alias !== "string" || alias === "") throw new Error(`aliases.${kind}[${JSON.stringify(orig)}] is not a string`);
        this.put(kind as NameKind, orig, alias);
      }
    }
  }

  private put(kind: NameKind, orig: string, alias: string): void {
    let m = this.byKind.get(kind);
    if (!m) this.byKind.set(kind, (m = new Map()));
    m.set(orig, alias);
    this.byLower.set(orig.toLowerCase(), { kind, alias });
  }

  /**
   * Gives every name not yet in the table the next alias of its kind (sorted, per kind). A name already
   * in the table keeps its alias, whatever kind it is listed under now.
   *
   * @example
   * table.assign([["vrf", "k8s-ns-user-1-public"]]);
   */
  assign(names: Iterable<readonly [NameKind, string]>): void {
    const fresh = new Map<NameKind, Set<string>>();
    for (const [kind, name] of names) {
      if (this.byLower.has(name.toLowerCase())) continue;
      let s = fresh.get(kind);
      if (!s) fresh.set(kind, (s = new Set()));
      s.add(name);
    }
    for (const kind of NAME_KIND_LIST) {
      const s = fresh.get(kind);
      if (!s) continue;
      const used = new Set(this.byKind.get(kind)?.values() ?? []);
      let n = 1;
      for (const name of [...s].sort()) {
        if (this.byLower.has(name.toLowerCase())) continue; // same name in another case
        while (used.has(NAME_KINDS[kind](n))) n++;
        const alias = NAME_KINDS[kind](n);
        used.add(alias);
        this.put(kind, name, alias);
        this.added++;
      }
    }
  }

  /**
   * The alias of a name (case-insensitive), or undefined.
   *
   * @example
   * table.get("CENT222"); // "node-1"
   */
  get(name: string): string | undefined {
    return this.byLower.get(name.toLowerCase())?.alias;
  }

  /**
   * The kind of a known name.
   *
   * @example
   * table.kindOf("cent222"); // "node"
   */
  kindOf(name: string): NameKind | undefined {
    return this.byLower.get(name.toLowerCase())?.kind;
  }

  /**
   * Every original name in the table.
   *
   * @example
   * table.names().length;
   */
  names(): string[] {
    return [...this.byKind.values()].flatMap((m) => [...m.keys()]);
  }

  /**
   * The table as stored in the key file.
   *
   * @example
   * JSON.stringify(table.toJSON());
   */
  toJSON(): AliasData {
    const out: AliasData = {};
    for (const kind of NAME_KIND_LIST) {
      const m = this.byKind.get(kind);
      if (m && m.size) out[kind] = Object.fromEntries([...m].sort((a, b) => a[0].localeCompare(b[0])));
    }
    return out;
  }
}
