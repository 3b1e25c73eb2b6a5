/**
 * What the server's routes and pages work with: the application functions of the registry, the
 * accounts, the published list and (when present) the audit history. Routes never reach SQL.
 */
import type { Accounts } from "../accounts/accounts.js";
import type { AnnexService } from "../annex/annex-service.js";
import type { TlsRptStore } from "../indicators/tlsrpt/report-store.js";
import type { AuditRun, AuditRunSummary, Enqueued, StatusMatrix } from "../monitor/history-store.js";
import type { IncidentStore } from "../monitor/incidents/incident-store.js";
import type { ProgressHub } from "../monitor/progress.js";
import type { DomainSchedule } from "../monitor/schedule-store.js";
import type { DeliveryEntry } from "../notify/delivery-log.js";
import type { OutboundPort } from "../outbound/outbound-tests.js";
import type { Registry } from "../registry/repository.js";
import type { IndicatorsPort } from "./app/indicators-port.js";
import type { ListPublisher } from "./published-list-service.js";

/** Latest verdict of a domain, from the audit history (s2's monitor part) when it exists. */
export interface LatestVerdict {
  readonly verdict: "compliant" | "non_compliant" | "inconclusive";
  readonly finishedAt: string;
}

/**
 * The audit history and on-demand audits as the web layer uses them (src/monitor's functions, see
 * src/web/app/audits-port.ts); null when a server is built without them (some unit tests).
 */
export interface AuditHistoryPort {
  latestVerdicts(domains: readonly string[]): Promise<ReadonlyMap<string, LatestVerdict>>;
  list(domain: string, page: { readonly limit: number; readonly offset: number }): Promise<AuditRunSummary[]>;
  get(id: number): Promise<AuditRun | null>;
  /** The newest finished audit of the domain before `id` (for a diff against the previous one). */
  previousDone(domain: string, id: number): Promise<AuditRun | null>;
  request(request: { domain: string; requestedBy: string; idempotencyKey: string }): Promise<Enqueued>;
  /** The domain's cadence and next due time (the agency sets the cadence). */
  schedule(domain: string): Promise<DomainSchedule>;
  setCadence(domain: string, seconds: number): Promise<DomainSchedule>;
  /** Signatories in force × charter measures, from each domain's latest audit (the agency's matrix). */
  statusMatrix(at: string): Promise<StatusMatrix>;
  /** The schedules of many domains at once (the agency's cadence overview). */
  schedules?(domains: readonly string[]): Promise<DomainSchedule[]>;
}

/** The notices' delivery log and the metrics (src/notify, src/metrics); absent in some unit tests. */
export interface NotifyPort {
  deliveries(page: { readonly limit: number; readonly offset: number }): Promise<DeliveryEntry[]>;
  /** The Prometheus text exposition of the service's figures. */
  metrics(): Promise<string>;
  /** The token a scraper must present for `/metrics` (null: metrics are not configured). */
  metricsToken(): Buffer | null;
}

export interface ServiceContext {
  readonly registry: Registry;
  readonly accounts: Accounts;
  readonly publisher: ListPublisher;
  readonly history: AuditHistoryPort | null;
  /** Incidents (src/monitor/incidents); absent when a server is built without them (some unit tests). */
  readonly incidents?: IncidentStore | null;
  /** The indicators (per-link figures, MTA log uploads); absent in servers built without them. */
  readonly indicators?: IndicatorsPort | null;
  readonly now: () => Date;
  /** The in-process scheduler when this server runs one (pages say when a first audit starts). */
  readonly scheduler?: { readonly tickMs: number } | null;
  /** Received TLS-RPT reports (POST /tlsrpt); absent when a server is built without them. */
  readonly tlsrpt?: TlsRptStore;
  readonly notify?: NotifyPort;
  /** The outbound STARTTLS tests (src/outbound); absent when a server is built without them. */
  readonly outbound?: OutboundPort;
  /** Live progress of the audits this process runs (the monitor's hub), for the event streams. */
  readonly progress?: ProgressHub | null;
  /** Annex versions (Charte art. 8): profiles, charter versions, consultations; absent in some tests. */
  readonly annex?: AnnexService;
}
