// @ts-check
/**
 * A Stryker reporter: the mutation score of every mutated file, and exit code 1 when one is under its
 * floor. Stryker's own `thresholds.break` judges the total only, where a strong file hides a weak one.
 * Score as Stryker computes it: (killed + timeout) / (killed + timeout + survived + no coverage);
 * ignored mutants (a `// Stryker disable` comment with its reason) and compile/runtime errors are left out.
 */
import { declareClassPlugin, PluginKind } from "@stryker-mutator/api/plugin";

/** The floor of every file, and of the files that prove the harness itself. */
const defaultFloor = 80;
const floors = { "test/unit/mutation/fixtures/load-canary.ts": 100 };

/** @param {readonly { status: string }[]} mutants */
export function scoreOf(mutants) {
  const count = (/** @type {string[]} */ ...statuses) =>
    mutants.filter((m) => statuses.includes(m.status)).length;
  const detected = count("Killed", "Timeout");
  const undetected = count("Survived", "NoCoverage");
  const total = detected + undetected;
  return {
    detected,
    undetected,
    ignored: count("Ignored"),
    score: total === 0 ? 100 : (100 * detected) / total,
  };
}

class PerFileFloorReporter {
  static inject = /** @type {const} */ (["logger"]);
  /** @param {{ info(m: string): void; error(m: string): void }} log */
  constructor(log) {
    this.log = log;
  }
  /** @param {{ files: Record<string, { mutants: { status: string }[] }> }} report */
  onMutationTestReportReady(report) {
    const lines = ["Per-file mutation scores (floor in brackets):"];
    const under = [];
    for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
      const relative = file.replace(/^.*?(?=(src|test)\/)/, "");
      const floor = floors[/** @type {keyof typeof floors} */ (relative)] ?? defaultFloor;
      const s = scoreOf(mutants);
      const mark = s.score >= floor ? "ok  " : "LOW ";
      lines.push(
        `  ${mark} ${s.score.toFixed(1).padStart(5)} % [${floor}]  ${relative}  (${s.detected} detected, ${s.undetected} undetected, ${s.ignored} ignored as equivalent)`,
      );
      if (s.score < floor) under.push(relative);
    }
    this.log.info(lines.join("\n"));
    if (under.length > 0) {
      this.log.error(`Under the floor: ${under.join(", ")}; setting exit code to 1.`);
      process.exitCode = 1;
    }
  }
}

export const strykerPlugins = [
  declareClassPlugin(PluginKind.Reporter, "per-file-floor", PerFileFloorReporter),
];
