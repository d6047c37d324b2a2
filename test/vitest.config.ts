import { defineConfig } from "vitest/config";
import * as path from "node:path";

export default defineConfig({
  root: path.resolve(__dirname, ".."),
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "dist/**", "out/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
