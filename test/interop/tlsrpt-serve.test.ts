/**
 * POST /tlsrpt (RFC 8460 §5.3.2) against the built `mailcharter serve` on its own loopback address:
 * plain and gzip reports, a duplicate, a gzip bomb and an oversize body refused, a generated report
 * received and valid. Then the crash loop: serve is killed with SIGKILL in the middle of a burst of
 * posts from many client addresses, restarted, and the burst resumed — every report answered 2xx is
 * stored, none twice, each whole (its policy row with it).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { generateReports, reportJson } from "../../src/indicators/tlsrpt/generate.js";
import { tlsRptReportSchema } from "../../src/indicators/tlsrpt/report-schema.js";
import { TlsRptStore } from "../../src/indicators/tlsrpt/report-store.js";
import { openStore } from "../../src/store/database.js";
import { startServe, stopProcess } from "../support/serve-process.js";
import { tlsrptAddresses } from "./lab/ports.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "..", "fixtures", "tlsrpt", name));
const dataDir = mkdtempSync(join(tmpdir(), "mailcharter-tlsrpt-serve-"));
const db = join(dataDir, "service.sqlite");
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

let child: ChildProcess | null = null;

afterEach(async () => {
  if (child) await stopProcess(child, "SIGTERM");
  child = null;
});

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | null;
}

/**
 * One POST from a given client address; null when the connection died before an answer. `hold`: the
 * headers go first and the body only if no answer came within that time (a server refusing by the
 * declared length answers before the body).
 */
function post(body: Buffer, type: string, from = "127.0.12.100", hold = 0): Promise<Answer | null> {
  const ca = readFileSync(join(dataDir, "tls-cert.pem"), "utf8");
  return new Promise((resolve) => {
    let done = false;
    const finish = (answer: Answer | null) => {
      if (!done) {
        done = true;
        resolve(answer);
      }
    };
    const req = request(
      {
        host: tlsrptAddresses.serve,
        port: 443,
        path: "/tlsrpt",
        method: "POST",
        headers: { "content-type": type, "content-length": String(body.length) },
        ca,
        localAddress: from,
        agent: false,
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: Record<string, unknown> | null = null;
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = null;
          }
          finish({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on("error", () => finish(null));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    // The server may answer 413 and close while the body is still being written: the answer counts.
    req.on("error", () => setTimeout(() => finish(null), 50));
    if (hold === 0) req.end(body);
    else {
      req.flushHeaders();
      setTimeout(() => {
        if (!done) req.end(body);
      }, hold);
    }
  });
}

const reportWithId = (id: string, successful: number) => {
  const doc = JSON.parse(fixture("google-sts.json").toString("utf8"));
  doc["report-id"] = id;
  doc.policies[0].summary["total-successful-session-count"] = successful;
  return Buffer.from(JSON.stringify(doc));
};

describe("POST /tlsrpt on mailcharter serve", () => {
  it("json, gzip, duplicate, bomb and oversize, a generated report", async () => {
    child = await startServe({ db, dataDir, listen: `${tlsrptAddresses.serve}:443` });
    const json = await post(fixture("postfix-dane-tlsa.json"), "application/tlsrpt+json");
    expect(json).toMatchObject({
      status: 201,
      body: { status: "accepted", organization: "signataire-d.example", policies: 2 },
    });
    const gzip = await post(fixture("microsoft.gz"), "application/tlsrpt+gzip");
    expect(gzip).toMatchObject({
      status: 201,
      body: { status: "accepted", organization: "Microsoft Corporation" },
    });
    const duplicate = await post(gzipSync(fixture("postfix-dane-tlsa.json")), "application/tlsrpt+gzip");
    expect(duplicate).toMatchObject({ status: 200, body: { status: "duplicate" } });

    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    const started = Date.now();
    expect(await post(bomb, "application/tlsrpt+gzip")).toMatchObject({
      status: 413,
      body: { status: "rejected", error: { code: "inflated_too_large" } },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    const oversize = await post(
      Buffer.alloc(6 * 1024 * 1024, 0x20),
      "application/tlsrpt+json",
      "127.0.12.100",
      2_000,
    );
    expect(oversize).toMatchObject({ status: 413, body: { error: { code: "body_too_large" } } });
    expect(await post(fixture("google-sts.json"), "application/json")).toMatchObject({ status: 415 });

    // A report generated as `tlsrpt generate` builds it, received by the other side's endpoint.
    const [generated] = generateReports({
      organization: "Alpha Mail",
      contactInfo: "tlsrpt@alpha.lab.test",
      day: "2026-11-30",
      sessions: [
        {
          time: "2026-11-30T08:00:00Z",
          policyDomain: "peer.lab.test",
          policy: { type: "no-policy-found", strings: [], mxHosts: [] },
          failure: null,
        },
        {
          time: "2026-11-30T09:00:00Z",
          policyDomain: "peer.lab.test",
          policy: { type: "no-policy-found", strings: [], mxHosts: [] },
          failure: "starttls-not-supported",
          mxHost: "mx.peer.lab.test",
          receivingIp: "127.0.10.71",
        },
      ],
    });
    if (!generated) throw new Error("no report generated");
    const sent = await post(gzipSync(Buffer.from(reportJson(generated))), "application/tlsrpt+gzip");
    expect(sent).toMatchObject({
      status: 201,
      body: { status: "accepted", organization: "Alpha Mail", successful: 1, failed: 1 },
    });

    await stopProcess(child, "SIGTERM");
    child = null;
    const store = await openStore(db);
    try {
      const reports = await TlsRptStore.open(store);
      expect(await reports.count()).toBe(3);
      const received = (await reports.list()).find((r) => r.organization === "Alpha Mail");
      const stored = await reports.get(received?.id ?? -1);
      expect(tlsRptReportSchema.safeParse(stored?.report).success).toBe(true);
      expect(stored?.report).toEqual(generated);
    } finally {
      await store.close();
    }
  });

  it("kill -9 during a burst, restart, resume: every report answered 2xx is stored, none twice", async () => {
    const total = 120;
    const clients = 8;
    const ids = Array.from({ length: total }, (_, i) => `burst-${i}`);
    const acknowledged = new Set<string>();
    let pending = [...ids];
    let rounds = 0;
    let unanswered = 0;
    while (ids.some((id) => !acknowledged.has(id)) && rounds < 8) {
      rounds++;
      const crash = rounds <= 3;
      const proc = await startServe({ db, dataDir, listen: `${tlsrptAddresses.serve}:443` });
      child = proc;
      // In the first rounds, SIGKILL once a few answers have come back: the rest are in flight.
      let answered = 0;
      const answers = await Promise.all(
        pending.map((id, i) =>
          post(reportWithId(id, i + 1), "application/tlsrpt+json", `127.0.12.${100 + (i % clients)}`).then(
            (a) => {
              if (a && ++answered === 5 * rounds && crash) proc.kill("SIGKILL");
              return { id, a };
            },
          ),
        ),
      );
      await stopProcess(proc, crash ? "SIGKILL" : "SIGTERM");
      child = null;
      for (const { id, a } of answers) {
        if (a && a.status >= 200 && a.status < 300) acknowledged.add(id);
        if (!a && crash) unanswered++;
      }
      // Resume: everything not acknowledged again, and, after a crash, a few acknowledged ones (duplicates).
      pending = [
        ...ids.filter((id) => !acknowledged.has(id)),
        ...(crash ? [...acknowledged].slice(0, 5) : []),
      ];
    }
    // The crashes cut posts in flight (else the loop proved nothing), and the resumed burst completed.
    expect(unanswered).toBeGreaterThan(0);
    expect(acknowledged.size).toBe(total);
    const store = await openStore(db);
    try {
      const rows = await store.db
        .selectFrom("tlsrpt_reports")
        .select(["id", "report_id"])
        .where("report_id", "like", "burst-%")
        .execute();
      expect(rows).toHaveLength(total);
      expect(new Set(rows.map((r) => r.report_id)).size).toBe(total);
      // Each report whole: its policy row committed with it.
      const policies = await store.db
        .selectFrom("tlsrpt_policies")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where(
          "report_row",
          "in",
          rows.map((r) => Number(r.id)),
        )
        .executeTakeFirstOrThrow();
      expect(Number(policies.n)).toBe(total);
    } finally {
      await store.close();
    }
  }, 240_000);
});
