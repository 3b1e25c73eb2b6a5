/**
 * Starts the interop lab once for all interop tests and stops it at the end, also after failures.
 * The lab needs root and the Debian packages that `.ci/run` installs.
 */
import type { TestProject } from "vitest/node";
import { type Lab, startLab } from "./lab/lab.js";
import { type Postgres, startPostgres } from "./lab/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    lab: { dir: string; rootCaFile: string; resolver: string; validatingResolver: string };
    postgresUrl: string;
  }
}

let lab: Lab | null = null;
let postgres: Postgres | null = null;

export async function setup(project: TestProject): Promise<void> {
  postgres = await startPostgres();
  project.provide("postgresUrl", postgres.url);
  lab = await startLab();
  project.provide("lab", {
    dir: lab.dir,
    rootCaFile: lab.rootCaFile,
    resolver: lab.resolver,
    validatingResolver: lab.validatingResolver,
  });
}

export async function teardown(): Promise<void> {
  await lab?.stop();
  lab = null;
  await postgres?.stop();
  postgres = null;
}
