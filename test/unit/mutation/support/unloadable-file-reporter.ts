/**
 * A vitest reporter for mutation runs only: a test file that cannot even be imported becomes one
 * failed test carrying the load error.
 *
 * Why: `@stryker-mutator/vitest-runner` 9.6 builds a mutant's result from the tests vitest collected
 * (`collectTestsFromSuite(file)`), and a test file whose import throws collects none. A mutant that
 * makes a module throw while loading (a static mutant: a top-level table emptied, a constant
 * changed) is then scored "survived" although every test of that module fails. Upstream:
 * stryker-js#6150 (open PR #6217). A file that loaded is left as it is, passing or failing.
 */
import type { Reporter, Vitest } from "vitest/node";

/** The part of vitest's File task this reporter reads and extends. */
export interface FileTaskLike {
  readonly type: "suite";
  readonly name: string;
  readonly filepath: string;
  readonly tasks: unknown[];
  readonly result?: { readonly state?: string; readonly errors?: readonly { readonly message?: string }[] };
}

export const loadFailureTestName = "test file failed to load (mutation run)";

const hasTest = (tasks: readonly unknown[]): boolean =>
  tasks.some((task) => {
    const t = task as { type?: string; tasks?: unknown[] };
    return t.type === "test" || (t.type === "suite" && hasTest(t.tasks ?? []));
  });

/** Adds the failed test to a file that failed and holds no test; returns whether it did. */
export function markUnloadableFile(file: FileTaskLike): boolean {
  if (file.result?.state !== "fail" || hasTest(file.tasks)) return false;
  const message = file.result.errors?.[0]?.message ?? "the test file failed to load";
  file.tasks.push({
    type: "test",
    id: `${file.filepath}#load`,
    name: loadFailureTestName,
    mode: "run",
    file,
    suite: file,
    meta: {},
    context: {},
    annotations: [],
    artifacts: [],
    result: { state: "fail", errors: [{ message: `StrykerJS: ${message}` }] },
  });
  return true;
}

/** Reads the same files Stryker's runner reads afterwards (`vitest.state.getFiles()`). */
export class UnloadableFileReporter implements Reporter {
  private vitest: Vitest | null = null;
  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }
  onTestRunEnd(): void {
    for (const file of this.vitest?.state.getFiles() ?? [])
      markUnloadableFile(file as unknown as FileTaskLike);
  }
}
