/**
 * Live progress over server-sent events, on a real HTTPS listener: a finished run answers its end at
 * once; a queued run streams the hub's events in the viewer's language and ends with the run; a run
 * finished by another process (no hub event) still ends the stream; another organisation's run is
 * "not found"; streams are bounded per session; the server's close ends them.
 */
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveProgressLimits } from "../../../src/core/limits.js";
import { AuditHistory } from "../../../src/monitor/history-store.js";
import { ProgressHub } from "../../../src/monitor/progress.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { EventStreams } from "../../../src/web/live/event-streams.js";
import { auditRunPage } from "../../../src/web/pages/audit-run.js";
import { reportOf } from "../../support/audit-fixture.js";
import { type Harness, startHarness } from "../../support/service-harness.js";

let store: Store;
let h: Harness;
let history: AuditHistory;
const hub = new ProgressHub();

beforeAll(async () => {
  store = await openStore(":memory:");
  h = await startHarness(store, { progress: hub });
  history = await AuditHistory.open(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

interface Stream {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  text(): string;
  /** Resolves when the text matches (or rejects after a few seconds). */
  until(pattern: RegExp): Promise<string>;
  readonly ended: Promise<void>;
  destroy(): void;
}

function open(path: string, bearer: string, base = h.base): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      { headers: { authorization: `Bearer ${bearer}`, accept: "text/event-stream" }, ca: h.ca, agent: false },
      (res) => {
        let text = "";
        const waiters: (() => void)[] = [];
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
          for (const w of waiters.splice(0)) w();
        });
        const ended = new Promise<void>((done) => res.on("end", () => done()));
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: () => text,
          ended,
          destroy: () => req.destroy(),
          until: (pattern) =>
            new Promise((ok, ko) => {
              const timer = setTimeout(
                () => ko(new Error(`no ${pattern} in ${JSON.stringify(text)}`)),
                8_000,
              );
              const check = () => {
                if (pattern.test(text)) {
                  clearTimeout(timer);
                  ok(text);
                } else waiters.push(check);
              };
              check();
            }),
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const queue = (key: string, domain = "x.example") =>
  history.requestOnDemand({ idempotencyKey: key, domain, requestedBy: "tests" }, Date.now());

describe("audit progress as server-sent events", () => {
  it("a finished run: its end at once, and the stream closes", async () => {
    const { runId } = await history.save(
      { jobKey: "done-1", domain: "x.example", trigger: "cli", requestedBy: "tests" },
      reportOf("x.example", { finishedAt: new Date().toISOString() }),
      { now: Date.now() },
    );
    const s = await open(`/audits/${runId}/events?lang=en`, h.tokens.operatorX);
    expect(s.status).toBe(200);
    expect(s.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(s.headers["cache-control"]).toBe("no-store");
    await s.ended;
    expect(s.text()).toBe(
      'retry: 3000\n\nevent: progress\ndata: {"phase":"done","label":"Finished"}\n\nevent: end\ndata: {"status":"done"}\n\n',
    );
  });

  it("a queued run: the hub's events in the viewer's language, then the end", async () => {
    const { run } = await queue("live-1");
    const s = await open(`/audits/${run.id}/events?lang=fr`, h.tokens.operatorX);
    await s.until(/"phase":"queued","label":"En file d'attente"/);
    const at = new Date().toISOString();
    hub.emit({
      runId: run.id,
      domain: "x.example",
      phase: "probing",
      done: 1,
      total: 3,
      what: "mx.x.example:25",
      at,
    });
    await s.until(/"label":"Sondage des points d'accès 1\/3 — mx\.x\.example:25"/);
    hub.emit({ runId: run.id, domain: "x.example", phase: "done", at });
    await s.ended;
    expect(s.text()).toMatch(/event: end\ndata: \{"status":"done"\}\n\n$/);
  });

  it("a run finished by another process (no event here) still ends the stream", async () => {
    const { run } = await queue("elsewhere-1", "y.example");
    const s = await open(`/audits/${run.id}/events?lang=en`, h.tokens.agency);
    await s.until(/"phase":"queued"/);
    await history.save(
      { jobKey: run.jobKey, domain: "y.example", trigger: "on_demand", requestedBy: "tests" },
      reportOf("y.example", { finishedAt: new Date().toISOString() }),
      { now: Date.now() },
    );
    await s.ended;
    expect(s.text()).toContain('event: end\ndata: {"status":"done"}');
  }, 15_000);

  it("another organisation's run is not found", async () => {
    const { run } = await queue("y-idor", "y.example");
    const s = await open(`/audits/${run.id}/events`, h.tokens.operatorX);
    expect(s.status).toBe(404);
    s.destroy();
  });

  it(`at most ${liveProgressLimits.streamsPerSession} streams per session or token; a closed one frees its slot`, async () => {
    // y.example's run stays queued (x.example's ended through the hub above).
    const { run } = await queue("many-1", "y.example");
    const streams: Stream[] = [];
    for (let i = 0; i < liveProgressLimits.streamsPerSession; i++) {
      const s = await open(`/audits/${run.id}/events`, h.tokens.auditor);
      expect(s.status).toBe(200);
      await s.until(/phase/);
      streams.push(s);
    }
    const refused = await open(`/audits/${run.id}/events`, h.tokens.auditor);
    expect(refused.status).toBe(429);
    await refused.ended;
    expect(refused.text()).toContain("too many live progress streams");
    // Another account is not affected.
    const other = await open(`/audits/${run.id}/events`, h.tokens.agency);
    expect(other.status).toBe(200);
    other.destroy();
    streams.pop()?.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const again = await open(`/audits/${run.id}/events`, h.tokens.auditor);
    expect(again.status).toBe(200);
    for (const s of [...streams, again]) s.destroy();
  });

  it("the page: live with its external script, a meta refresh inside <noscript> without", async () => {
    const { run } = await queue("page-1");
    const page = await h.client().get(`/audits/${run.id}?lang=en`, { bearer: h.tokens.operatorX });
    expect(page.text).toContain('<noscript><meta http-equiv="refresh" content="3"></noscript>');
    expect(page.text).toContain('<script src="/static/audit-progress.js" defer></script>');
    expect(page.text).toContain(`data-events="/audits/${run.id}/events?lang=en"`);
    expect(page.text).not.toMatch(/<script>|<script(?![^>]*src=)[^>]*>/);
    const script = await h.client().get("/static/audit-progress.js");
    expect(script.status).toBe(200);
    expect(script.headers["content-type"]).toMatch(/javascript/);
    expect(script.text).toContain("new EventSource(");
    const done = auditRunPage({ lang: "en", path: "/audits/1", viewer: null, csrfToken: null }, 1, {
      ...run,
      status: "done",
      finishedAt: run.queuedAt,
      report: null,
      error: null,
    } as never);
    expect(done).not.toContain("audit-progress.js");
    expect(done).not.toContain("refresh");
  });
});

describe("closing the server ends the open streams", () => {
  it("close() resolves with a stream open; the stream ends", async () => {
    const own = await startHarness(store, { progress: new ProgressHub(), seed: false });
    const { run } = await queue("close-1");
    const s = await open(`/audits/${run.id}/events`, h.tokens.agency, own.base);
    expect(s.status).toBe(200);
    await s.until(/phase/);
    const started = Date.now();
    await own.close();
    await s.ended;
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("the stream registry", () => {
  it("bounds per key and in all, frees on release, refuses after closeAll and closes each", () => {
    const r = new EventStreams(2, 3);
    const closed: string[] = [];
    const a1 = r.acquire("a", () => closed.push("a1"));
    const a2 = r.acquire("a", () => closed.push("a2"));
    expect(r.acquire("a", () => {})).toEqual({ ok: false, reason: "per_session" });
    const b1 = r.acquire("b", () => closed.push("b1"));
    expect(r.acquire("c", () => {})).toEqual({ ok: false, reason: "total" });
    if (a1.ok) {
      a1.slot.release();
      a1.slot.release();
    }
    expect(r.size).toBe(2);
    expect(r.acquire("c", () => closed.push("c1")).ok).toBe(true);
    r.closeAll();
    expect(closed.sort()).toEqual(["a2", "b1", "c1"]);
    expect(r.size).toBe(0);
    expect(r.acquire("a", () => {})).toEqual({ ok: false, reason: "closing" });
    expect([a2.ok, b1.ok]).toEqual([true, true]);
  });
});
