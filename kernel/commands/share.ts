/**
 * `packetwalk share PATH --redact -o OUT`: a copy of an investigation (and the notebooks and reports
 * beside it) safe to send outside the team — every address pseudonymised prefix-preserving, every name
 * given a stable alias, the same way in every file; checked after writing.
 */
import { PassThrough } from "node:stream";
import { defineCommand, UsageError } from "./args";
import type { CommandIO } from "./types";

const usage = `usage: packetwalk share PATH --redact [--key-file FILE] [--map-out FILE] [--truncate-payload N]
                        [--keep-range CIDR]... [--keep-oui] -o OUT
  Makes a redacted copy of PATH — an investigation folder or packed file, or a folder holding one with
  the executed notebooks and reports beside it (what packetwalk walk --out DIR writes) — into OUT: a new
  folder, or a packed file when OUT ends in .tar, .tar.gz or .tgz. IPv4 and IPv6 addresses are
  pseudonymised with keyed, prefix-preserving Crypto-PAn (loopback, link-local, multicast, unspecified
  and every --keep-range stay), MAC addresses with a keyed permutation (--keep-oui keeps the vendor
  part), and node, host, VRF, network, namespace, pod, service, user, ingress and kubeconfig context
  names get stable aliases (node-1, host-1.example, vrf-1, vn-1, ns-1, pod-1, svc-1, user-1, ing-1,
  cluster-1) — the same in the evidence, the Kubernetes API reads, JSON, Arrow tables, notebooks (charts
  rendered again from the redacted data), HTML pages, captures and the evidence-frames export.
  The walk report is made again by replaying the redacted investigation, and its stage verdicts are
  compared with the original's. Files it cannot redact are left out and listed, never copied.
  --key-file FILE  the owner's key and alias table (generated, mode 0600, when absent; refused when
                   group or others can read it). The same file gives the same pseudonyms next time.
                   Without it the pseudonyms are this share's only.
  --map-out FILE   also write the reverse map (pseudonym → original) for the owner, mode 0600.
  --truncate-payload N  cut every captured packet's payload to N bytes.
  After writing, the whole output is scanned for every original value found in the input.
  Exit status: 0 written and checked, 1 an original value remains in the output (each named with its
  file and place) or the replay's verdicts differ, 2 usage, input or key file error.`;

const command = defineCommand({
  name: "share",
  usage,
  options: {
    redact: { type: "boolean" },
    "key-file": { type: "string" },
    "map-out": { type: "string" },
    "truncate-payload": { type: "string" },
    "keep-range": { type: "string", multiple: true },
    "keep-oui": { type: "boolean" },
    out: { type: "string", short: "o" },
  },
  async run({ values: v, positionals }, io: CommandIO): Promise<number> {
    if (positionals.length !== 1) throw new UsageError("expected one PATH (an investigation, or a walk's output folder)");
    if (!v.redact) throw new UsageError("--redact is required: share only makes redacted copies");
    if (!v.out) throw new UsageError("-o OUT is required");
    let truncate: number | undefined;
    if (v["truncate-payload"] !== undefined) {
      truncate = Number(v["truncate-payload"]);
      if (!Number.isInteger(truncate) || truncate < 0) throw new UsageError(`--truncate-payload: expected a whole number of bytes, not ${JSON.stringify(v["truncate-payload"])}`, { usage: false });
    }
    const path = await import("node:path");
    const fs = await import("node:fs");
    const { redact } = await import("../../lib/redact/redact.js");
    const { parseCidr } = await import("../../lib/redact/cidr.js");
    for (const c of v["keep-range"] ?? []) {
      const p = parseCidr(c);
      if (typeof p === "string") throw new UsageError(`--keep-range: ${p}`, { usage: false });
    }
    const input = path.resolve(io.cwd, positionals[0]!);
    if (!fs.existsSync(input)) {
      io.stderr.write(`packetwalk share: ${positionals[0]} does not exist\n`);
      return 2;
    }
    const output = path.resolve(io.cwd, v.out);
    if (path.relative(input, output) === "" || (!path.relative(input, output).startsWith("..") && !path.isAbsolute(path.relative(input, output)))) {
      throw new UsageError("OUT must not be inside PATH (the share would read itself)", { usage: false });
    }
    const { renderHtml } = await import("../runner/html.js");
    let result;
    try {
      result = await redact({
        input,
        output,
        ...(v["key-file"] ? { keyFile: path.resolve(io.cwd, v["key-file"]) } : {}),
        ...(v["map-out"] ? { mapOut: path.resolve(io.cwd, v["map-out"]) } : {}),
        ...(truncate !== undefined ? { truncatePayload: truncate } : {}),
        ...(v["keep-range"]?.length ? { keepRanges: v["keep-range"] } : {}),
        ...(v["keep-oui"] ? { keepOui: true } : {}),
        renderers: {
          notebookHtml: (nb, o) => renderHtml(nb as never, { hideInput: o.hideInput }),
          walkReport: (dir) => replayReport(dir, io),
        },
      });
    } catch (e) {
      io.stderr.write(`packetwalk share: ${(e as Error).message}\n`);
      return 2;
    }
    const rel = (p: string) => path.relative(io.cwd, p) || p;
    const kinds = new Map<string, number>();
    for (const w of result.written) kinds.set(w.kind, (kinds.get(w.kind) ?? 0) + 1);
    io.stdout.write(`${rel(output)}: ${result.written.length} files (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}); ${result.charts} charts rendered again; ${result.frames} capture frames rewritten\n`);
    const c = result.counts;
    const order = ["ipv4", "ipv6", "mac", "node", "host", "vrf", "network", "namespace", "pod", "service", "user", "ingress", "cluster"];
    const lines = order.filter((k) => c.distinct[k] || c.replaced[k]).map((k) => `  ${k.padEnd(10)} ${String(c.distinct[k] ?? 0).padStart(5)} distinct  ${String(c.replaced[k] ?? 0).padStart(7)} replaced`);
    io.stdout.write(`replaced (per kind):\n${lines.join("\n") || "  nothing"}\n`);
    if (result.newAliases) io.stdout.write(`${result.newAliases} new name alias${result.newAliases > 1 ? "es" : ""}${v["key-file"] ? ` kept in ${v["key-file"]}` : " (no --key-file: this share's only)"}\n`);
    for (const w of result.warnings) io.stdout.write(`input: ${w}\n`);
    for (const l of result.leftOut) io.stdout.write(`left out: ${l.file}: ${l.reason}\n`);
    for (const x of result.removed) io.stdout.write(`removed: ${x}\n`);
    let code = 0;
    if (result.replay) {
      io.stdout.write(`replay of the redacted investigation: ${result.replay.matching}/${result.replay.stages} stage verdicts as in the original\n`);
      for (const d of result.replay.differences) io.stdout.write(`  ${d}\n`);
      if (result.replay.differences.length) code = 1;
    }
    if (result.leftovers.length) {
      for (const l of result.leftovers) io.stderr.write(`packetwalk share: ${l.file}: ${l.place}: ${l.kind} ${l.value} is still in the output\n`);
      io.stderr.write(`packetwalk share: ${result.leftovers.length} original value${result.leftovers.length > 1 ? "s" : ""} remain in ${rel(output)}: do not send it\n`);
      if (result.leftovers.some((l) => l.place.startsWith("byte ")) && truncate === undefined) {
        io.stderr.write(`packetwalk share: values inside binary captured payloads (or split across segments) are not rewritten: --truncate-payload 0 cuts every payload after its transport header\n`);
      }
      return 1;
    }
    io.stdout.write(`checked: no original value found in ${rel(output)}\n`);
    return code;
  },
});

// The walk report made again: `walk --replay DIR --no-notebooks` in-process, into a temp folder.
async function replayReport(dir: string, io: CommandIO): Promise<{ html: string; json: Record<string, unknown> }> {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const { loadCommand } = await import("./index.js");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "pwshare-report-"));
  try {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (b: Buffer) => chunks.push(b));
    const walk = await loadCommand("walk");
    await walk.run(["--replay", dir, "--out", out, "--no-notebooks"], { ...io, stdout: sink, stderr: sink, cwd: out });
    const html = path.join(out, "walk.html");
    if (!fs.existsSync(html)) throw new Error(Buffer.concat(chunks).toString("utf8").trim().split("\n").pop() ?? "no report");
    const warn = Buffer.concat(chunks).toString("utf8").split("\n").filter((l) => l.startsWith("packetwalk walk:"));
    if (warn.length) throw new Error(warn.join("; "));
    return { html: fs.readFileSync(html, "utf8"), json: JSON.parse(fs.readFileSync(path.join(out, "walk.json"), "utf8")) as Record<string, unknown> };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export default command;
