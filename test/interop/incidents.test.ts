/**
 * The monitoring of interruptions against real Postfix MX hosts (127.0.14.x, named in the lab zone),
 * through `mailcharter monitor run-once`: an MX audited compliant on schedule; its STARTTLS turned off
 * → an incident opens in that cycle, after the confirming probe; STARTTLS back on → the next cycle's
 * audit resolves it, with its duration. A throttling MX (421 after two connections a minute) → never an
 * incident. A certificate within 14 days of expiry → exactly one warning over several cycles.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type MonitorReport, monitorReportSchema } from "../../src/monitor/cycle-report.js";
import { IncidentStore } from "../../src/monitor/incidents/incident-store.js";
import { openStore } from "../../src/store/database.js";
import { daysFromNow, issue, rootCa } from "../support/pki.js";
import { labGeo } from "./lab/lab.js";
import { incidentAddresses } from "./lab/ports.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";

const lab = inject("lab");
const dir = mkdtempSync(join(tmpdir(), "mailcharter-incidents-"));
const db = join(dir, "monitor.sqlite");
const postfixes: Partial<Record<keyof typeof incidentAddresses, PostfixInstance>> = {};

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "node",
      ["dist/cli/main.js", ...args],
      { timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout, stderr }),
    );
  });
}

const network = () => [
  "--resolver",
  lab.validatingResolver,
  "--allow-private",
  "--ca-file",
  lab.rootCaFile,
  "--ca-file",
  join(dir, "ca.pem"),
  "--geo-file",
  join(dir, "geo.csv"),
  "--ehlo-name",
  "probe.lab.test",
];

/** One cycle; every domain is made due first (as a day passing would). */
async function cycle(): Promise<MonitorReport> {
  const store = await openStore(db);
  try {
    await store.db.updateTable("monitor_schedule").set({ next_due_at: null }).execute();
  } finally {
    await store.close();
  }
  const run = await cli(["monitor", "run-once", "--db", db, "--json", "--confirm-pause", "2", ...network()]);
  expect(run.code, run.stderr).toBe(0);
  const doc = JSON.parse(run.stdout) as MonitorReport;
  const valid = monitorReportSchema.safeParse(doc);
  expect(valid.success, JSON.stringify(valid.error?.issues.slice(0, 3))).toBe(true);
  return doc;
}

const of = (doc: MonitorReport, domain: string) => ({
  detections: doc.detections.filter((d) => d.domain === domain),
  incidents: doc.incidents.filter((i) => i.domain === domain),
  audits: doc.audits.filter((a) => a.domain === domain),
});

async function mx(
  name: keyof typeof incidentAddresses,
  main: Record<string, string>,
  cert: { pem: string; keyPem: string },
) {
  const address = incidentAddresses[name];
  const host = `mx.${name}.lab.test`;
  const instance = await startPostfix({
    name: `incident-${name}`,
    address,
    hostname: host,
    main: { mydestination: "", smtpd_tls_security_level: "may", ...main },
  });
  postfixes[name] = instance;
  writeFileSync(join(instance.dir, "cert.pem"), cert.pem);
  writeFileSync(join(instance.dir, "key.pem"), cert.keyPem, { mode: 0o600 });
  await instance.postconf({
    smtpd_tls_cert_file: join(instance.dir, "cert.pem"),
    smtpd_tls_key_file: join(instance.dir, "key.pem"),
  });
  return instance;
}

const cycles: MonitorReport[] = [];

beforeAll(async () => {
  const ca = await rootCa("incident proof CA");
  writeFileSync(join(dir, "ca.pem"), ca.pem);
  writeFileSync(join(dir, "geo.csv"), `${labGeo}127.0.14.0/24,FR\n`);
  const long = (host: string) => issue(ca, host, { dnsNames: [host], notAfter: daysFromNow(400) });
  await mx("watch", {}, await long("mx.watch.lab.test"));
  await mx(
    "expiring",
    {},
    await issue(ca, "mx.expiring.lab.test", {
      dnsNames: ["mx.expiring.lab.test"],
      notAfter: daysFromNow(10),
    }),
  );
  // Postfix's anvil: a third connection within a minute gets "421 4.7.0 Error: too many connections";
  // loopback clients are exempt by default (smtpd_client_event_limit_exceptions = $mynetworks).
  await mx(
    "throttle",
    {
      smtpd_client_connection_rate_limit: "2",
      anvil_rate_time_unit: "60s",
      smtpd_client_event_limit_exceptions: "",
    },
    await long("mx.throttle.lab.test"),
  );
  const added = await cli([
    "registry",
    "add",
    "--db",
    db,
    "--name",
    "Watched Mail",
    "--contact",
    "noc@watch.lab.test",
    "--adhesion",
    "2026-01-01",
    "--domain",
    "watch.lab.test=mx.watch.lab.test",
    "--domain",
    "expiring.lab.test=mx.expiring.lab.test",
    "--domain",
    "throttle.lab.test=mx.throttle.lab.test",
  ]);
  expect(added.code, added.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  if (process.env.MAILCHARTER_DEBUG)
    for (const p of Object.values(postfixes)) console.log(p?.log().slice(-3000));
  for (const p of Object.values(postfixes)) await p?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("monitoring of interruptions on real Postfix MX hosts", () => {
  /** The notices the cycles queued in the notification outbox (src/notify), by domain. */
  async function outbox(
    domain: string,
  ): Promise<{ kind: string; audiences: string[]; summary: { en: string } }[]> {
    const store = await openStore(db);
    try {
      const rows = await store.db.selectFrom("notify_notices").select("payload").orderBy("id").execute();
      return rows.map((r) => JSON.parse(r.payload)).filter((n) => n.domain === domain);
    } finally {
      await store.close();
    }
  }

  it("cycle 1: the watched MX is audited compliant on schedule and learnt as its good state", async () => {
    const doc = await cycle();
    cycles.push(doc);
    const watch = of(doc, "watch.lab.test");
    expect(watch.audits).toHaveLength(1);
    expect(watch.audits[0]).toMatchObject({ trigger: "schedule", status: "done", verdict: "compliant" });
    expect(watch.audits[0]?.measures["mx.starttls"]).toBe("pass");
    expect(watch.audits[0]?.measures["mx.certificate"]).toBe("pass");
    expect(watch.detections).toEqual([]);
    expect(watch.incidents).toEqual([]);
  }, 300_000);

  it("cycle 2: STARTTLS turned off → suspected, probed again after the pause, confirmed: an incident opens", async () => {
    await postfixes.watch?.postconf({ smtpd_tls_security_level: "none" });
    const doc = await cycle();
    cycles.push(doc);
    const watch = of(doc, "watch.lab.test");
    const mx25 = watch.detections.filter(
      (d) => d.endpoint === `mx.watch.lab.test [${incidentAddresses.watch}]:25`,
    );
    expect(mx25.map((d) => [d.kind, d.step])).toEqual([
      ["starttls_missing", "suspected"],
      ["starttls_missing", "confirmed"],
    ]);
    const [suspected, confirmed] = mx25;
    // The confirming audit is another audit, on demand, after the pause, listed with the cycle's.
    expect(confirmed?.runId).not.toBe(suspected?.runId);
    expect(watch.audits.map((a) => a.trigger).sort()).toEqual(["on_demand", "schedule"]);
    const confirmAudit = watch.audits.find((a) => a.runId === confirmed?.runId);
    const cycleAudit = watch.audits.find((a) => a.runId === suspected?.runId);
    expect(
      Date.parse(confirmAudit?.startedAt ?? "") - Date.parse(cycleAudit?.finishedAt ?? ""),
    ).toBeGreaterThanOrEqual(2000);
    expect(watch.incidents).toHaveLength(1);
    expect(watch.incidents[0]).toMatchObject({
      state: "open",
      kind: "starttls_missing",
      organization: "Watched Mail",
      domain: "watch.lab.test",
      severity: "interruption",
      audience: "all",
      change: "opened",
      firstRunId: suspected?.runId,
      confirmRunId: confirmed?.runId,
      lastGoodRunId: of(cycles[0] as MonitorReport, "watch.lab.test").audits[0]?.runId,
    });
    expect(confirmed?.incidentId).toBe(watch.incidents[0]?.id);
  }, 300_000);

  it("cycle 3: STARTTLS back on → the cycle's audit resolves the incident, with its duration", async () => {
    await postfixes.watch?.postconf({ smtpd_tls_security_level: "may" });
    const doc = await cycle();
    cycles.push(doc);
    const watch = of(doc, "watch.lab.test");
    expect(watch.detections.filter((d) => d.severity === "interruption")).toEqual([]);
    expect(watch.incidents).toHaveLength(1);
    const resolved = watch.incidents[0];
    expect(resolved).toMatchObject({ state: "resolved", change: "resolved", kind: "starttls_missing" });
    expect(resolved?.resolveRunId).toBe(watch.audits[0]?.runId);
    const opened = of(cycles[1] as MonitorReport, "watch.lab.test").incidents[0];
    expect(resolved?.id).toBe(opened?.id);
    expect(resolved?.timeToRestoreMs).toBe(
      Date.parse(resolved?.resolvedAt ?? "") - Date.parse(resolved?.firstObservedAt ?? ""),
    );
    expect(resolved?.timeToRestoreMs).toBeGreaterThan(2000);
    console.log(
      `incident #${resolved?.id}: detected ${Math.round((resolved?.timeToDetectMs ?? 0) / 1000)} s after the last good audit, restored after ${Math.round((resolved?.timeToRestoreMs ?? 0) / 1000)} s`,
    );
    const store = await openStore(db);
    try {
      const incidents = await IncidentStore.open(store);
      const timeline = await incidents.timeline(resolved?.id ?? -1);
      // Each step with the audit that proves it; each notice handed to the outbox in the same transaction.
      expect(timeline.map((e) => [e.type, e.runId])).toEqual([
        ["observed", resolved?.firstRunId],
        ["confirmed", resolved?.confirmRunId],
        ["opened", resolved?.confirmRunId],
        ["notice", null],
        ["resolved", resolved?.resolveRunId],
        ["notice", null],
      ]);
    } finally {
      await store.close();
    }
  }, 300_000);

  it("the notices are in the outbox: opened and resolved told to every signatory, one expiry warning, none for throttling", async () => {
    const watch = await outbox("watch.lab.test");
    expect(watch.map((n) => [n.kind, n.audiences.join(",")])).toEqual([
      ["incident-opened", "organisation,agency,signatories"],
      ["incident-resolved", "organisation,agency,signatories"],
    ]);
    expect(watch[0]?.summary.en).toMatch(/mx\.watch\.lab\.test .*STARTTLS is no longer advertised/);
    expect((await outbox("expiring.lab.test")).map((n) => [n.kind, n.audiences.join(",")])).toEqual([
      ["certificate-expiring", "organisation,agency"],
    ]);
    expect(await outbox("throttle.lab.test")).toEqual([]);
  });

  it("the throttling MX never made an incident, in any cycle", async () => {
    expect(cycles).toHaveLength(3);
    const seen = cycles.map((c) => of(c, "throttle.lab.test"));
    expect(seen.flatMap((s) => s.incidents)).toEqual([]);
    expect(seen.flatMap((s) => s.detections).filter((d) => d.severity === "interruption")).toEqual([]);
    // It did throttle us: the audits report it, as "could not check" or as a partial enumeration.
    const steps = seen.flatMap((s) => s.detections).map((d) => `${d.kind}:${d.step}`);
    console.log(`throttling MX over 3 cycles: ${steps.join(", ") || "no detection"}`);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((s) => s.startsWith("could_not_check:"))).toBe(true);
    const store = await openStore(db);
    try {
      expect((await (await IncidentStore.open(store)).list({ domain: "throttle.lab.test" })).length).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("the certificate within 14 days of expiry: exactly one warning over the three cycles", async () => {
    const seen = cycles.map((c) => of(c, "expiring.lab.test"));
    const warned = seen.flatMap((s) => s.detections).filter((d) => d.kind === "certificate_expiring");
    expect(warned.map((d) => [d.step, d.thresholdDays])).toEqual([
      ["warned", 14],
      ["ongoing", 14],
      ["ongoing", 14],
    ]);
    const store = await openStore(db);
    try {
      const incidents = await (await IncidentStore.open(store)).list({ domain: "expiring.lab.test" });
      expect(incidents.map((i) => [i.kind, i.state, i.thresholds])).toEqual([
        ["certificate_expiring", "open", [14]],
      ]);
    } finally {
      await store.close();
    }
  });
});
