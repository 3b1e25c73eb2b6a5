/** Evidence about one probed endpoint, and what "not reached" means for the measures. */
import type { DnsAnswer } from "../../net/resolver.js";
import { endpointLabel } from "../findings/endpoint-label.js";
import { type Evidence, evidence, type Finding, finding } from "../findings/evidence.js";
import type { EndpointReport } from "../probe/endpoint.js";

/** One piece of evidence about one probed endpoint. */
export const at = (e: EndpointReport, f: Finding): Evidence => evidence(endpointLabel(e), f);

/** The endpoint could not be reached at all (DNS or TCP) or was throttled before any answer. */
export const unreached = (e: EndpointReport) =>
  e.error !== null &&
  (e.error.step === "dns" || e.error.step === "connect" || e.error.reason === "throttled");

/** Endpoints we could not reach make a measure undeterminable, never passing. */
export function reachOrError(e: EndpointReport): Evidence | null {
  if (!unreached(e)) return null;
  return at(
    e,
    finding("error", "probe.unreached", {
      step: e.error?.step ?? "",
      reason: e.error?.reason ?? "",
      message: e.error?.message ?? "",
    }),
  );
}

/** A DNS answer that proves nothing either way: SERVFAIL (bogus DNSSEC included), timeout, refused. */
export const lookupFailed = <T>(answer: DnsAnswer<T>): boolean =>
  !answer.ok && answer.reason !== "no_data" && answer.reason !== "not_found";

/** Evidence that a lookup failed: the measure is `error`, never `not_applicable` nor `fail`. */
export function dnsFailed<T>(name: string, answer: DnsAnswer<T>): Evidence {
  return evidence(
    name,
    finding("error", "dns.failed", answer.ok ? {} : { reason: answer.reason, message: answer.message }),
  );
}
