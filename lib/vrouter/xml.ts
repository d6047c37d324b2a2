/**
 * A small tolerant XML reader for router replies (`show … | display xml`, NETCONF `<rpc-reply>`): elements,
 * attributes, text, the five predefined entities and numeric character references, CDATA; comments,
 * processing instructions and `<!DOCTYPE>` are skipped. Namespace prefixes are dropped from element and
 * attribute names (`junos:style` → `style`, `<junos:comment>` → `comment`). Pure and never throws:
 * unclosed elements are closed at the end of input, a stray end tag closes up to its matching open
 * element (or is ignored), and nesting deeper than {@link MAX_XML_DEPTH} is flattened into the element at
 * that depth. Problems are reported in `problems` with their 1-based line.
 */

/** One element: its local name, attributes (local names), children in order, and its direct text. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (its text nodes joined, entities decoded, not trimmed). */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
}

/** What {@link parseXml} returns: a synthetic root (`name: ""`) holding the top-level elements. */
export interface XmlDocument {
  root: XmlElement;
  /** Text outside any element (banners such as `{master}`, prompts), trimmed, with its line. */
  outside: { line: number; text: string }[];
  problems: { line: number; message: string }[];
}

/** Deepest nesting kept; deeper start tags are read as part of the element at this depth. */
export const MAX_XML_DEPTH = 64;

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'", nbsp: "\u00a0" };

/**
 * Decodes `&lt;`, `&amp;`, `&#39;`, `&#x41;`… An unknown or malformed reference is kept as written.
 *
 * @example
 * decodeXmlEntities("a &lt; b &amp;&#x41;") // => "a < b &A"
 */
export function decodeXmlEntities(s: string): string {
  if (s.indexOf("&") < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z]{2,8});/g, (all, ref: string) => {
    if (ref.charCodeAt(0) === 35 /* # */) {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[ref] ?? all;
  });
}

function localName(qname: string): string {
  const c = qname.lastIndexOf(":");
  return c >= 0 ? qname.slice(c + 1) : qname;
}

function newElement(name: string, line: number): XmlElement {
  return { name, attrs: {}, children: [], text: "", line };
}

const ATTR_RE = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/**
 * Reads XML text into a tree. Never throws; see the module comment for what is tolerated.
 *
 * @example
 * const d = parseXml('<a x:y="1"><b>t&amp;u</b><![CDATA[<raw>]]></a>');
 * d.root.children[0].attrs.y // => "1"
 * d.root.children[0].children[0].text // => "t&u"
 * d.root.children[0].text // => "<raw>"
 */
export function parseXml(input: string): XmlDocument {
  const text = typeof input === "string" ? input : String(input);
  const root = newElement("", 1);
  const stack: XmlElement[] = [root];
  const outside: { line: number; text: string }[] = [];
  const problems: { line: number; message: string }[] = [];
  const note = (at: number, message: string): void => {
    if (problems.length < 100) problems.push({ line: at, message });
  };
  let line = 1;
  let pos = 0;
  const n = text.length;
  // Counts newlines in text[from, to) into `line`.
  const advance = (from: number, to: number): void => {
    for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) line++;
  };
  const addText = (s: string, at: number): void => {
    const top = stack[stack.length - 1];
    if (top === root) {
      const t = s.trim();
      if (t !== "") outside.push({ line: at, text: t });
      return;
    }
    top.text += s;
  };
  while (pos < n) {
    const lt = text.indexOf("<", pos);
    if (lt < 0) {
      addText(decodeXmlEntities(text.slice(pos)), line);
      advance(pos, n);
      break;
    }
    if (lt > pos) {
      addText(decodeXmlEntities(text.slice(pos, lt)), line);
      advance(pos, lt);
    }
    const startLine = line;
    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt + 4);
      const stop = end < 0 ? n : end + 3;
      if (end < 0) note(startLine, "unclosed comment");
      advance(lt, stop);
      pos = stop;
      continue;
    }
    if (text.startsWith("<![CDATA[", lt)) {
      const end = text.indexOf("]]>", lt + 9);
      const stop = end < 0 ? n : end + 3;
      if (end < 0) note(startLine, "unclosed CDATA section");
      addText(text.slice(lt + 9, end < 0 ? n : end), startLine);
      advance(lt, stop);
      pos = stop;
      continue;
    }
    if (text.startsWith("<?", lt) || text.startsWith("<!", lt)) {
      const end = text.indexOf(">", lt + 2);
      const stop = end < 0 ? n : end + 1;
      advance(lt, stop);
      pos = stop;
      continue;
    }
    const gt = text.indexOf(">", lt + 1);
    const nextLt = text.indexOf("<", lt + 1);
    if (gt < 0 || (nextLt >= 0 && nextLt < gt)) {
      // A lone '<' (text such as "a < b", or a tag cut off): kept as text.
      note(startLine, "'<' that starts no tag");
      const stop = nextLt >= 0 ? nextLt : n;
      addText(text.slice(lt, stop), startLine);
      advance(lt, stop);
      pos = stop;
      continue;
    }
    const body = text.slice(lt + 1, gt);
    advance(lt, gt + 1);
    pos = gt + 1;
    if (body.startsWith("/")) {
      const name = localName(body.slice(1).trim());
      let k = stack.length - 1;
      while (k > 0 && stack[k].name !== name) k--;
      if (k === 0) {
        note(startLine, `end tag </${name}> without a start tag`);
        continue;
      }
      if (k !== stack.length - 1) note(startLine, `</${name}> closes ${stack.length - 1 - k} unclosed element(s)`);
      stack.length = k;
      continue;
    }
    const selfClosing = body.endsWith("/");
    const inner = selfClosing ? body.slice(0, -1) : body;
    const m = /^\s*([^\s/>]+)/.exec(inner);
    if (!m) {
      note(startLine, "tag without a name");
      continue;
    }
    const el = newElement(localName(m[1]), startLine);
    const attrText = inner.slice(m[0].length);
    ATTR_RE.lastIndex = 0;
    let a: RegExpExecArray | null;
    while ((a = ATTR_RE.exec(attrText)) !== null) {
      if (a[0] === "") {
        ATTR_RE.lastIndex++;
        continue;
      }
      const key = a[1];
      if (key === "xmlns" || key.startsWith("xmlns:")) continue;
      el.attrs[localName(key)] = decodeXmlEntities(a[2] ?? a[3] ?? a[4] ?? "");
    }
    if (stack.length > MAX_XML_DEPTH) {
      if (stack.length === MAX_XML_DEPTH + 1 && !selfClosing) note(startLine, `nesting deeper than ${MAX_XML_DEPTH}: flattened`);
      continue;
    }
    stack[stack.length - 1].children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 1) problems.push({ line, message: `${stack.length - 1} element(s) not closed at the end of input (<${stack[stack.length - 1].name}>)` });
  return { root, outside, problems };
}

/**
 * The first child element named `name` (local name), or undefined.
 *
 * @example
 * xmlChild(parseXml("<a><b/></a>").root.children[0], "b")?.name // => "b"
 */
export function xmlChild(el: XmlElement, name: string): XmlElement | undefined {
  for (const c of el.children) if (c.name === name) return c;
  return undefined;
}

/**
 * Every descendant element named `name`, depth first, not looking inside a match.
 *
 * @example
 * xmlFindAll(parseXml("<a><b/><c><b/></c></a>").root, "b").length // => 2
 */
export function xmlFindAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement, depth: number): void => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      else if (depth < MAX_XML_DEPTH) walk(c, depth + 1);
    }
  };
  walk(el, 0);
  return out;
}
