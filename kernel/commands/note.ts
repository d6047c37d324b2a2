/**
 * `packetwalk note INVESTIGATION "text" [--stage ID] [--evidence REF]`: adds a timestamped note to an
 * investigation folder (during an incident or when reviewing it afterwards).
 */
import { defineCommand, UsageError } from "./args";
import type { CommandIO } from "./types";

const usage = `usage: packetwalk note INVESTIGATION TEXT [--stage ID] [--evidence REF] [--author NAME]
  Adds a timestamped note to the investigation folder INVESTIGATION (what packetwalk walk writes into
  OUT/investigation, or what a notebook's openTarget records), optionally about a walk stage (client,
  gateway, fip-nat, proxy, overlay, service-nat, backend, return-overlay, return-proxy, return-client)
  or a piece of evidence (a record number, a command, a frame). The report's timeline shows it.
  Exit status: 0 the note was added, 2 usage error or not an investigation folder.`;

const command = defineCommand({
  name: "note",
  usage,
  options: {
    stage: { type: "string" },
    evidence: { type: "string" },
    author: { type: "string" },
  },
  async run({ values: v, positionals }, io: CommandIO): Promise<number> {
    if (positionals.length !== 2) throw new UsageError("expected INVESTIGATION and TEXT");
    const [where, text] = positionals as [string, string];
    if (text.trim() === "") throw new UsageError("the note is empty", { usage: false });
    const { STAGE_IDS } = await import("../../lib/walk/types.js");
    if (v.stage !== undefined && !(STAGE_IDS as readonly string[]).includes(v.stage)) {
      throw new UsageError(`unknown stage ${JSON.stringify(v.stage)} (stages: ${STAGE_IDS.join(", ")})`, { usage: false });
    }
    const path = await import("node:path");
    const fs = await import("node:fs");
    const dir = path.resolve(io.cwd, where);
    if (!fs.existsSync(path.join(dir, "manifest.json"))) {
      io.stderr.write(`packetwalk note: ${where} is not an investigation folder (no manifest.json)${/\.(tar|tgz|gz)$/.test(where) ? "; a packed file is read-only: note in the folder it was packed from, or unpack it" : ""}\n`);
      return 2;
    }
    const { appendToInvestigation } = await import("../../lib/investigation/writer.js");
    const w = appendToInvestigation(dir);
    try {
      const r = w.note(text, { ...(v.stage ? { stage: v.stage } : {}), ...(v.evidence ? { evidence: v.evidence } : {}), ...(v.author ? { author: v.author } : {}) });
      io.stdout.write(`note ${r.seq} added to ${w.manifest.id} at ${r.at}\n`);
    } finally {
      w.close();
    }
    return 0;
  },
});

export default command;
