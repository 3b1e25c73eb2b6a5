/**
 * TLS-RPT out, one organisation and one UTC day, from its stored MTA log sessions to the outbox: the
 * reports of the day (generate.ts, one per recipient policy domain), each gzip-compressed under its
 * RFC 8460 §5.3 file name, optionally written to a directory, and queued for each `rua` of the
 * domain's TLSRPT record (RFC 8460 §3): `mailto:` as a DKIM-signed report mail, `https:` as a POST.
 * The report-id is stable for the day and domain and is the outbox's de-duplication key with the
 * destination, so running a day again queues nothing twice. Shared by `tlsrpt generate` and the
 * service's daily schedule (src/jobs/indicator-handlers.ts). The policies' strings are looked up
 * first (generate-policies.ts): with the caller's source, or by default over the resolver given,
 * public addresses only, the system's trust store, for the sessions the log typed `sts` or `tlsa`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { trustStore } from "../../audit/tls/trust-store.js";
import { errorMessage } from "../../core/errors.js";
import { limits } from "../../core/limits.js";
import { liveNetwork } from "../../net/network.js";
import type { Resolver } from "../../net/resolver.js";
import { enqueueOutgoing } from "../../notify/outbox.js";
import type { RegistryEntry } from "../../registry/repository.js";
import type { Store } from "../../store/database.js";
import { reportFileName } from "./file-name.js";
import { generateReports, reportJson } from "./generate.js";
import type { GenerateDocument } from "./generate-document.js";
import { type Applied, livePolicySource, type PolicySource, withPolicies } from "./generate-policies.js";
import { outboundSessions } from "./log-sessions.js";
import { discoverRua } from "./rua.js";
import { tlsrptGzipType } from "./wire.js";

export interface OutgoingOptions {
  readonly entry: RegistryEntry;
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  /** Look up each domain's rua and queue the reports (false: only build, and write with `out`). */
  readonly send: boolean;
  readonly resolver: Resolver;
  /** DKIM selector of report mails; `d=` is the organisation's first domain. */
  readonly dkimSelector: string;
  /** A directory to write each report to. */
  readonly out?: string;
  readonly now?: Date;
  /** Where the policies' strings come from, and which policies the MTA applies (`--applies`). */
  readonly policies?: { readonly source: PolicySource; readonly applied: Applied };
}

export interface OutgoingRun {
  readonly document: GenerateDocument;
  /** The outbox rows of this run's reports (queued now, or already there). */
  readonly outbox: readonly { readonly id: number; readonly status: "queued" | "duplicate" }[];
  /** Domains whose TLSRPT record could not be looked up (a DNS failure, not an absent record). */
  readonly dnsErrors: readonly string[];
}

/** The domain of report mails' `d=` and of `TLS-Report-Submitter`: the organisation's first domain. */
export const submitterOf = (entry: RegistryEntry) =>
  entry.signatory.domains[0]?.domain ?? entry.signatory.contact.split("@")[1] ?? "unknown";

export async function generateOutgoing(store: Store, options: OutgoingOptions): Promise<OutgoingRun> {
  const { entry, day } = options;
  const sender = submitterOf(entry);
  const logged = await outboundSessions(store, entry.id, day);
  const policies = options.policies ?? {
    source: livePolicySource(liveNetwork({ resolver: options.resolver, allowPrivate: false }), {
      stepTimeoutMs: limits.stepTimeoutMs,
      trustStore: trustStore(),
    }),
    applied: { dane: false, sts: false },
  };
  const { sessions, warnings } = await withPolicies(logged, policies.source, policies.applied);
  const reports = generateReports({
    organization: entry.signatory.name,
    contactInfo: entry.signatory.contact,
    day,
    sessions,
  });
  const document: GenerateDocument = {
    schema: "mailcharter/tlsrpt-generate/1",
    organization: entry.signatory.name,
    day,
    sessions: sessions.length,
    reports: [],
    warnings,
  };
  const outbox: { id: number; status: "queued" | "duplicate" }[] = [];
  const dnsErrors: string[] = [];
  for (const report of reports) {
    const policyDomain = report.policies[0]?.policy["policy-domain"] ?? "";
    const content = gzipSync(Buffer.from(reportJson(report)));
    const file = reportFileName(sender, report, { gzip: true });
    let path: string | null = null;
    if (options.out !== undefined) {
      path = join(options.out, file);
      writeFileSync(path, content);
    }
    const rua: string[] = [];
    let ruaError: string | null = null;
    const enqueued: GenerateDocument["reports"][number]["enqueued"] = [];
    if (options.send) {
      const record = await discoverRua(options.resolver, policyDomain, limits.stepTimeoutMs);
      if (!record.ok) {
        ruaError = `${record.reason}: ${record.detail}`;
        if (record.reason === "dns_error") dnsErrors.push(policyDomain);
      } else
        for (const uri of record.rua) {
          rua.push(uri.uri);
          try {
            const outcome = await enqueueOutgoing(
              store.db,
              {
                channel: uri.scheme === "mailto" ? "email" : "https",
                destination: uri.uri,
                content,
                contentType: tlsrptGzipType,
                dedupKey: `tlsrpt-out:${report["report-id"]}:${uri.uri}`,
                dkim: { domain: sender, selector: options.dkimSelector },
                report: { policyDomain, submitter: sender, reportId: report["report-id"], filename: file },
              },
              options.now,
            );
            outbox.push(outcome);
            enqueued.push({ destination: uri.uri, status: outcome.status, error: null });
          } catch (error) {
            enqueued.push({ destination: uri.uri, status: "error", error: errorMessage(error) });
          }
        }
    }
    const total = (key: "total-successful-session-count" | "total-failure-session-count") =>
      report.policies.reduce((n, p) => n + p.summary[key], 0);
    document.reports.push({
      policyDomain,
      reportId: report["report-id"],
      file,
      path,
      policies: report.policies.length,
      successful: total("total-successful-session-count"),
      failed: total("total-failure-session-count"),
      rua,
      ruaError,
      enqueued,
    });
  }
  return { document, outbox, dnsErrors };
}
