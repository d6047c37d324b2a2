/**
 * Jupyter's own kernel test suite (`jupyter_kernel_test.KernelTests`, Debian's
 * python3-jupyter-kernel-test, installed by .ci/run) against the installed packetwalk kernelspec, with
 * TypeScript samples; plus stdin over the real stdin channel with Jupyter's own client. Skipped with a
 * message when no python3 has jupyter_kernel_test.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { installKernelSpec } from "../../kernel/kernelspec";
import { requireBuilt } from "./helpers";

function kernelTestPython(): string | null {
  for (const py of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(py, ["-c", "import jupyter_kernel_test"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return null;
}
const PY = kernelTestPython();
if (!PY) console.warn("SKIPPED the Jupyter kernel test suite: no python3 has jupyter_kernel_test (Debian: python3-jupyter-kernel-test; .ci/run installs it)");

/** The stock suite's samples in TypeScript, and two stdin tests of our own on Jupyter's client. */
const SUITE = String.raw`
import unittest
import jupyter_kernel_test as jkt


class PacketwalkKernelTests(jkt.KernelTests):
    kernel_name = "packetwalk"
    language_name = "typescript"
    file_extension = ".ts"
    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("on stderr")'
    completion_samples = [{"text": "Math.fl", "matches": {"floor"}}]
    complete_code_samples = ["1", "const x = 1;", "console.log('hi')", "function f() {\n  return 1;\n}", "const t = ${"`"}a${"${"}1}b${"`"};"]
    incomplete_code_samples = ["function f() {", "const s = ${"`"}abc", "const s = ${"`"}a${"${"}1}", "if (true) {\n  1 +", "/* open comment"]
    invalid_code_samples = ["const = 1;", ") 1", "let 1x = 2;"]
    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [{"code": "1 + 2", "result": "3"}, {"code": "[1, 2].length", "result": "2"}]
    code_display_data = [{"code": 'import { show } from "packetwalk"; show({ a: 1 })', "mime": "text/plain"}]
    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_clear_output = 'import { clearOutput } from "packetwalk"; clearOutput({ wait: true })'
    # code_page_something stays empty: TypeScript has no pager (no "?"/help() that pages), see kernel/README.md.

    def test_packetwalk_stdin(self):
        self.flush_channels()
        self.kc.execute('const who = await input("name? "); const pw = await input("pw? ", { password: true }); console.log("got " + who + " " + pw.length)', allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=jkt.TIMEOUT)
        self.assertEqual(req["msg_type"], "input_request")
        self.assertEqual(req["content"], {"prompt": "name? ", "password": False})
        self.kc.input("ann")
        req = self.kc.get_stdin_msg(timeout=jkt.TIMEOUT)
        self.assertEqual(req["content"], {"prompt": "pw? ", "password": True})
        self.kc.input("secret")
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok")
        texts = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=jkt.TIMEOUT)
            if msg["msg_type"] == "stream":
                texts.append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" and msg["parent_header"].get("msg_type") == "execute_request":
                break
        self.assertIn("got ann 6", "".join(texts))

    def test_packetwalk_stdin_refused(self):
        self.flush_channels()
        self.kc.execute('await input("name? ")', allow_stdin=False)
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("allow_stdin", reply["content"]["evalue"])


if __name__ == "__main__":
    unittest.main()
`;

describe("Jupyter's kernel test suite (jupyter_kernel_test)", () => {
  it.skipIf(!PY)("passes every stock test (the pager stays skipped) and stdin with Jupyter's client", () => {
    requireBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-jkt-"));
    try {
      const spec = installKernelSpec({ prefix: path.join(dir, "prefix") });
      fs.writeFileSync(path.join(dir, "test_packetwalk_kernel.py"), SUITE);
      const r = spawnSync(PY!, ["-m", "unittest", "-v", "test_packetwalk_kernel"], {
        cwd: dir,
        encoding: "utf8",
        timeout: 240_000,
        env: {
          ...process.env,
          JUPYTER_PATH: path.dirname(path.dirname(spec)),
          JUPYTER_RUNTIME_DIR: path.join(dir, "runtime"),
          PACKETWALK_HISTORY_FILE: path.join(dir, "history.jsonl"),
        },
      });
      const report = `${r.stdout}\n${r.stderr}`;
      expect(r.status, report).toBe(0);
      expect(report).toMatch(/^OK \(skipped=1\)$/m);
      expect(report).toMatch(/test_pager .*skipped/);
      for (const t of ["kernel_info", "execute_stdout", "execute_stderr", "completion", "is_complete", "error", "execute_result", "display_data", "history", "inspect", "clear_output", "packetwalk_stdin", "packetwalk_stdin_refused"]) {
        expect(report, report).toMatch(new RegExp(`test_${t} \\(.*\\) \\.\\.\\. ok`));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
