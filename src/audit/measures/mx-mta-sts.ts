/**
 * mx.mta-sts — beyond the 2015 text (RFC 8461): one `v=STSv1` TXT record at `_mta-sts.<domain>`
 * (§3.1), the policy fetched over HTTPS with a WebPKI-valid certificate, HTTP 200 and no redirect
 * (§3.3), well formed (§3.2), in `enforce` mode, covering every MX (§4.1).
 */
import { type Evidence, evidence, type Finding, finding } from "../findings/evidence.js";
import type { MeasureStatus } from "../findings/status.js";
import { dnsFailed, lookupFailed } from "./endpoint-evidence.js";
import type { Judgement, Measure, Wording } from "./measure.js";
import { parseStsPolicy, stsMatches } from "./mta-sts-policy.js";
import { recordsOf } from "./txt-records.js";

const summary = (fr: string, en: string): Wording => ({ fr: `MTA-STS : ${fr}`, en: `MTA-STS: ${en}` });

export const mxMtaSts: Measure = {
  id: "mx.mta-sts",
  ref: "RFC 8461",
  charter: false,
  title: { fr: "MTA-STS", en: "MTA-STS" },
  judge({ domain, dns, stsPolicy: policy, mx }): Judgement {
    const txtName = `_mta-sts.${domain}`;
    const url = `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
    const items: Evidence[] = [];
    const add = (where: string, f: Finding) => items.push(evidence(where, f));
    const done = (s: Wording, status?: MeasureStatus): Judgement => ({
      evidence: items,
      summary: s,
      ...(status ? { status } : {}),
    });
    if (lookupFailed(dns.mtaSts)) {
      items.push(dnsFailed(txtName, dns.mtaSts));
      return done(summary("indéterminé", "could not be determined"));
    }
    // RFC 8461 §3.1: records must start with "v=STSv1;"; exactly one.
    const found = recordsOf(dns.mtaSts, /^v=STSv1;/);
    if (found.length !== 1) {
      add(txtName, finding("fail", "sts.no-record", { records: found }));
      return done(summary("pas de politique", "no policy"));
    }
    add(txtName, finding("pass", "sts.record", { record: found[0] ?? "" }));
    const hop = policy?.hops[0];
    // RFC 8461 §3.3: HTTP 200 only, no redirects, a WebPKI-valid certificate.
    if (hop && !hop.error && hop.certificate !== null && hop.certificate !== "valid") {
      add(url, finding("fail", "sts.certificate", { status: hop.certificate }));
      return done(summary("certificat invalide", "invalid certificate"));
    }
    if (!policy || !hop || hop.error || hop.status !== 200 || policy.hops.length !== 1 || !policy.body) {
      if (hop?.error) add(url, finding("fail", "sts.fetch-failed", { message: hop.error.message }));
      else if (hop?.status)
        add(
          url,
          finding("fail", "sts.http-status", {
            status: hop.status,
            redirected: (policy?.hops.length ?? 0) > 1,
          }),
        );
      else add(url, finding("fail", "sts.fetch-failed", { message: "no answer" }));
      return done(summary("politique inaccessible", "policy not fetched"));
    }
    const parsed = parseStsPolicy(policy.body);
    if (parsed.version !== "STSv1" || !parsed.mode || parsed.maxAge === null || parsed.mx.length === 0) {
      add(url, finding("fail", "sts.invalid", { excerpt: policy.body.slice(0, 200) }));
      return done(summary("politique invalide", "invalid policy"));
    }
    const mxHosts = mx.hosts.map((h) => h.host);
    const unmatched = mxHosts.filter((h) => !parsed.mx.some((p) => stsMatches(p.toLowerCase(), h)));
    if (unmatched.length > 0) add(url, finding("fail", "sts.uncovered", { hosts: unmatched }));
    const modeStatus: MeasureStatus =
      parsed.mode === "enforce" ? "pass" : parsed.mode === "testing" ? "warn" : "fail";
    add(url, finding(modeStatus, "sts.policy", { mode: parsed.mode, maxAge: parsed.maxAge, mx: parsed.mx }));
    return done(summary(`mode ${parsed.mode}`, `mode ${parsed.mode}`));
  },
};
