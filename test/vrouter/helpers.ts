/** Test helpers: the shared real fixtures and the self-authored ones. */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Directory of the real vRouter outputs (one block per file, see INDEX.md there): a verbatim copy of
 * `/work/shared/fixtures/vrouter/` kept in the repo so the tests run anywhere.
 */
export const SHARED_FIXTURES = path.join(__dirname, "fixtures", "real");
/** Self-authored fixtures (Junos route output, the scenario's tables). */
export const LOCAL_FIXTURES = path.join(__dirname, "fixtures");

/** Reads a real fixture (`s3-2.txt`). */
export function fixture(name: string): string {
  return fs.readFileSync(path.join(SHARED_FIXTURES, name), "utf8");
}

/** Reads a self-authored fixture. */
export function localFixture(name: string): string {
  return fs.readFileSync(path.join(LOCAL_FIXTURES, name), "utf8");
}

/** Every real fixture file name. */
export function sharedFixtureNames(): string[] {
  return fs
    .readdirSync(SHARED_FIXTURES)
    .filter((f) => f.endsWith(".txt"))
    .sort();
}
