/**
 * Indicator detections over the real store (in-memory SQLite) with a hand-moved clock: a link's
 * verified share dropping opens one incident (told to both organisations and the agency), is seen
 * again once per new day, resolves when the figures come back, reopens within the flapping window and
 * is a new incident after it; 3 sessions never alarm; a new TLS-RPT failure type opens a warning with
 * its reports, resolved by later clean reports. The audit watch never touches these incidents.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestReport } from "../../../../src/indicators/tlsrpt/ingest.js";
import { TlsRptStore } from "../../../../src/indicators/tlsrpt/report-store.js";
import { indicatorsEntry, monitorIndicatorsSchema } from "../../../../src/monitor/cycle-report.js";
import { addDays } from "../../../../src/monitor/detection/link-share.js";
import { IncidentStore } from "../../../../src/monitor/incidents/incident-store.js";
import { indicatorOutboxTeller } from "../../../../src/monitor/incidents/indicator-notice.js";
import { IndicatorWatch } from "../../../../src/monitor/incidents/indicator-watch.js";
import { Registry } from "../../../../src/registry/repository.js";
import { openStore, type Store } from "../../../../src/store/database.js";
import { FakeClock, registered } from "../../../support/monitor-fixture.js";

const D = "2026-12-20";
const at = (day: string, hour = 10) => Date.parse(`${day}T${String(hour).padStart(2, "0")}:00:00.000Z`);

let store: Store;
let clock: FakeClock;
let watch: IndicatorWatch;
let incidents: IncidentStore;
let ids: Map<string, number>;

/** One day of a link's sender-log figures: `sessions` sessions, `verified` of them verified. */
async function figures(sender: string, receiver: string, day: string, sessions: number, verified: number) {
  const s = ids.get(sender) as number;
  const r = ids.get(receiver) as number;
  const rows = [
    { value: "verified", count: verified },
    { value: "none", count: sessions - verified },
  ].filter((x) => x.count > 0);
  for (const x of rows)
    await store.db
      .insertInto("link_figures")
      .values({
        day,
        sender: `o:${s}`,
        receiver: `o:${r}`,
        sender_org_id: s,
        receiver_org_id: r,
        source: "sender-log",
        metric: "class",
        value: x.value,
        count: x.count,
      })
      .execute();
}

async function notices(): Promise<
  { dedup_key: string; organisation_id: number | null; kind: string; payload: string }[]
> {
  return store.db
    .selectFrom("notify_notices")
    .select(["dedup_key", "organisation_id", "kind", "payload"])
    .orderBy("id")
    .execute();
}

beforeEach(async () => {
  store = await openStore(":memory:");
  await registered(store);
  ids = new Map((await (await Registry.open(store)).entries()).map((e) => [e.signatory.name, e.id]));
  clock = new FakeClock(at(D));
  watch = new IndicatorWatch({ store, clock, tell: indicatorOutboxTeller });
  incidents = await IncidentStore.open(store);
});

afterEach(async () => {
  await store.close();
});

describe("link verified-share regression", () => {
  it("opens once, is seen again per new day, resolves on recovery, reopens within the window", async () => {
    for (let i = 12; i >= 3; i--) await figures("Alpha", "Charlie", addDays(D, -i), 50, 49);
    await figures("Alpha", "Charlie", addDays(D, -2), 40, 4);
    await figures("Alpha", "Charlie", addDays(D, -1), 40, 0);

    const first = await watch.evaluate();
    expect(first.links).toMatchObject({ evaluated: 1, dropped: 1 });
    expect(first.detections).toHaveLength(1);
    const d = first.detections[0];
    expect(d?.step).toBe("confirmed");
    expect(d?.detection).toMatchObject({
      kind: "link_share_drop",
      subject: `link:o:${ids.get("Alpha")}>o:${ids.get("Charlie")}`,
      organisation: "Charlie",
      peerOrganisation: "Alpha",
      firstDay: addDays(D, -2),
      day: addDays(D, -1),
    });
    expect(monitorIndicatorsSchema.safeParse(indicatorsEntry(first)).success).toBe(true);
    const id = d?.incidentId as number;
    const incident = await incidents.get(id);
    expect(incident).toMatchObject({
      state: "open",
      basis: "indicators",
      severity: "interruption",
      organisation: "Charlie",
      peerOrganisation: "Alpha",
      firstObservedAt: `${addDays(D, -2)}T00:00:00.000Z`,
      lastGoodAt: `${addDays(D, -2)}T00:00:00.000Z`,
    });
    // Both organisations see it; Delta does not.
    expect((await incidents.list({ organisation: "Alpha" })).map((i) => i.id)).toContain(id);
    expect((await incidents.list({ organisation: "Charlie" })).map((i) => i.id)).toContain(id);
    expect((await incidents.list({ organisation: "Delta" })).map((i) => i.id)).not.toContain(id);
    // Told to Charlie and the agency, and to Alpha.
    const told = await notices();
    expect(told.map((n) => [n.dedup_key, n.organisation_id])).toEqual([
      [`incident:${id}:opened:0`, ids.get("Charlie")],
      [`incident:${id}:opened:0:peer`, ids.get("Alpha")],
    ]);
    expect(JSON.parse(told[0]?.payload ?? "{}").audiences).toEqual(["organisation", "agency"]);
    expect(JSON.parse(told[1]?.payload ?? "{}").audiences).toEqual(["organisation"]);

    // The same figures again: ongoing, no new step, no new notice.
    const steps = (await incidents.timeline(id)).length;
    expect((await watch.evaluate()).detections[0]?.step).toBe("ongoing");
    expect((await incidents.timeline(id)).length).toBe(steps);

    // Today's figures, still low: seen again, once.
    await figures("Alpha", "Charlie", D, 30, 0);
    await watch.evaluate();
    await watch.evaluate();
    expect((await incidents.timeline(id)).filter((e) => e.type === "seen_again")).toHaveLength(1);

    // The next day back to 48/50 (96 %): resolved (against the frozen baseline), told.
    clock.t = at(addDays(D, 1));
    await figures("Alpha", "Charlie", addDays(D, 1), 50, 48);
    const back = await watch.evaluate();
    expect(back.changes).toEqual([{ incidentId: id, change: "resolved" }]);
    expect(await incidents.get(id)).toMatchObject({ state: "resolved" });
    expect((await notices()).map((n) => n.dedup_key)).toContain(`incident:${id}:resolved:0`);

    // Low again on two days within 3 days of the resolution: the same incident, reopened.
    await figures("Alpha", "Charlie", addDays(D, 2), 40, 0);
    await figures("Alpha", "Charlie", addDays(D, 3), 40, 0);
    clock.t = at(addDays(D, 3));
    const again = await watch.evaluate();
    expect(again.detections.map((x) => [x.step, x.incidentId])).toEqual([["reopened", id]]);
    expect(await incidents.get(id)).toMatchObject({ state: "open", reopened: 1 });
  });

  it("after the flapping window a new drop is a new incident", async () => {
    for (let i = 12; i >= 3; i--) await figures("Alpha", "Charlie", addDays(D, -i), 50, 50);
    await figures("Alpha", "Charlie", addDays(D, -2), 40, 0);
    await figures("Alpha", "Charlie", addDays(D, -1), 40, 0);
    const first = (await watch.evaluate()).detections[0]?.incidentId as number;
    clock.t = at(D);
    await figures("Alpha", "Charlie", D, 50, 50);
    expect((await watch.evaluate()).changes).toEqual([{ incidentId: first, change: "resolved" }]);
    // Good for a week, then low again.
    for (let i = 1; i <= 7; i++) await figures("Alpha", "Charlie", addDays(D, i), 50, 50);
    await figures("Alpha", "Charlie", addDays(D, 8), 40, 0);
    await figures("Alpha", "Charlie", addDays(D, 9), 40, 0);
    clock.t = at(addDays(D, 9));
    const later = await watch.evaluate();
    expect(later.detections.map((x) => x.step)).toEqual(["confirmed"]);
    expect(later.detections[0]?.incidentId).not.toBe(first);
  });

  it("3 sessions a day in clear never alarm; nor does a link still learning", async () => {
    for (let i = 12; i >= 3; i--) await figures("Bravo", "Delta", addDays(D, -i), 50, 50);
    for (let i = 2; i >= 0; i--) await figures("Bravo", "Delta", addDays(D, -i), 3, 0);
    await figures("Delta", "Bravo", addDays(D, -1), 60, 0);
    await figures("Delta", "Bravo", D, 60, 0);
    const o = await watch.evaluate();
    expect(o.detections).toEqual([]);
    expect(o.links).toMatchObject({ evaluated: 2, learning: 1, dropped: 0 });
    expect(await notices()).toEqual([]);
  });

  it("serve's tick evaluates at most every 10 minutes; run-once every cycle", async () => {
    expect(await watch.evaluateIfDue()).not.toBeNull();
    clock.advance(9 * 60_000);
    expect(await watch.evaluateIfDue()).toBeNull();
    expect(await watch.evaluate()).not.toBeNull();
    clock.advance(10 * 60_000);
    expect(await watch.evaluateIfDue()).not.toBeNull();
    expect(watch.take()).toHaveLength(3);
  });

  it("a link that goes quiet stays open: no figures is no recovery", async () => {
    for (let i = 12; i >= 3; i--) await figures("Alpha", "Charlie", addDays(D, -i), 50, 50);
    await figures("Alpha", "Charlie", addDays(D, -2), 40, 0);
    await figures("Alpha", "Charlie", addDays(D, -1), 40, 0);
    const id = (await watch.evaluate()).detections[0]?.incidentId as number;
    clock.t = at(addDays(D, 10));
    const o = await watch.evaluate();
    expect(o.changes).toEqual([]);
    expect(await incidents.get(id)).toMatchObject({ state: "open" });
  });
});

/** A TLS-RPT report (RFC 8460 §4) about `domain` for `day`, with failure details by type. */
function report(id: string, day: string, domain: string, failures: Record<string, number>, successful = 100) {
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  return Buffer.from(
    JSON.stringify({
      "organization-name": "Bravo",
      "date-range": { "start-datetime": `${day}T00:00:00Z`, "end-datetime": `${day}T23:59:59Z` },
      "contact-info": "tlsrpt@bravo.example",
      "report-id": id,
      policies: [
        {
          policy: { "policy-type": "no-policy-found", "policy-domain": domain },
          summary: { "total-successful-session-count": successful, "total-failure-session-count": failed },
          ...(failed > 0
            ? {
                "failure-details": Object.entries(failures).map(([type, n]) => ({
                  "result-type": type,
                  "receiving-mx-hostname": `mx.${domain}`,
                  "failed-session-count": n,
                })),
              }
            : {}),
        },
      ],
    }),
  );
}

describe("new TLS-RPT failure type", () => {
  it("opens a warning with the reports as evidence; later clean reports resolve it", async () => {
    const reports = await TlsRptStore.open(store);
    const put = async (id: string, day: string, failures: Record<string, number>) => {
      const r = await ingestReport(reports, {
        bytes: report(id, day, "charlie.example", failures),
        door: "file",
        source: `${id}.json`,
        now: () => new Date(clock.now()),
      });
      expect(r.error).toBeNull();
      return r.id as number;
    };
    await put("base-1", addDays(D, -10), { "certificate-expired": 2 });
    await put("base-2", addDays(D, -5), {});
    // Only the known type: nothing.
    await put("recent-0", addDays(D, -1), { "certificate-expired": 1 });
    expect((await watch.evaluate()).detections).toEqual([]);
    const row = await put("recent-1", addDays(D, -1), { "starttls-not-supported": 7 });
    const o = await watch.evaluate();
    expect(o.detections).toHaveLength(1);
    const d = o.detections[0];
    expect(d?.step).toBe("warned");
    expect(d?.detection).toMatchObject({
      kind: "tlsrpt_new_failure_type",
      severity: "warning",
      subject: "tlsrpt:charlie.example|starttls-not-supported",
      domain: "charlie.example",
      organisation: "Charlie",
      peerOrganisation: "Bravo",
      from: "certificate-expired",
      to: "starttls-not-supported",
    });
    expect(d?.detection.evidence.reports).toEqual([
      { reportRow: row, reportId: "recent-1", organization: "Bravo", day: addDays(D, -1), failed: 7 },
    ]);
    const id = d?.incidentId as number;
    expect(await incidents.get(id)).toMatchObject({
      state: "open",
      severity: "warning",
      basis: "indicators",
    });
    // The audit watch's view of charlie.example leaves it alone.
    expect(await incidents.incidentsOf("charlie.example", "2000-01-01")).toEqual([]);
    expect((await notices()).map((n) => n.organisation_id)).toEqual([ids.get("Charlie"), ids.get("Bravo")]);

    // One clean day is not enough; two are.
    clock.t = at(addDays(D, 1));
    await put("after-1", D, {});
    expect((await watch.evaluate()).changes).toEqual([]);
    clock.t = at(addDays(D, 2));
    await put("after-2", addDays(D, 1), {});
    expect((await watch.evaluate()).changes).toEqual([{ incidentId: id, change: "resolved" }]);
    expect(await incidents.get(id)).toMatchObject({ state: "resolved" });
  });
});
