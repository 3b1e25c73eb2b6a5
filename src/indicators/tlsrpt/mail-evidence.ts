/**
 * From a report mail's DKIM verification to the evidence of who sent it (reporter.ts) and the
 * warnings stored with the report. RFC 8460 §3 requires report mails to be DKIM-signed; the report
 * is data either way, so a mail that fails is stored, never refused, but what it claims is not
 * taken on trust:
 *
 *  - a signature that passed names its `d=` (`dkim`), unless what it signed does not cover the whole
 *    body (`l=` shorter than the body: a report part may have been added after it) or its key is in
 *    testing mode (RFC 6376 §3.6.1 t=y: "treat … as unsigned"); those are warned `dkim-weak`;
 *  - no signature passed: warned `dkim-fail`, and when a signature of the From domain itself failed
 *    its check, the From domain is not used either (that is what a forged or altered mail looks like);
 *  - verification could not conclude (DNS did not answer, or no resolver was given): the last hop's
 *    Authentication-Results `dkim=pass` is taken instead, only for domains that signed the mail and
 *    we could not check, and warned `dkim-unverified`;
 *  - not signed at all: warned `dkim-none`.
 * Pure.
 */
import type { DkimVerification, SignatureVerdict } from "./dkim-verify.js";
import type { Warning } from "./outcome.js";
import { authenticationResultsDomains, fromDomain, hostName, type MailDomain } from "./reporter.js";

export interface SenderEvidence {
  readonly mailDomains: readonly MailDomain[];
  readonly warnings: readonly Warning[];
}

type Fields = readonly { readonly name: string; readonly value: string }[];

const within = (domain: string, parent: string) => domain === parent || domain.endsWith(`.${parent}`);
const label = (s: SignatureVerdict) =>
  `d=${s.domain ?? "?"} s=${s.selector ?? "?"}: ${s.result}${s.reason ? ` (${s.reason})` : ""} — ${s.detail}`;
const warning = (code: Warning["code"], detail: string): Warning => ({ code, path: "", detail });

/**
 * The evidence of a mail. `verification` null: it could not run at all (no resolver at this door).
 */
export function senderEvidence(fields: Fields, verification: DkimVerification | null): SenderEvidence {
  const from = fromDomain(fields);
  const lastHop = authenticationResultsDomains(fields);
  if (verification === null) {
    const domains: MailDomain[] = lastHop.map((domain) => ({ domain, how: "authentication-results" }));
    return {
      mailDomains: from ? [...domains, { domain: from, how: "from" }] : domains,
      warnings: [
        warning(
          "dkim-unverified",
          `DKIM not verified here (no DNS resolver); ${lastHop.length > 0 ? `the last hop's Authentication-Results (dkim=pass ${lastHop.join(", ")}) used instead` : "and no Authentication-Results of the last hop says dkim=pass"}`,
        ),
      ],
    };
  }
  const { signatures } = verification;
  if (signatures.length === 0)
    return {
      mailDomains: from ? [{ domain: from, how: "from" }] : [],
      warnings: [
        warning("dkim-none", "the mail is not DKIM-signed (RFC 8460 §3 requires report mails to be)"),
      ],
    };

  const warnings: Warning[] = [];
  const domains: MailDomain[] = [];
  const add = (domain: string | null, how: MailDomain["how"]) => {
    const host = domain === null ? null : hostName(domain);
    if (host && !domains.some((d) => d.domain === host)) domains.push({ domain: host, how });
  };
  const passed = signatures.filter((s) => s.result === "pass");
  const trusted = passed.filter(
    (s) => !s.weaknesses.includes("unsigned-body") && !s.weaknesses.includes("testing-key"),
  );
  for (const s of trusted) add(s.domain, "dkim");
  const weak = passed.filter((s) => s.weaknesses.length > 0);
  if (weak.length > 0)
    warnings.push(
      warning(
        "dkim-weak",
        weak
          .map(
            (s) =>
              `d=${s.domain}: ${s.weaknesses.join(", ")}${trusted.includes(s) ? "" : " — not taken as the sender's signature"}`,
          )
          .join("; "),
      ),
    );

  let keepFrom = true;
  if (trusted.length === 0) {
    const unverified = signatures.filter((s) => s.result === "temperror");
    const refused = signatures.filter((s) => s.result !== "pass" && s.result !== "temperror");
    if (unverified.length > 0) {
      // Only what we could not check ourselves, and only for a domain that signed this mail.
      const fallback = lastHop.filter((d) =>
        unverified.some((s) => s.domain !== null && within(d, s.domain)),
      );
      for (const d of fallback) add(d, "authentication-results");
      warnings.push(
        warning(
          "dkim-unverified",
          `${unverified.map(label).join("; ")}; ${fallback.length > 0 ? `the last hop's Authentication-Results (dkim=pass ${fallback.join(", ")}) used instead` : "no Authentication-Results of the last hop vouches for it"}`,
        ),
      );
    }
    if (refused.length > 0 || verification.notVerified > 0) {
      keepFrom = !(
        from !== null &&
        refused.some((s) => s.result === "fail" && s.domain !== null && within(from, s.domain))
      );
      const beyond =
        verification.notVerified > 0
          ? `; ${verification.notVerified} more signature(s) past the cap not verified`
          : "";
      warnings.push(
        warning(
          "dkim-fail",
          `no DKIM signature verified: ${refused.map(label).join("; ")}${beyond}${keepFrom ? "" : `; the From domain ${from} is not taken as evidence either`}`,
        ),
      );
    }
  }
  if (from && keepFrom) add(from, "from");
  return { mailDomains: domains, warnings };
}
