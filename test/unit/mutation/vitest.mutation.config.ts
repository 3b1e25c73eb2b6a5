/**
 * The vitest configuration Stryker runs (`npm run mutate`, see stryker.config.mjs): the unit project
 * only, quiet, with the reporter that turns an unloadable test file into a failed test.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { UnloadableFileReporter } from "./support/unloadable-file-reporter.js";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../../..", import.meta.url)),
    include: ["test/unit/**/*.test.ts"],
    testTimeout: 20_000,
    reporters: [new UnloadableFileReporter()],
  },
});
