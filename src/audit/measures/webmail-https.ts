/**
 * webmail.https — charter annex §1.2: the login form and the pages of the session are served over
 * HTTPS; plain HTTP redirects to HTTPS; the form posts to HTTPS. From `http://` and `https://` of
 * each webmail host, the redirect chains are followed (httpFetch, guarded) and the login page read.
 */
import { type Evidence, evidence, type Finding, finding } from "../findings/evidence.js";
import { findLoginForm, plainHttpReferences } from "../web/login-page.js";
import { webmailJudgement } from "./access-endpoints.js";
import type { WebmailFetch } from "./audit-facts.js";
import type { Measure } from "./measure.js";

export const webmailWords = {
  warn: { fr: "à vérifier", en: "to check" },
  not_applicable: { fr: "aucun webmail trouvé", en: "no webmail found" },
};

/** A plain-HTTP response was read (the webmail answers in clear). */
export const answersInClear = (fetch: WebmailFetch) =>
  fetch.fromHttp.hops.some((h) => h.status !== null) && !fetch.fromHttp.finalUrl.startsWith("https://");

function judgeFetch(fetch: WebmailFetch): Evidence[] {
  const out: Evidence[] = [];
  const add = (f: Finding) => out.push(evidence(fetch.host, f));
  const httpChain = fetch.fromHttp.hops;
  if (httpChain.length > 0 && httpChain[0]?.status !== null) {
    const final = fetch.fromHttp.finalUrl;
    if (!final.startsWith("https://"))
      add(finding("fail", "webmail.no-redirect", { host: fetch.host, url: final }));
    else add(finding("pass", "webmail.redirects", { url: final }));
  }
  const page = fetch.fromHttps;
  const last = page.hops.at(-1);
  if (!last || last.error || last.status === null) {
    const message = last?.error?.message ?? "no answer";
    // What was observed fails: a webmail that answers only in clear is no HTTPS webmail.
    add(
      answersInClear(fetch)
        ? finding("fail", "webmail.https-only-plain", { host: fetch.host, message })
        : finding("error", "webmail.https-failed", { host: fetch.host, message }),
    );
    return out;
  }
  if (!page.finalUrl.startsWith("https://"))
    add(finding("fail", "webmail.leaves-https", { url: page.finalUrl }));
  const form = page.body ? findLoginForm(page.body, page.finalUrl) : null;
  if (!form) add(finding("warn", "webmail.no-form", { url: page.finalUrl }));
  else if (!form.action.startsWith("https://"))
    add(finding("fail", "webmail.form-plain", { action: form.action }));
  else add(finding("pass", "webmail.form-https", { url: page.finalUrl, action: form.action }));
  const plain = page.body ? plainHttpReferences(page.body) : [];
  if (plain.length > 0) add(finding("fail", "webmail.mixed-content", { urls: plain.slice(0, 3) }));
  return out;
}

export const webmailHttps: Measure = {
  id: "webmail.https",
  ref: "§1.2",
  charter: true,
  title: { fr: "Webmail en HTTPS", en: "Webmail over HTTPS" },
  words: webmailWords,
  judge: (facts) => webmailJudgement(facts, facts.webmail.flatMap(judgeFetch)),
};
