/**
 * `packetwalk parse KIND [FILE|-] [--json] [--all]`
 *
 * Parses the output of a vRouter utility (or a Junos `show route … detail`) saved in FILE (or read from
 * stdin) and prints the rows as an aligned text table, or `{kind, rows, warnings, errors}` as JSON.
 */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { defineCommand, UsageError } from "./args";
import { loadModule } from "./lazy";
import type { CommandIO } from "./types";
// The parsers load when a parse runs, not for --help or a usage error (start-up stays short).
import { KINDS, isKind } from "../../lib/vrouter/kinds";
import type { ParseError, ParseWarning } from "../../lib/vrouter/types";

const usage = `usage: packetwalk parse KIND [FILE|-] [--json] [--all]
  KIND is one of ${KINDS.join(", ")}, or auto (guess from the prompt line / headers).
  Reads FILE (or stdin when FILE is - or absent): the pasted output of flow -l / flow --match /
  flow --get, nh --get / --list, rt --dump / --get, mpls --dump / --get, vif --list / --get,
  vxlan, dropstats, or Junos "show route table VRF.inet.0 PREFIX detail" (text or | display json).
  Text is read as people paste it: prompts of any shell, # comments, notes after the data (---> text),
  elisions (..., --- snip ---), grep separators, quoting, indentation, double spacing are skipped or
  undone, each skipped line a warning naming its line; the output of other commands is skipped.
  Prints an aligned table (the main columns; --all for every column), warnings and errors on stderr;
  with --json prints {"kind", "rows", "warnings", "errors"} on stdout, plus "header" and "headers"
  (the flow table's Entries/Created/Added/... counters) and "rates" (flow -r lines, when present) for flow.
  Exit status: 0 every line that looks like data was read (warnings allowed), 1 a line that looks like
  data could not be read (what parsed is still printed), 2 usage or file error.`;

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin as AsyncIterable<Buffer | string>) chunks.push(typeof c === "string" ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString("utf8");
}

function problem(kind: "error" | "warning", file: string, p: ParseError | ParseWarning): string {
  const text = p.text !== undefined && p.text !== "" ? `: ${p.text.length > 80 ? `${p.text.slice(0, 79)}…` : p.text}` : "";
  return `${file}:${p.line}:${p.column}: ${kind}: ${p.message}${text}\n`;
}

const command = defineCommand({
  name: "parse",
  usage,
  options: {
    json: { type: "boolean" },
    all: { type: "boolean", short: "a" },
  },
  async run({ values: v, positionals }, io: CommandIO): Promise<number> {
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError("expected KIND and at most one FILE");
    const kindArg = positionals[0]!;
    if (kindArg !== "auto" && !isKind(kindArg)) {
      throw new UsageError(`unknown kind "${kindArg}" (expected ${KINDS.join(", ")} or auto)`, { usage: false });
    }
    const fileArg = positionals[1] ?? "-";
    const label = fileArg === "-" ? "<stdin>" : fileArg;
    let text: string;
    try {
      text = fileArg === "-" ? await readStdin(io.stdin) : await readFile(path.resolve(io.cwd, fileArg), "utf8");
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      io.stderr.write(`packetwalk parse: cannot read ${label}: ${err.code ?? ""}${err.code ? " " : ""}${err.message}\n`);
      return 2;
    }
    const { detectKind, parseAny } = await loadModule<typeof import("../../lib/vrouter/detect")>("../../lib/vrouter/detect");
    const { DISPLAY_COLUMNS, formatTable } = await loadModule<typeof import("../../lib/vrouter/table")>("../../lib/vrouter/table");
    const kind = kindArg === "auto" ? detectKind(text) : kindArg;
    if (kind === null) {
      io.stderr.write(`packetwalk parse: cannot tell what ${label} holds; name the KIND (${KINDS.join(", ")})\n`);
      return 2;
    }
    const result = parseAny(kind, text);
    if (v.json) {
      const out: Record<string, unknown> = { kind: result.kind, rows: result.rows, warnings: result.warnings, errors: result.errors };
      // The table header's counters, where the tool prints them (flow -l: Entries, Created, Added, …).
      if ("header" in result) out.header = (result as { header: unknown }).header;
      if ("headers" in result) out.headers = (result as { headers: unknown }).headers;
      // flow -r: the flow setup rate lines (only when the input had some).
      const rates = (result as { rates?: unknown[] }).rates;
      if (Array.isArray(rates) && rates.length > 0) out.rates = rates;
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      io.stdout.write(formatTable(result.rows, { columns: v.all ? undefined : DISPLAY_COLUMNS[kind] }));
      for (const w of result.warnings) io.stderr.write(problem("warning", label, w));
      for (const e of result.errors) io.stderr.write(problem("error", label, e));
      io.stderr.write(
        `${label}: ${kind}: ${result.rows.length} row(s), ${result.errors.length} error(s), ${result.warnings.length} warning(s)\n`,
      );
    }
    return result.errors.length === 0 ? 0 : 1;
  },
});

export default command;
