/**
 * Indicator incidents over the API: a link incident is seen and acted on by both organisations of the
 * link (charter art. 4.3), a new TLS-RPT type's incident by the policy domain's organisation only; run
 * ids are 0 (no audit), the evidence is in the timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IndicatorDetection } from "../../../src/monitor/incidents/indicator-plan.js";
import { IndicatorIncidentStore } from "../../../src/monitor/incidents/indicator-store.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { type Harness, startHarness } from "../../support/service-harness.js";

let store: Store;
let h: Harness;
const ids = { link: 0, tlsrpt: 0 };

const detection = (over: Partial<IndicatorDetection>): IndicatorDetection => ({
  kind: "link_share_drop",
  severity: "interruption",
  subject: "link:o:1>o:2",
  domain: "X Mail → Y Télécom",
  organisation: "Y Télécom",
  peerOrganisation: "X Mail",
  day: "2026-12-19",
  firstDay: "2026-12-18",
  lastGoodAt: "2026-12-18T00:00:00.000Z",
  from: "verified 100.0 %",
  to: "verified 0.0 %",
  message: "X Mail → Y Télécom (sender-log): verified TLS 0.0 %",
  evidence: { sources: [] },
  ...over,
});

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store);
  const incidents = await IndicatorIncidentStore.open(store);
  const now = "2026-12-20T10:00:00.000Z";
  ids.link = (await incidents.apply([{ type: "open", detection: detection({}) }], now))[0]?.incidentId ?? 0;
  ids.tlsrpt =
    (
      await incidents.apply(
        [
          {
            type: "open",
            detection: detection({
              kind: "tlsrpt_new_failure_type",
              severity: "warning",
              subject: "tlsrpt:y.example|certificate-expired",
              domain: "y.example",
              peerOrganisation: null,
              message: "y.example: certificate-expired reported",
              evidence: { reports: [{ reportRow: 7, reportId: "r-7" }] },
            }),
          },
        ],
        now,
      )
    )[0]?.incidentId ?? 0;
});
afterAll(async () => {
  await h.close();
  await store.close();
});

type List = { incidents: { id: number; canAct: boolean; firstRunId: number }[] };

describe("indicator incidents in the API", () => {
  it("a link incident: both organisations see it and may act; a TLS-RPT one: its domain's only", async () => {
    const c = h.client();
    const of = async (bearer: string) =>
      (await c.get("/api/v1/incidents", { bearer })).json<List>().incidents.map((i) => [i.id, i.canAct]);
    expect((await of(h.tokens.operatorX)).sort()).toEqual([[ids.link, true]]);
    expect((await of(h.tokens.operatorY)).sort()).toEqual(
      [
        [ids.link, true],
        [ids.tlsrpt, true],
      ].sort(),
    );
    expect((await c.get(`/api/v1/incidents/${ids.tlsrpt}`, { bearer: h.tokens.operatorX })).status).toBe(404);
    const detail = (await c.get(`/api/v1/incidents/${ids.link}`, { bearer: h.tokens.operatorX })).json<{
      incident: { firstRunId: number; confirmRunId: number };
      timeline: { type: string; runId: number | null }[];
    }>();
    expect(detail.incident).toMatchObject({ firstRunId: 0, confirmRunId: 0 });
    expect(detail.timeline.map((e) => [e.type, e.runId])).toEqual([
      ["observed", null],
      ["opened", null],
    ]);
    const ack = await c.fetch("POST", `/api/v1/incidents/${ids.link}/acknowledge`, {
      bearer: h.tokens.operatorX,
    });
    expect(ack.status).toBe(200);
  });
});
