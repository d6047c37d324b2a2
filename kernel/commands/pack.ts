/** `packetwalk pack INVESTIGATION -o FILE.tar[.gz]`: one file to send. */
import { defineCommand, UsageError } from "./args";
import type { CommandIO } from "./types";

const usage = `usage: packetwalk pack INVESTIGATION -o FILE.tar|FILE.tar.gz|FILE.tgz
  Packs an investigation folder into one archive (gzipped for .tar.gz/.tgz) holding ID/…: what to send
  to a colleague or a vendor. packetwalk walk --replay FILE and openTarget(FILE) read it in place;
  tar -xf unpacks it anywhere.
  Exit status: 0 packed, 2 usage error or not an investigation folder.`;

const command = defineCommand({
  name: "pack",
  usage,
  options: { out: { type: "string", short: "o" } },
  async run({ values: v, positionals }, io: CommandIO): Promise<number> {
    if (positionals.length !== 1) throw new UsageError("expected one INVESTIGATION folder");
    if (!v.out) throw new UsageError("-o FILE is required");
    const path = await import("node:path");
    const { packInvestigation, PACKED_NAME } = await import("../../lib/investigation/pack.js");
    if (!PACKED_NAME.test(v.out)) throw new UsageError(`${v.out}: the file name must end in .tar, .tar.gz or .tgz`, { usage: false });
    try {
      const r = packInvestigation(path.resolve(io.cwd, positionals[0]!), path.resolve(io.cwd, v.out));
      io.stdout.write(`${v.out}: ${r.files} files, ${r.bytes} bytes\n`);
      return 0;
    } catch (e) {
      io.stderr.write(`packetwalk pack: ${(e as Error).message}\n`);
      return 2;
    }
  },
});

export default command;
