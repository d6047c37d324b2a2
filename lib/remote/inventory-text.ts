/**
 * Inventory file text to a plain value, before validation: JSON, or YAML read safely.
 *
 * YAML is read with the YAML 1.2 core schema and nothing else: `no`, `yes`, `on` and `off` stay
 * strings, `0755` is the decimal 755, there are no custom or YAML 1.1 tags (`!!binary`, `!!set`,
 * `!foo` are errors), no merge keys (`<<` is refused rather than silently kept as a field), duplicate
 * keys are errors, and a file is exactly one document. Anchors and aliases work, but at most
 * {@link MAX_YAML_ALIAS_COUNT} nested alias uses and {@link MAX_YAML_VALUES} values after expansion,
 * so a "billion laughs" document is refused at once. Every problem is an issue naming the line and
 * column (`invalid YAML at line 3, column 4: …`); source text is never quoted into messages, so a
 * secret on a bad line does not end up in a log.
 *
 * @example
 * const { value, issues } = parseInventoryText("nodes:\n  - name: cent222\n", "yaml");
 */
import { LineCounter, isAlias, isNode, isScalar, parseAllDocuments, visit, type Document, type Node } from "yaml";
import { lineColumnOf, locateJsonError } from "../json-errors";

/** One problem found in an inventory: where (a field path, or `(file)` for the text itself) and what. */
export interface InventoryIssue {
  /** Field path, `nodes[2].ssh.port`, or `(file)`. */
  path: string;
  message: string;
}

/** How a file's text is read: by its extension, or `auto` (JSON, else YAML) for any other name. */
export type InventoryFormat = "json" | "yaml" | "auto";

/** Nested alias uses allowed in a YAML inventory (the `yaml` library's `maxAliasCount`). */
export const MAX_YAML_ALIAS_COUNT = 100;

/** Values (objects, arrays, scalars) allowed in a YAML inventory once its aliases are expanded. */
export const MAX_YAML_VALUES = 200_000;

/**
 * The format a file name asks for: `.json` → `json`, `.yaml`/`.yml` → `yaml` (any case), else `auto`.
 *
 * @example
 * inventoryFormatOf("lab/inventory.yml") // "yaml"
 * inventoryFormatOf("inventory.conf")    // "auto"
 */
export function inventoryFormatOf(file: string): InventoryFormat {
  if (/\.json$/i.test(file)) return "json";
  if (/\.ya?ml$/i.test(file)) return "yaml";
  return "auto";
}

/**
 * Parses inventory text without throwing: the value when the text parses, and every issue (path
 * `(file)`, with line and column) when it does not. `auto` takes the text as JSON when it is JSON,
 * else as YAML; when it is neither, one issue gives both errors. The value is not validated: pass it
 * to `validateInventory`.
 *
 * @example
 * parseInventoryText("nodes: [\n", "yaml").issues
 * // [{ path: "(file)", message: "invalid YAML at line 2, column 1: …" }]
 * parseInventoryText('{"nodes": []}', "auto").value // { nodes: [] }
 */
export function parseInventoryText(text: string, format: InventoryFormat): { value?: unknown; issues: InventoryIssue[] } {
  try {
    return parseText(text, format);
  } catch (e) {
    // Not expected (the parsers report errors as values); kept so nothing raw escapes, e.g. a stack overflow.
    return { issues: [{ path: "(file)", message: `cannot parse: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

function parseText(text: string, format: InventoryFormat): { value?: unknown; issues: InventoryIssue[] } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (format === "json") {
    const r = parseJson(src);
    return "error" in r ? { issues: [{ path: "(file)", message: invalid("JSON", r.error) }] } : { value: r.value, issues: [] };
  }
  if (format === "yaml") {
    const r = parseYaml(src);
    return "errors" in r ? { issues: r.errors.map((message) => ({ path: "(file)", message: invalid("YAML", message) })) } : { value: r.value, issues: [] };
  }
  const json = parseJson(src);
  if (!("error" in json)) return { value: json.value, issues: [] };
  const yaml = parseYaml(src);
  if (!("errors" in yaml)) return { value: yaml.value, issues: [] };
  return {
    issues: [{ path: "(file)", message: `the name ends in neither .json nor .yaml/.yml, and the text is neither JSON (${json.error}) nor YAML (${yaml.errors.join("; ")})` }],
  };
}

/** `invalid YAML at line 3, column 1: …`, or `invalid YAML: …` for a problem of the whole text. */
function invalid(format: string, message: string): string {
  return `invalid ${format}${message.startsWith("at line ") ? " " : ": "}${message}`;
}

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    // V8's messages differ between versions, sometimes lack the position and quote the source text
    // (a secret could be there), so the error is located and described here.
    const found = locateJsonError(text);
    if (found) {
      const { line, column } = lineColumnOf(text, found.offset);
      return { error: `at line ${line}, column ${column}: ${found.message}` };
    }
    const raw = (e instanceof Error ? e.message : String(e)).replace(/,\s*(?:\.\.\.)?".*$/s, "");
    return { error: raw };
  }
}

const MAX_REPORTED = 5;

function parseYaml(text: string): { value: unknown } | { errors: string[] } {
  const lc = new LineCounter();
  const at = (offset: number): string => {
    const p = lc.linePos(offset);
    return `at line ${p.line}, column ${p.col}`;
  };
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      version: "1.2",
      schema: "core",
      customTags: [],
      resolveKnownTags: false,
      merge: false,
      uniqueKeys: true,
      stringKeys: true,
      strict: true,
      prettyErrors: false,
      logLevel: "silent",
      lineCounter: lc,
    }) as Document.Parsed[];
  } catch (e) {
    return { errors: [e instanceof Error ? e.message : String(e)] };
  }
  if (docs.length === 0) return { errors: ["the file holds no YAML document (it is empty, or only comments)"] };
  if (docs.length > 1) {
    return { errors: [`${at(docs[1]!.range[0])}: a second YAML document starts here (the file holds ${docs.length}); an inventory is one document`] };
  }
  const doc = docs[0]!;
  const problems: string[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) problems.push(`${at(e.pos[0])}: ${yamlMessage(doc, e.code, e.message, e.pos[0])}`);
  // Aliases: known, not inside their own anchor (a cycle), and merge keys refused with a reason.
  const anchors = new Map<string, Node>();
  visit(doc, {
    Node(_key, node, path) {
      if (node.anchor) anchors.set(node.anchor, node);
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        const start = node.range?.[0] ?? 0;
        if (!target) problems.push(`${at(start)}: unknown alias *${node.source} (its anchor &${node.source} must come before it)`);
        else if (path.includes(target)) problems.push(`${at(start)}: alias *${node.source} is inside its own anchor (a cycle)`);
      }
      return undefined;
    },
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === "<<" && pair.key.type === "PLAIN") {
        problems.push(`${at(pair.key.range?.[0] ?? 0)}: merge keys (<<) are not supported (YAML 1.2 core schema); write the fields out, or alias a whole value`);
      }
      return undefined;
    },
  });
  if (problems.length > 0) {
    return { errors: problems.length > MAX_REPORTED ? [...problems.slice(0, MAX_REPORTED), `(${problems.length - MAX_REPORTED} more)`] : problems };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    return {
      errors: [
        /resource exhaustion/i.test(raw)
          ? `too many aliases (more than ${MAX_YAML_ALIAS_COUNT} nested alias uses; a "billion laughs" document?)`
          : raw,
      ],
    };
  }
  const bad = checkExpanded(value);
  return bad ? { errors: [bad] } : { value };
}

/** A clearer message for the library's terse ones. */
function yamlMessage(doc: Document.Parsed, code: string, message: string, offset: number): string {
  if (code === "DUPLICATE_KEY") {
    let key: string | undefined;
    visit(doc, {
      Pair(_k, pair) {
        if (isNode(pair.key) && pair.key.range?.[0] === offset) {
          key = isScalar(pair.key) ? String(pair.key.value) : undefined;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    return key !== undefined ? `duplicate key ${JSON.stringify(key)}` : "duplicate key";
  }
  if (code === "TAG_RESOLVE_FAILED") {
    return `${message.replace(/^Unresolved tag/, "unsupported tag").replace("tag:yaml.org,2002:", "!!")} (inventories use the YAML 1.2 core schema, without tags)`;
  }
  if (code === "NON_STRING_KEY") return "a mapping key must be a plain value, not a list or a mapping";
  return message;
}

/** Refuses a value that is cyclic or too big once aliases are expanded (backs up the alias limit). */
function checkExpanded(root: unknown): string | undefined {
  let count = 0;
  const onPath = new Set<object>();
  const walk = (v: unknown): string | undefined => {
    if (++count > MAX_YAML_VALUES) return `more than ${MAX_YAML_VALUES} values once aliases are expanded`;
    if (typeof v !== "object" || v === null) return undefined;
    if (onPath.has(v)) return "an alias refers to a value that contains it (a cycle)";
    onPath.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      const bad = walk(child);
      if (bad) return bad;
    }
    onPath.delete(v);
    return undefined;
  };
  return walk(root);
}
