/** The certificate verdict of one endpoint as evidence (mx.certificate, access.certificate). */
import type { Evidence } from "../findings/evidence.js";
import { finding } from "../findings/evidence.js";
import type { EndpointReport } from "../probe/endpoint.js";
import { at } from "./endpoint-evidence.js";

export function certificateEvidence(e: EndpointReport): Evidence {
  const cert = e.tls?.certificate;
  if (!cert) return at(e, finding("error", "certificate.not-seen"));
  return at(
    e,
    finding(cert.status === "valid" ? "pass" : "fail", "certificate.judged", {
      status: cert.status,
      // The status is the first problem: the others are listed beside it.
      problems: cert.problems.filter((p) => p !== cert.status),
      subject: cert.subject,
      issuer: cert.issuer,
    }),
  );
}
