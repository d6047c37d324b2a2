/**
 * MIME bundles: what one Jupyter `display_data` carries.
 *
 * Values of JSON MIME types (`application/json`, `application/vnd.vegalite.v5+json`, anything matching
 * `application/(.*\+)?json`) are kept as objects, as nbformat requires; every other value is a string
 * (binary types such as `image/png` as base64).
 */

/** MIME type → value. */
export type MimeBundle = Record<string, unknown>;

/** A bundle with its output metadata (`metadata[mime]` options and `metadata.packetwalk` provenance). */
export interface DisplayBundle {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** The Deno/packetwalk display protocol: an object with this method renders itself. */
export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** An object that renders itself through {@link JUPYTER_DISPLAY}. */
export interface SelfDisplaying {
  [JUPYTER_DISPLAY](): MimeBundle | DisplayBundle;
}

const JSON_MIME = /^application\/(.*\+)?json$/;

/**
 * Whether a MIME type's value travels as JSON (an object), not as a string.
 *
 * @example
 * isJsonMime("application/vnd.vegalite.v5+json"); // true
 * isJsonMime("text/html");                         // false
 */
export function isJsonMime(mime: string): boolean {
  return JSON_MIME.test(mime);
}

/**
 * Whether `x` implements the `Symbol.for("Jupyter.display")` protocol.
 *
 * @example
 * isSelfDisplaying({ [Symbol.for("Jupyter.display")]: () => ({ "text/plain": "hi" }) }); // true
 */
export function isSelfDisplaying(x: unknown): x is SelfDisplaying {
  return (
    x !== null &&
    (typeof x === "object" || typeof x === "function") &&
    typeof (x as Record<symbol, unknown>)[JUPYTER_DISPLAY] === "function"
  );
}

/**
 * Normalises what a `[Symbol.for("Jupyter.display")]()` method returned into a {@link DisplayBundle}:
 * either a bare bundle, or `{ data, metadata }`. JSON MIME values given as strings are parsed back into
 * objects; non-JSON values that are not strings are stringified; `text/plain` is always present.
 *
 * @example
 * normalizeBundle({ "application/json": '{"a":1}' }).data["application/json"]; // { a: 1 }
 */
export function normalizeBundle(raw: MimeBundle | DisplayBundle): DisplayBundle {
  const isWrapped =
    raw !== null &&
    typeof raw === "object" &&
    "data" in raw &&
    typeof (raw as DisplayBundle).data === "object" &&
    Object.keys(raw).every((k) => k === "data" || k === "metadata");
  const data: MimeBundle = isWrapped ? { ...(raw as DisplayBundle).data } : { ...(raw as MimeBundle) };
  const metadata: Record<string, unknown> = isWrapped ? { ...((raw as DisplayBundle).metadata ?? {}) } : {};
  for (const [mime, value] of Object.entries(data)) {
    if (value === undefined) {
      delete data[mime];
    } else if (isJsonMime(mime)) {
      if (typeof value === "string") {
        try {
          data[mime] = JSON.parse(value);
        } catch {
          // Not JSON after all: keep the string rather than lose it.
        }
      }
    } else if (typeof value !== "string") {
      data[mime] = value instanceof Uint8Array ? Buffer.from(value).toString("base64") : String(value);
    }
  }
  if (typeof data["text/plain"] !== "string") {
    data["text/plain"] = `<${Object.keys(data).join(", ") || "empty"} output>`;
  }
  return { data, metadata };
}
