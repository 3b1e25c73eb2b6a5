/** The in-process job backend: handlers by kind, one job per key, retries, concurrency, stop. */
import { describe, expect, it } from "vitest";
import { inProcessJobs } from "../../../src/jobs/in-process-jobs.js";
import type { JobContext, JobPayloads } from "../../../src/jobs/job.js";
import { jobHandlers } from "../../../src/jobs/job-handlers.js";

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe("job handlers", () => {
  it("one handler per kind: a second registration is refused", () => {
    const handlers = jobHandlers();
    handlers.register("send-notice", async () => ({ status: "done" }));
    expect(() => handlers.register("send-notice", async () => ({ status: "done" }))).toThrow(
      /already registered/,
    );
    expect(handlers.kinds()).toEqual(["send-notice"]);
    expect(handlers.get("fetch-mailbox")).toBeUndefined();
  });
});

describe("in-process jobs", () => {
  it("runs the kind's handler with its payload and key; a key waiting is not queued twice", async () => {
    const handlers = jobHandlers();
    const seen: { payload: JobPayloads["send-tlsrpt"]; ctx: JobContext }[] = [];
    handlers.register("send-tlsrpt", async (payload, ctx) => {
      seen.push({ payload, ctx });
      return { status: "done" };
    });
    const jobs = inProcessJobs({ handlers });
    const first = await jobs.send("send-tlsrpt", "report:1", { ref: "1" });
    const again = await jobs.send("send-tlsrpt", "report:1", { ref: "1" });
    await jobs.send("send-tlsrpt", "report:2", { ref: "2" });
    expect(first.id).toMatch(/^local:/);
    expect(again.id).toBeNull();
    expect(seen).toHaveLength(0); // not started yet
    await jobs.start();
    await jobs.idle();
    expect(seen.map((s) => [s.ctx.key, s.payload.ref, s.ctx.attempt, s.ctx.kind])).toEqual([
      ["report:1", "1", 1, "send-tlsrpt"],
      ["report:2", "2", 1, "send-tlsrpt"],
    ]);
  });

  it("an exception is a failed attempt, retried with backoff up to the limit", async () => {
    const handlers = jobHandlers();
    const attempts: number[] = [];
    const errors: number[] = [];
    handlers.register("send-notice", async (_payload, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.key === "always") throw new Error("store gone");
      if (ctx.attempt < 3) throw new Error("not yet");
      return { status: "done" };
    });
    const jobs = inProcessJobs({
      handlers,
      retryLimit: 4,
      retryDelayMs: 2,
      onError: (_e, job) => errors.push(job.attempt),
    });
    await jobs.start();
    await jobs.send("send-notice", "flaky", { ref: "a" });
    await jobs.idle();
    expect(attempts).toEqual([1, 2, 3]);
    attempts.length = 0;
    errors.length = 0;
    await jobs.send("send-notice", "always", { ref: "b" });
    await jobs.idle();
    expect(attempts).toEqual([1, 2, 3, 4]); // given up after the fourth
    expect(errors).toEqual([1, 2, 3, 4]);
  });

  it("a retry outcome comes back later without counting as a failure", async () => {
    const handlers = jobHandlers();
    let calls = 0;
    handlers.register("send-tlsrpt", async (_p, ctx) => {
      calls++;
      expect(ctx.attempt).toBe(1);
      return calls < 3 ? { status: "retry", reason: "held", afterMs: 3 } : { status: "done" };
    });
    const jobs = inProcessJobs({ handlers, retryLimit: 1 });
    await jobs.start();
    await jobs.send("send-tlsrpt", "r", { ref: "r" });
    await jobs.idle();
    expect(calls).toBe(3);
  });

  it("at most `concurrency` jobs of a kind at once", async () => {
    const handlers = jobHandlers();
    let now = 0;
    let peak = 0;
    handlers.register(
      "send-notice",
      async () => {
        now++;
        peak = Math.max(peak, now);
        await tick(10);
        now--;
        return { status: "done" };
      },
      { concurrency: 2 },
    );
    const jobs = inProcessJobs({ handlers });
    await jobs.start();
    for (let i = 0; i < 7; i++) await jobs.send("send-notice", `n${i}`, { ref: String(i) });
    expect(jobs.size.running).toBe(2);
    await jobs.idle();
    expect(peak).toBe(2);
  });

  it("a job sent for later waits; the payload is a copy", async () => {
    const handlers = jobHandlers();
    const refs: string[] = [];
    handlers.register("send-tlsrpt", async (p) => {
      refs.push(p.ref);
      return { status: "done" };
    });
    const jobs = inProcessJobs({ handlers });
    await jobs.start();
    const payload = { ref: "before" };
    const started = Date.now();
    await jobs.send("send-tlsrpt", "later", payload, { startAfterMs: 30 });
    payload.ref = "after";
    await tick(5);
    expect(refs).toEqual([]);
    await jobs.idle();
    expect(refs).toEqual(["before"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("stop: running jobs finish within the grace period, then their signal aborts; nothing new starts", async () => {
    const handlers = jobHandlers();
    const aborted: string[] = [];
    handlers.register(
      "send-notice",
      (_p, ctx) =>
        new Promise((resolve) => {
          if (ctx.key === "quick") setTimeout(() => resolve({ status: "done" }), 5);
          ctx.signal.addEventListener("abort", () => {
            aborted.push(ctx.key);
            resolve({ status: "done" });
          });
        }),
      { concurrency: 2 },
    );
    const jobs = inProcessJobs({ handlers });
    await jobs.start();
    await jobs.send("send-notice", "quick", { ref: "1" });
    await jobs.send("send-notice", "slow", { ref: "2" });
    await jobs.send("send-notice", "queued", { ref: "3" });
    await jobs.stop(40);
    expect(aborted).toEqual(["slow"]);
    await tick(20);
    expect(aborted).toEqual(["slow"]); // "queued" never ran
  });

  it("audit-domain jobs wake the store-backed audit queue instead of running here", async () => {
    const handlers = jobHandlers();
    let kicks = 0;
    let ran = 0;
    handlers.register("audit-domain", async () => {
      ran++;
      return { status: "done" };
    });
    const jobs = inProcessJobs({ handlers, auditQueue: { kick: () => kicks++ } });
    await jobs.start();
    const sent = await jobs.send("audit-domain", "cycle:1:a.test", {
      runId: 7,
      jobKey: "cycle:1:a.test",
      domain: "a.test",
      trigger: "schedule",
      requestedBy: "scheduler",
      cycleId: 1,
    });
    expect(sent.id).toBe("run:7");
    expect(kicks).toBe(1);
    expect(ran).toBe(0);
  });
});
