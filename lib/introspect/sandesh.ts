/**
 * The Sandesh XML encoding of the vRouter agent's HTTP introspect (port 8085), read with saxes as a
 * stream. A response is `<KNHResp type="sandesh">` (several parts of one answer are wrapped in
 * `<__KNHResp_list type="slist">`), each field an element named after the field with its Thrift type
 * in `type` and its field id in `identifier`: primitives hold their value as text
 * (`<id type="i32" identifier="1">61</id>`), a struct field holds one element named after the struct
 * (`<nh type="struct"><NhSandeshData>…</NhSandeshData></nh>`), a list field holds
 * `<list type="struct|string|i32…" size="N">` with one struct element or `<element>` per item. A field
 * with `link="Req"` names the request that continues the answer (`flow_handle` → `NextKFlowReq`,
 * `next_page` → `PageReq`).
 *
 * The reader never throws: on cut or malformed XML it returns the rows completed before the fault and
 * one error naming the line and column.
 */
import { SaxesParser } from "saxes";
import type { ParseError } from "../vrouter/types";

/** A decoded Sandesh value: text for primitives, an object for a struct, an array for a list. */
export type SandeshValue = string | SandeshStruct | SandeshValue[];
/** A decoded struct: its fields by name. */
export interface SandeshStruct {
  [field: string]: SandeshValue;
}

/** One struct of the wanted type, decoded, with where it started. */
export interface SandeshRow {
  /** The struct's type name (`KNHInfo`). */
  type: string;
  value: SandeshStruct;
  /** 1-based line and column where its opening tag ends. */
  line: number;
  column: number;
}

/** A field that links to the request continuing the answer (`<flow_handle link="NextKFlowReq">100</flow_handle>`). */
export interface SandeshLink {
  /** The field name (`flow_handle`, `next_page`, `next_batch`). */
  field: string;
  /** The request it links to (`NextKFlowReq`, `PageReq`). */
  link: string;
  /** The field's text: the request's argument (`100`, `0 evicted_set`…). */
  value: string;
}

/** What {@link readSandesh} found. */
export interface SandeshDocument {
  /** The response element names, in order (`KNHResp`, or `ErrResp` when the agent refused). */
  responses: string[];
  rows: SandeshRow[];
  /** Link fields outside the rows (pagination), in order. */
  links: SandeshLink[];
  /** Top-level primitive fields of the responses (`resp` of an `ErrResp`, `more`), last value wins. */
  fields: Record<string, string>;
  /** At most one: where the XML stopped being readable. */
  errors: ParseError[];
}

interface Node {
  name: string;
  type: string | undefined;
  link: string | undefined;
  children: Node[];
  text: string;
  line: number;
  column: number;
}

/**
 * Reads a Sandesh XML document and decodes every struct whose type is in `rowTypes` (at any depth) as a
 * row, in document order. Rows are decoded as each one closes, so a cut document keeps every row that
 * was complete; the error then says where the document broke.
 *
 * @example
 * const doc = readSandesh('<KMplsResp type="sandesh"><mpls_list type="list" identifier="1"><list type="struct" size="1">' +
 *   '<KMplsInfo><label type="i16" identifier="1">38</label><rid type="i16" identifier="2">0</rid>' +
 *   '<nhid type="i32" identifier="3">23</nhid></KMplsInfo></list></mpls_list></KMplsResp>', ["KMplsInfo"]);
 * doc.rows[0].value; // { label: "38", rid: "0", nhid: "23" }
 */
export function readSandesh(xml: string, rowTypes: readonly string[]): SandeshDocument {
  const out: SandeshDocument = { responses: [], rows: [], links: [], fields: {}, errors: [] };
  const wanted = new Set(rowTypes);
  const stack: Node[] = [];
  let inRow = 0;
  let failed = false;
  let sawRoot = false;
  const parser = new SaxesParser({ position: true });
  const fail = (message: string, line = parser.line, column = Math.max(1, parser.column)): void => {
    if (failed) return;
    failed = true;
    const lines = xml.split("\n");
    out.errors.push({ line, column, message, text: (lines[line - 1] ?? "").trim().slice(0, 200) });
  };
  parser.on("error", (e) => {
    // saxes prefixes its messages with "line:column: ".
    const m = /^(\d+):(\d+): (.*)$/s.exec(e.message);
    fail(m ? m[3]! : e.message, m ? Number(m[1]) : parser.line, Math.max(1, m ? Number(m[2]) : parser.column));
  });
  parser.on("opentag", (tag) => {
    if (failed) return;
    sawRoot = true;
    const attrs = tag.attributes as Record<string, string>;
    const node: Node = { name: tag.name, type: attrs.type, link: attrs.link, children: [], text: "", line: parser.line, column: Math.max(1, parser.column) };
    const parent = stack[stack.length - 1];
    if (attrs.type === "sandesh") out.responses.push(tag.name);
    if (wanted.has(tag.name) && parent?.name === "list") inRow++;
    // Children are kept only where they will be decoded: inside a row, or a link/primitive field of a response.
    if (parent && (inRow > 0 || parent.type === "sandesh")) parent.children.push(node);
    stack.push(node);
  });
  parser.on("text", (t) => {
    if (failed) return;
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on("closetag", () => {
    if (failed) return;
    const node = stack.pop();
    if (!node) return;
    const parent = stack[stack.length - 1];
    if (wanted.has(node.name) && parent?.name === "list") {
      inRow--;
      out.rows.push({ type: node.name, value: structOf(node), line: node.line, column: node.column });
      // Done with it: a long flow dump must not keep every decoded element twice.
      parent.children.length = 0;
      return;
    }
    if (inRow > 0) return;
    if (node.link !== undefined && node.text.trim() !== "") out.links.push({ field: node.name, link: node.link, value: node.text.trim() });
    if (parent?.type === "sandesh" && node.children.length === 0 && node.type !== "list" && node.type !== "struct") out.fields[node.name] = node.text.trim();
    if (parent?.type === "sandesh") parent.children.length = 0;
  });
  try {
    parser.write(xml);
    if (!failed) parser.close();
  } catch (e) {
    fail((e as Error)?.message ?? String(e));
  }
  if (!failed && !sawRoot) fail(xml.trim() === "" ? "empty answer: no XML" : "no XML element in the answer", 1, 1);
  if (!failed && stack.length > 0) fail(`the document ends inside <${stack[stack.length - 1]!.name}>`);
  return out;
}

function structOf(node: Node): SandeshStruct {
  const s: SandeshStruct = {};
  for (const f of node.children) s[f.name] = valueOf(f);
  return s;
}

function valueOf(f: Node): SandeshValue {
  if (f.type === "struct") {
    const inner = f.children[0];
    return inner ? structOf(inner) : {};
  }
  if (f.type === "list") {
    const list = f.children.find((c) => c.name === "list");
    if (!list) return [];
    return list.children.map((c) => (c.name === "element" || c.children.length === 0 ? c.text : structOf(c)));
  }
  return f.text;
}
