/**
 * The handlers of the job kinds, registered once per kind (src/jobs/job.ts). Both backends read the
 * same registry, so a handler is written once for the embedded service and for the workers.
 */
import { MailcharterError } from "../core/errors.js";
import type { JobHandler, JobKind } from "./job.js";

export interface HandlerOptions {
  /** Jobs of this kind run at once in one process (default: the backend's). */
  readonly concurrency?: number;
}

export interface Registered<K extends JobKind> {
  readonly kind: K;
  readonly handler: JobHandler<K>;
  readonly options: HandlerOptions;
}

export interface JobHandlers {
  register<K extends JobKind>(kind: K, handler: JobHandler<K>, options?: HandlerOptions): void;
  get<K extends JobKind>(kind: K): Registered<K> | undefined;
  kinds(): JobKind[];
}

export function jobHandlers(): JobHandlers {
  const byKind = new Map<JobKind, Registered<JobKind>>();
  return {
    register(kind, handler, options = {}) {
      // Two handlers for one kind would make the embedded and distributed modes disagree: refuse it.
      if (byKind.has(kind))
        throw new MailcharterError("internal", `a handler for job kind ${kind} is already registered`);
      byKind.set(kind, { kind, handler, options } as unknown as Registered<JobKind>);
    },
    get<K extends JobKind>(kind: K) {
      return byKind.get(kind) as Registered<K> | undefined;
    },
    kinds: () => [...byKind.keys()],
  };
}
