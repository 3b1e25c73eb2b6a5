import { describe, expect, it } from "vitest";
import { canaryVersions } from "./fixtures/load-canary.js";
import { loadFailureTestName, markUnloadableFile } from "./support/unloadable-file-reporter.js";

describe("mutation harness", () => {
  it("the load canary loads", () => {
    expect(canaryVersions).toEqual(["TLSv1.2", "TLSv1.3"]);
  });

  it("a test file that failed to load becomes one failed test carrying the load error", () => {
    const file = {
      type: "suite" as const,
      name: "x.test.ts",
      filepath: "/repo/test/unit/x.test.ts",
      tasks: [] as unknown[],
      result: { state: "fail", errors: [{ message: "Unexpected end of JSON input" }] },
    };
    expect(markUnloadableFile(file)).toBe(true);
    expect(file.tasks).toHaveLength(1);
    expect(file.tasks[0]).toMatchObject({
      type: "test",
      name: loadFailureTestName,
      file,
      result: { state: "fail", errors: [{ message: "StrykerJS: Unexpected end of JSON input" }] },
    });
  });

  it("a file that loaded is left alone, whether its tests passed or failed", () => {
    const failedTest = { type: "test", name: "t", result: { state: "fail" } };
    const loadedButFailing = {
      type: "suite" as const,
      name: "y.test.ts",
      filepath: "/repo/y.test.ts",
      tasks: [{ type: "suite", name: "s", tasks: [failedTest] }] as unknown[],
      result: { state: "fail" },
    };
    expect(markUnloadableFile(loadedButFailing)).toBe(false);
    expect(loadedButFailing.tasks).toHaveLength(1);
    const passing = {
      type: "suite" as const,
      name: "z",
      filepath: "/z",
      tasks: [],
      result: { state: "pass" },
    };
    expect(markUnloadableFile(passing)).toBe(false);
    expect(passing.tasks).toEqual([]);
  });
});
