/**
 * What the kernel says about itself in `kernel_info_reply`: protocol version, implementation and the
 * language the cells are written in.
 */
import { packetwalkVersion } from "../lib/display/version";
import { PROTOCOL_VERSION } from "./protocol/wire";

/**
 * Kernel metadata sent in `kernel_info_reply` (on shell and on control).
 *
 * @example
 * kernelInfo().language_info; // { name: "typescript", file_extension: ".ts", … }
 */
export function kernelInfo(): Record<string, unknown> {
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "packetwalk",
    implementation_version: packetwalkVersion(),
    language_info: {
      name: "typescript",
      version: "5.0",
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
    },
    banner: `packetwalk ${packetwalkVersion()} — TypeScript kernel for walking packets through Contrail (tslab engine)`,
    help_links: [],
  };
}
