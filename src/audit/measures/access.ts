/**
 * Charter annex §1: user access links (webmail, IMAP, POP3, submission). Judged on the access
 * endpoints discovery found and that answered; an endpoint found only by a conventional name and that
 * does not answer is not a service and is left out.
 */
import type { EndpointReport } from "../probe/endpoint.js";
import type { Service } from "../probe/services.js";
import { charterMeasure, type Evidence, type MeasureResult, type Wording } from "./measure.js";
import { judgeRules } from "./mx.js";
import { evidenceAt, tlsFacts, unreached } from "./tls-facts.js";

export interface AccessEndpoint {
  readonly report: EndpointReport;
  /** Found by SRV or override (a declared service), not only by a conventional name. */
  readonly declared: boolean;
}

const ev = evidenceAt;

const result = (id: MeasureResult["id"], ref: string, what: Wording, evidence: Evidence[]): MeasureResult =>
  charterMeasure(id, ref, what, evidence, {
    words: { not_applicable: { fr: "aucun service d'accès trouvé", en: "no access service found" } },
  });

/** Endpoints that answered; declared ones that did not are errors. */
function answered(endpoints: readonly AccessEndpoint[]): { live: EndpointReport[]; missing: Evidence[] } {
  const live: EndpointReport[] = [];
  const missing: Evidence[] = [];
  for (const { report, declared } of endpoints) {
    if (!unreached(report)) live.push(report);
    else if (declared)
      missing.push(ev(report, "error", `declared but not reached: ${report.error?.message ?? ""}`));
  }
  return { live, missing };
}

const withTls = (live: readonly EndpointReport[]) =>
  live.filter((e) => e.tls !== null && e.tlsMode !== "none");

export function accessMeasures(endpoints: readonly AccessEndpoint[]): MeasureResult[] {
  const { live, missing } = answered(endpoints);
  const services = [...new Set(live.map((e) => e.service))];

  // §1.1: every access service reachable over TLS (implicit or STARTTLS).
  const tlsEvidence: Evidence[] = [...missing];
  for (const service of services) {
    const ofService = live.filter((e) => e.service === service);
    const secured = withTls(ofService);
    for (const e of ofService) {
      if (e.tls)
        tlsEvidence.push(
          ev(
            e,
            "pass",
            `${e.tlsMode === "implicit" ? "implicit TLS" : "STARTTLS"}: ${e.tls.negotiated?.version ?? "raw handshakes only"}`,
          ),
        );
      else if (e.tlsMode === "none" && service === "https")
        continue; // http:// is judged by webmail.https
      else
        tlsEvidence.push(
          ev(
            e,
            secured.length > 0 ? "warn" : "fail",
            `no TLS here (${e.error?.reason ?? "plaintext"})${secured.length > 0 ? "; TLS offered on another port" : ""}`,
          ),
        );
    }
  }

  const certificate = withTls(live).map((e) => {
    const cert = e.tls?.certificate;
    if (!cert) return ev(e, "error", "no certificate seen");
    return ev(
      e,
      cert.status === "valid" ? "pass" : "fail",
      `${cert.status}${cert.problems.length > 1 ? ` (${cert.problems.join(", ")})` : ""}: ${cert.subject}`,
    );
  });

  // The same rules as the charter-2015 profile (profiles.ts), judged per endpoint.
  const pfs = withTls(live).map((e) => {
    const judged = judgeRules(e, ["pfs"]);
    // "None seen" is only a failure when every suite was enumerated.
    return judged.status === "fail" && !tlsFacts(e)?.complete
      ? { ...judged, status: "error" as const }
      : judged;
  });

  const parameters = withTls(live).map((e) => judgeRules(e, ["no-ssl", "no-broken", "old-tls", "3des"]));

  // §1.3: implicit TLS for each protocol offered (993, 995, 465).
  const implicit: Evidence[] = [];
  for (const service of services.filter(
    (s): s is Exclude<Service, "https" | "smtp"> => s === "imap" || s === "pop3" || s === "submission",
  )) {
    const ofService = live.filter((e) => e.service === service);
    const good = ofService.find((e) => e.tlsMode === "implicit" && e.tls);
    const sample = good ?? ofService[0];
    if (!sample) continue;
    implicit.push(
      good
        ? ev(good, "pass", `implicit TLS for ${service}`)
        : ev(sample, "fail", `${service} offered without implicit TLS (RFC 8314: 993/995/465)`),
    );
  }

  // §1.3: where the STARTTLS ports answer, STARTTLS offered and no authentication before it.
  const starttls = live
    .filter((e) => e.tlsMode === "starttls" && e.service !== "smtp")
    .map((e) => {
      if (e.starttlsAdvertised !== true) return ev(e, "fail", "STARTTLS not offered");
      const facts = (e.dialogue?.facts ?? {}) as Record<string, unknown>;
      const authBefore = (facts.authBeforeTls as string[] | null | undefined) ?? [];
      const sasl = (facts.saslBeforeTls as string[] | null | undefined) ?? [];
      const userBefore = facts.userBeforeTls === true;
      const loginOk = e.service === "imap" ? facts.loginDisabledBeforeTls !== true : false;
      const offered = [
        ...authBefore,
        ...sasl,
        ...(userBefore ? ["USER"] : []),
        ...(loginOk ? ["LOGIN"] : []),
      ];
      if (offered.length > 0)
        return ev(e, "fail", `authentication accepted before TLS: ${offered.join(" ")}`);
      return ev(e, "pass", "STARTTLS offered, no authentication before it");
    });

  return [
    result(
      "access.tls",
      "§1.1",
      { fr: "Accès utilisateurs en TLS", en: "User access over TLS" },
      tlsEvidence,
    ),
    result(
      "access.certificate",
      "§1.1",
      { fr: "Certificats des accès utilisateurs", en: "User access certificates" },
      certificate,
    ),
    result("access.pfs", "§1.1", { fr: "Confidentialité persistante (PFS)", en: "Forward secrecy" }, pfs),
    result(
      "access.tls-parameters",
      "§1.1",
      { fr: "Paramètres TLS des accès", en: "TLS parameters of the access services" },
      parameters,
    ),
    result(
      "access.implicit-tls",
      "§1.3",
      { fr: "TLS implicite (993, 995, 465)", en: "Implicit TLS (993, 995, 465)" },
      implicit,
    ),
    result(
      "access.starttls",
      "§1.3",
      { fr: "STARTTLS avant authentification", en: "STARTTLS before authentication" },
      starttls,
    ),
  ];
}
