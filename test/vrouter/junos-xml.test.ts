/**
 * The tolerant XML reader (lib/vrouter/xml.ts) and a seeded fuzz of the Junos route parser over its own
 * fixtures in every form: random cuts, byte flips, junk and line shuffles must never throw, and every
 * cell stays a finite number, a string, a boolean or null.
 */
import { describe, expect, it } from "vitest";
import { parseXml, decodeXmlEntities, xmlFindAll, MAX_XML_DEPTH } from "../../lib/vrouter/xml";
import { parseJunosRoute } from "../../lib/vrouter/junos";
import { prng } from "../helpers/prng";
import { localFixture } from "./helpers";

describe("parseXml", () => {
  it("elements, attributes (prefixes dropped), text, entities, CDATA, comments, processing instructions", () => {
    const d = parseXml('<?xml version="1.0"?>\n<!-- c -->\n<a xmlns="urn:x" junos:style=\'brief\' b=1><b>x &lt; y &#65;&#x42;</b><c/><![CDATA[<raw> & ]]></a>');
    expect(d.problems).toEqual([]);
    const a = d.root.children[0];
    expect(a).toMatchObject({ name: "a", attrs: { style: "brief", b: "1" }, line: 3 });
    expect(a.children.map((c) => c.name)).toEqual(["b", "c"]);
    expect(a.children[0].text).toBe("x < y AB");
    expect(a.text).toBe("<raw> & ");
    expect(decodeXmlEntities("&bogus; &#xZZ; &amp;")).toBe("&bogus; &#xZZ; &");
  });

  it("tolerates what a paste does to XML: unclosed and stray tags, a lone '<', text outside, namespaced names", () => {
    const d = parseXml("{master}\n<x:a><b>1</b></c><d>2 < 3</d><e>");
    expect(d.outside).toEqual([{ line: 1, text: "{master}" }]);
    const a = d.root.children[0];
    expect(a.name).toBe("a");
    expect(xmlFindAll(d.root, "d")[0].text).toBe("2 < 3");
    expect(xmlFindAll(d.root, "e")).toHaveLength(1);
    expect(d.problems.map((p) => p.message)).toEqual(["end tag </c> without a start tag", "'<' that starts no tag", "2 element(s) not closed at the end of input (<e>)"]);
  });

  it("bounds the depth and never throws on hostile input", () => {
    const deep = "<a>".repeat(MAX_XML_DEPTH * 3) + "x" + "</a>".repeat(MAX_XML_DEPTH * 3);
    let depth = 0;
    for (let e = parseXml(deep).root; e.children.length > 0; e = e.children[0]) depth++;
    expect(depth).toBeLessThanOrEqual(MAX_XML_DEPTH + 1);
    for (const s of ["<", ">", "<!--", "<![CDATA[", "<?", "</>", "<a b='", "<a =x>", "&#99999999;", "\u0000<a>\u0000"]) expect(() => parseXml(s)).not.toThrow();
  });
});

const JUNK = ["*[", "[BGP/", "]", ">", " via ", "to ", ", Push ", "(S=0)", "/", ":", "\n", "\r\n", "<", "</", "/>", "&", '"', "{", "}", "99999999999999999999", "-1", "Preference: ", "Next hop: ", "(1 entry, 1 announced)", ": 1 destinations, 1 routes", "A V Destination        P Prf   Metric 1   Metric 2  Next hop        AS path"];

function mutate(text: string, r: () => number): string {
  let t = text;
  for (let k = 0, n = 1 + Math.floor(r() * 4); k < n; k++) {
    const at = Math.floor(r() * (t.length + 1));
    switch (Math.floor(r() * 5)) {
      case 0:
        t = t.slice(0, at);
        break;
      case 1: {
        const c = t.split("");
        for (let i = 0; i < 8 && c.length > 0; i++) c[Math.floor(r() * c.length)] = String.fromCharCode(Math.floor(r() * 128));
        t = c.join("");
        break;
      }
      case 2: {
        const lines = t.split("\n");
        for (let i = lines.length - 1; i > 0; i--) {
          const j = Math.floor(r() * (i + 1));
          [lines[i], lines[j]] = [lines[j], lines[i]];
        }
        t = lines.join("\n");
        break;
      }
      case 3:
        t = t.slice(0, at) + JUNK[Math.floor(r() * JUNK.length)] + t.slice(at);
        break;
      default:
        t = t.slice(0, at) + t.slice(at + Math.floor(r() * 60));
    }
  }
  return t;
}

describe("fuzz: parseJunosRoute on mutated fixtures of every form", () => {
  for (const name of ["junos-route-brief.txt", "junos-route-terse.txt", "junos-route-extensive.txt", "junos-route-misc.txt", "junos-route.xml", "junos-route-detail.txt", "junos-route-detail.json"]) {
    it(`never throws, never yields NaN/Infinity or bad positions: ${name}`, () => {
      const text = localFixture(name);
      const r = prng(0x5eed ^ text.length);
      const bad: string[] = [];
      for (let round = 0; round < 150; round++) {
        const m = mutate(text, r);
        const res = parseJunosRoute(m);
        const nLines = m.replace(/\r\n?/g, "\n").split("\n").length + 1;
        for (const p of [...res.errors, ...res.warnings]) {
          if (!(Number.isInteger(p.line) && p.line >= 1 && p.line <= nLines && Number.isInteger(p.column) && p.column >= 1)) bad.push(`round ${round}: ${JSON.stringify(p)}`);
        }
        for (const e of res.errors) if (e.message.startsWith("internal error")) bad.push(`round ${round}: ${e.message}`);
        for (const row of res.rows) {
          for (const [k, v] of Object.entries(row)) {
            const ok = v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
            if (!ok) bad.push(`round ${round}: ${k}=${String(v)}`);
          }
        }
      }
      expect(bad).toEqual([]);
    });
  }
});
