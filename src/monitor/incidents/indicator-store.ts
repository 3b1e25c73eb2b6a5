/**
 * Storage of the incidents detected from the indicators (basis `indicators`), in the same incidents
 * and timeline tables as the audits' (so the pages, the API, acknowledging and commenting are the
 * same): run ids are 0 there — no audit proves them; their evidence (days, shares, report ids) is in
 * the incident's details and in each timeline step's data. A plan (indicator-plan.ts) is applied in
 * one transaction with its notices; an incident already open for the same subject (another process
 * evaluated first) is not opened twice.
 */
import type { Kysely } from "kysely";
import type { Database, Store } from "../../store/database.js";
import { migrate } from "../../store/migrations.js";
import type { Incident, IncidentEventType } from "./incident.js";
import type { Applied, IncidentRow, Teller } from "./incident-store.js";
import { incidentOf, recordNotice } from "./incident-store.js";
import { dayEnd, type IndicatorAction } from "./indicator-plan.js";

const startOf = (day: string) => `${day}T00:00:00.000Z`;

export class IndicatorIncidentStore {
  private constructor(private readonly store: Store) {}

  static async open(store: Store): Promise<IndicatorIncidentStore> {
    await migrate(store.db as never, store.engine);
    return new IndicatorIncidentStore(store);
  }

  private get db(): Kysely<Database> {
    return this.store.db;
  }

  /** Indicator incidents not resolved, and those resolved since `resolvedSince`. */
  async known(resolvedSince: string): Promise<Incident[]> {
    const rows = await this.db
      .selectFrom("incidents")
      .selectAll()
      .where("basis", "=", "indicators")
      .where((eb) => eb.or([eb("state", "!=", "resolved"), eb("resolved_at", ">=", resolvedSince)]))
      .orderBy("id")
      .execute();
    return rows.map((r) => incidentOf(r as IncidentRow, []));
  }

  async get(id: number): Promise<Incident | null> {
    const row = await this.db.selectFrom("incidents").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? incidentOf(row as IncidentRow, []) : null;
  }

  /** Applies the plan in one transaction (notices included); returns the incidents changed. */
  apply(actions: readonly IndicatorAction[], now: string, tell?: Teller): Promise<Applied[]> {
    if (actions.length === 0) return Promise.resolve([]);
    return this.db.transaction().execute(async (trx) => {
      const applied: Applied[] = [];
      const event = (incidentId: number, type: IncidentEventType, at: string, text: string, data: unknown) =>
        trx
          .insertInto("incident_events")
          .values({
            incident_id: incidentId,
            at,
            type,
            run_id: null,
            author: null,
            text,
            data: JSON.stringify(data),
          })
          .execute();
      for (const a of actions) {
        switch (a.type) {
          case "open": {
            const d = a.detection;
            const already = await trx
              .selectFrom("incidents")
              .select("id")
              .where("basis", "=", "indicators")
              .where("subject", "=", d.subject)
              .where("kind", "=", d.kind)
              .where("state", "!=", "resolved")
              .executeTakeFirst();
            if (already) break;
            const row = await trx
              .insertInto("incidents")
              .values({
                domain: d.domain,
                organisation: d.organisation,
                peer_organisation: d.peerOrganisation,
                basis: "indicators",
                subject: d.subject,
                kind: d.kind,
                severity: d.severity,
                state: "open",
                audience: "organisation",
                last_good_at: d.lastGoodAt,
                last_good_run_id: null,
                first_observed_at: startOf(d.firstDay),
                first_run_id: 0,
                opened_at: now,
                confirm_run_id: 0,
                acknowledged_at: null,
                acknowledged_by: null,
                resolved_at: null,
                resolve_run_id: null,
                last_seen_at: dayEnd(d.day),
                reopened: 0,
                details: JSON.stringify({
                  endpoint: null,
                  from: d.from,
                  to: d.to,
                  message: d.message,
                  evidence: d.evidence,
                }),
              })
              .returning("id")
              .executeTakeFirstOrThrow();
            const id = Number(row.id);
            await event(id, "observed", startOf(d.firstDay), d.message, d.evidence);
            await event(id, "opened", now, d.message, null);
            applied.push({ incidentId: id, change: "opened" });
            break;
          }
          case "reopen": {
            const d = a.detection;
            await trx
              .updateTable("incidents")
              .set({
                state: "open",
                resolved_at: null,
                resolve_run_id: null,
                acknowledged_at: null,
                acknowledged_by: null,
                last_seen_at: dayEnd(d.day),
                reopened: a.incident.reopened + 1,
              })
              .where("id", "=", a.incident.id)
              .execute();
            await event(a.incident.id, "reopened", now, d.message, d.evidence);
            applied.push({ incidentId: a.incident.id, change: "reopened" });
            break;
          }
          case "seen_again":
            await trx
              .updateTable("incidents")
              .set({ last_seen_at: dayEnd(a.day) })
              .where("id", "=", a.incident.id)
              .execute();
            await event(a.incident.id, "seen_again", now, a.text, { day: a.day });
            break;
          case "resolve":
            await trx
              .updateTable("incidents")
              .set({ state: "resolved", resolved_at: now, resolve_run_id: null })
              .where("id", "=", a.incident.id)
              .where("state", "!=", "resolved")
              .execute();
            await event(a.incident.id, "resolved", now, a.status.message, {
              reason: "recovered",
              day: a.status.day,
              ...a.status.evidence,
            });
            applied.push({ incidentId: a.incident.id, change: "resolved" });
            break;
        }
      }
      if (tell)
        for (const a of applied) {
          const row = await trx
            .selectFrom("incidents")
            .selectAll()
            .where("id", "=", a.incidentId)
            .executeTakeFirst();
          if (!row) continue;
          if (await tell(trx, a, incidentOf(row as IncidentRow, [])))
            await recordNotice(trx, a.incidentId, now, a.change);
        }
      return applied;
    });
  }
}
