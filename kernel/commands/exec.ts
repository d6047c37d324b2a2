/**
 * `packetwalk exec NODE [--inventory FILE] [--timeout S] [--concurrency N] [--vrouter] [--shell] [--json] -- COMMAND ...`
 *
 * Runs a command on one node, a comma list, `role:ROLE`, or `all` (fan-out, output prefixed per node).
 */
import { defineCommand, UsageError } from "./args";
import { openCliRecording, RECORD_OPTION, RECORD_USAGE } from "./record";
import type { CommandIO } from "./types";

const usage = `usage: packetwalk exec NODE [--inventory FILE] [--timeout SECONDS] [--concurrency N]
                       [--vrouter] [--shell] [--json] [--record DIR] -- COMMAND [ARG ...]
  Runs COMMAND over SSH on NODE (or, for a node whose vrouter.via is kubectl, in its vRouter agent
  container through the Kubernetes API's pod exec): an inventory node name, a comma list,
  role:compute, or all.
  Each ARG reaches the remote command as one literal argument (quoted for the remote shell);
  --shell sends the words joined by spaces as a shell script instead (pipes, redirections).
  --vrouter wraps COMMAND for the node's vRouter access (direct, docker exec, contrail-tools; kubectl
  nodes run it in the agent container as it is).
  With several nodes, output lines are prefixed "NODE | " and nodes run in parallel.
  The inventory (a JSON or YAML file) comes from --inventory or $PACKETWALK_INVENTORY.
  ${RECORD_USAGE}
  Exit status: 0 every node ran COMMAND with exit 0, 1 otherwise, 2 usage or inventory error.`;

const command = defineCommand({
  name: "exec",
  usage,
  options: {
    inventory: { type: "string", short: "i" },
    timeout: { type: "string", short: "t" },
    concurrency: { type: "string", short: "c" },
    vrouter: { type: "boolean" },
    shell: { type: "boolean" },
    json: { type: "boolean" },
    ...RECORD_OPTION,
  },
  // The remote command after `--` is never parsed as options.
  rest: true,
  async run({ values: v, positionals, rest: words }, io: CommandIO): Promise<number> {
    if (positionals.length !== 1 || words.length === 0) throw new UsageError("expected NODE -- COMMAND ...");
    const timeoutS = v.timeout !== undefined ? Number(v.timeout) : 30;
    const concurrency = v.concurrency !== undefined ? Number(v.concurrency) : 16;
    if (!(timeoutS > 0) || !(Number.isInteger(concurrency) && concurrency > 0)) {
      throw new UsageError("--timeout must be a positive number of seconds and --concurrency a positive integer", { usage: false });
    }

    // Loaded here, not at the top: `--help` and usage errors do not pay for ssh2.
    const { loadInventoryFrom, selectNodes, getNode, vrouterArgv } = await import("../../lib/remote/inventory.js");
    const { createRunner } = await import("../../lib/remote/dispatch-runner.js");
    const { runOnNodes } = await import("../../lib/remote/fan-out.js");
    const { shellCommand } = await import("../../lib/remote/quote.js");
    let inv, nodes: string[];
    try {
      inv = loadInventoryFrom({ file: v.inventory, env: io.env, cwd: io.cwd });
      nodes = selectNodes(inv, positionals[0]!);
    } catch (e) {
      io.stderr.write(`packetwalk exec: ${(e as Error).message}\n`);
      return 2;
    }
    const inventory = inv;
    let commandFor: (node: string) => { script: string };
    try {
      // Validate quoting once up front (a NUL in an argument is refused here, not per node).
      if (!v.shell) shellCommand(words);
      commandFor = (node) => {
        if (v.shell) return { script: v.vrouter ? shellCommand(vrouterArgv(getNode(inventory, node), ["sh", "-c", words.join(" ")])) : words.join(" ") };
        return { script: shellCommand(v.vrouter ? vrouterArgv(getNode(inventory, node), words) : words) };
      };
    } catch (e) {
      io.stderr.write(`packetwalk exec: ${(e as Error).message}\n`);
      return 2;
    }

    const record = await openCliRecording(v.record, io, {
      command: "exec",
      inventory,
      source: v.inventory ?? io.env.PACKETWALK_INVENTORY ?? "",
      parameters: { nodes, words, ...(v.shell ? { shell: true } : {}), ...(v.vrouter ? { vrouter: true } : {}) },
    });
    if (record === "error") return 2;
    const direct = createRunner(inventory, { env: io.env });
    const { RecordingRunner } = await import("../../lib/investigation/recording-runner.js");
    // Recording, every command goes to the investigation as it ends (output streamed, not collected, is kept up to 1 MiB).
    const runner = record ? new RecordingRunner(direct, record, { viaOf: (n) => inventory.nodes.find((x) => x.name === n)?.vrouter?.via }) : direct;
    const prefixed = nodes.length > 1;
    const width = Math.max(...nodes.map((n) => n.length));
    const carry = new Map<string, string>();
    const emit = (node: string, stream: "stdout" | "stderr", chunk: Buffer | string, flush = false): void => {
      const out = stream === "stdout" ? io.stdout : io.stderr;
      if (!prefixed) {
        out.write(chunk);
        return;
      }
      const key = `${node}\0${stream}`;
      const text = (carry.get(key) ?? "") + chunk.toString();
      const lines = text.split("\n");
      const rest = lines.pop()!;
      carry.set(key, flush ? "" : rest);
      if (flush && rest) lines.push(rest);
      for (const line of lines) out.write(`${node.padEnd(width)} | ${line}\n`);
    };
    try {
      const rows = await runOnNodes(runner, nodes, [], {
        concurrency,
        timeoutMs: timeoutS * 1000,
        signal: io.signal,
        // Ctrl-C and --timeout must stop the remote command even where sshd refuses signal requests.
        killOnClose: true,
        commandFor,
        collect: Boolean(v.json),
        ...(v.json ? {} : { onOutput: (node: string, stream: "stdout" | "stderr", d: Buffer) => emit(node, stream, d) }),
        onResult: (row) => {
          if (v.json) return;
          emit(row.node, "stdout", "", true);
          emit(row.node, "stderr", "", true);
          if (row.error) io.stderr.write(`${prefixed ? `${row.node.padEnd(width)} | ` : ""}packetwalk exec: ${row.error}\n`);
          else if (prefixed && row.exitCode !== 0) io.stderr.write(`${row.node.padEnd(width)} | exit ${row.exitCode ?? "by signal"}\n`);
        },
      });
      if (v.json) io.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
      return rows.every((r) => r.ok) ? 0 : 1;
    } finally {
      direct.close();
      if (record) record.close();
    }
  },
});

export default command;
