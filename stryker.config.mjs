// @ts-check
/**
 * `npm run mutate`: StrykerJS over the unit suite for the pure, correctness-critical modules, each
 * file held to a floor of 80 % (test/unit/mutation/support/per-file-floor-reporter.mjs).
 * One file at a time: `npm run mutate -- --mutate src/audit/tls/certificate.ts`.
 */

/** Where the HTML and JSON reports go (`MUTATE_REPORT_DIR` to keep runs of several files apart). */
const reportDir = process.env.MUTATE_REPORT_DIR ?? "reports/mutation";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner", "./test/unit/mutation/support/per-file-floor-reporter.mjs"],
  vitest: { configFile: "test/unit/mutation/vitest.mutation.config.ts", related: true },
  coverageAnalysis: "perTest",
  mutate: [
    "src/net/target-guard.ts",
    // The measures (one file each since the registry split) and the findings they are made of.
    "src/audit/measures/*.ts",
    "src/audit/findings/*.ts",
    // The FR/EN sentences of the evidence codes: wording, read by the report golden files, not logic.
    "!src/audit/findings/phrases.ts",
    "src/audit/profiles/tls-facts.ts",
    "src/audit/profiles/evaluate.ts",
    "src/audit/tls/certificate.ts",
    "src/audit/tls/wire/server-flight.ts",
    "src/audit/tls/wire/client-hello.ts",
    // One mutant that breaks a module's import: proves such mutants are scored Killed (see
    // test/unit/mutation/support/unloadable-file-reporter.ts).
    "test/unit/mutation/fixtures/load-canary.ts",
  ],
  concurrency: 2,
  timeoutMS: 20_000,
  tempDirName: ".stryker-tmp",
  ignorePatterns: ["dist", ".lab", "coverage", "reports", "bench", "test/interop"],
  // Stryker rewrites `extends`/`references` of the tsconfig through the TypeScript JS API, which
  // TypeScript 7 (the native compiler) no longer ships; our tsconfig has neither, so point Stryker at
  // no file and the rewrite is skipped. The type checker plugin is not used (vitest runs esbuild).
  tsconfigFile: "stryker.no-tsconfig.json",
  incremental: false,
  reporters: ["clear-text", "progress", "html", "json", "per-file-floor"],
  htmlReporter: { fileName: `${reportDir}/index.html` },
  jsonReporter: { fileName: `${reportDir}/mutation.json` },
  cleanTempDir: "always",
};
