/**
 * What the server's routes and pages work with: the application functions of the registry, the
 * accounts, the published list and (when present) the audit history. Routes never reach SQL.
 */
import type { Accounts } from "../accounts/accounts.js";
import type { Registry } from "../registry/repository.js";
import type { ListPublisher } from "./published-list-service.js";

/** Latest verdict of a domain, from the audit history (s2's monitor part) when it exists. */
export interface LatestVerdict {
  readonly verdict: "compliant" | "non_compliant" | "inconclusive";
  readonly finishedAt: string;
}

/** The audit history as the web layer sees it; absent until the monitor part is wired. */
export interface AuditHistoryPort {
  latestVerdicts(domains: readonly string[]): Promise<ReadonlyMap<string, LatestVerdict>>;
}

export interface ServiceContext {
  readonly registry: Registry;
  readonly accounts: Accounts;
  readonly publisher: ListPublisher;
  readonly history: AuditHistoryPort | null;
  readonly now: () => Date;
}
