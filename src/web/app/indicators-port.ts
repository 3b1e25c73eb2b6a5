/**
 * The indicators as the web layer uses them (src/indicators): per-link figures for a period and the
 * upload of an organisation's MTA log. Built over the store by the service (service.ts); routes and
 * pages reach the indicators only through it.
 */
import { partyDirectory } from "../../indicators/links/directory.js";
import { type LinkQuery, type LinkRow, linkFigures } from "../../indicators/links/link-figures.js";
import type { PartyDirectory } from "../../indicators/links/parties.js";
import { ingestStream } from "../../indicators/log/ingest.js";
import { LogStore } from "../../indicators/log/log-store.js";
import type { LogFormat } from "../../indicators/log/parser.js";
import type { LogSummary } from "../../indicators/log/summary.js";
import type { ScheduleDocument } from "../../jobs/schedule-document.js";
import { type RetryOutcome, retryTasks, scheduleDocument } from "../../jobs/schedule-view.js";
import { Registry } from "../../registry/repository.js";
import type { Store } from "../../store/database.js";

export interface IndicatorsPort {
  directory(): Promise<PartyDirectory>;
  links(query: LinkQuery): Promise<LinkRow[]>;
  /**
   * Reads an uploaded log of `organisationId` as it streams (its sessions and link figures committed
   * in batches): the API's body, or the page's file part (app/log-upload.ts).
   */
  ingestLog(
    organisationId: number,
    format: LogFormat,
    body: AsyncIterable<Buffer>,
    now: Date,
  ): Promise<LogSummary>;
  /** Where the indicator schedule stands: what `indicators schedule` prints (src/jobs/schedule-view.ts). */
  schedule(): Promise<ScheduleDocument>;
  /**
   * Puts given-up tasks back to due (`indicators schedule --retry`): those of `which`, or every
   * given-up one with "failed"; `by` is recorded with each retry.
   */
  retry(which: readonly string[] | "failed", now: Date, by: string): Promise<RetryOutcome>;
}

export async function indicatorsPort(store: Store): Promise<IndicatorsPort> {
  const logs = await LogStore.open(store);
  const registry = await Registry.open(store);
  const directory = async () => partyDirectory(await registry.entries());
  return {
    directory,
    links: async (query) => linkFigures(store, await directory(), query),
    ingestLog: async (organisationId, format, body, now) =>
      ingestStream(body, {
        format,
        organisationId,
        directory: await directory(),
        store: logs,
        now: () => now,
      }),
    schedule: () => scheduleDocument(store),
    retry: (which, now, by) => retryTasks(store, which, now.getTime(), by),
  };
}
