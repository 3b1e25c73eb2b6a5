/**
 * webmail.session — charter annex §1.2: protection against session theft — HSTS (RFC 6797), session
 * cookies `Secure` + `HttpOnly` + `SameSite` (RFC 6265bis), no session id in URLs, framing refused
 * (CSP frame-ancestors or X-Frame-Options, RFC 7034). Guides: OWASP session management and HTTP
 * headers cheat sheets, ANSSI PA-009 R2/R17/R18/R26–R33 (docs/standards.md §2, §3). A webmail that answers
 * only in plain HTTP is judged on what it sent: its cookies travel in clear, so it fails.
 */
import { type Evidence, evidence, type Finding, finding } from "../findings/evidence.js";
import type { HttpHop } from "../probe/http-fetch.js";
import { webmailJudgement } from "./access-endpoints.js";
import type { WebmailFetch } from "./audit-facts.js";
import type { Measure } from "./measure.js";
import { answersInClear, webmailWords } from "./webmail-https.js";

/** ANSSI PA-009 R2: one year; below six months Mozilla Observatory already penalises. */
const hstsGood = 31_536_000;
const hstsMinimum = 15_768_000;

const sessionName = /sess|sid|token|auth|jsession|phpsessid|roundcube|sogo|zimbra/i;
const sessionInUrl = /[?&;](jsessionid|phpsessid|sid|session|sessionid|_session)=/i;

const header = (hop: HttpHop | undefined, name: string) => hop?.headers.find((h) => h.name === name)?.value;

function judgeFetch(fetch: WebmailFetch): Evidence[] {
  const out: Evidence[] = [];
  const add = (f: Finding) => out.push(evidence(fetch.host, f));
  const httpsHops = fetch.fromHttps.hops.filter((h) => h.status !== null);
  const inClear = httpsHops.length === 0 && answersInClear(fetch);
  const last =
    httpsHops.at(-1) ?? (inClear ? fetch.fromHttp.hops.filter((h) => h.status !== null).at(-1) : undefined);
  if (!last) return [evidence(fetch.host, finding("error", "webmail.no-https-response"))];
  if (inClear)
    add(finding("fail", "webmail.https-only-plain", { host: fetch.host, message: "no HTTPS response" }));
  const hsts = inClear ? undefined : header(last, "strict-transport-security");
  const maxAge = Number(/max-age\s*=\s*"?(\d+)/i.exec(hsts ?? "")?.[1] ?? Number.NaN);
  if (!hsts || Number.isNaN(maxAge)) add(finding("fail", "webmail.hsts-missing"));
  else if (maxAge < hstsMinimum) add(finding("fail", "webmail.hsts-short", { maxAge }));
  else {
    // ANSSI PA-009 R2: max-age of a year and includeSubDomains.
    const subdomains = /includesubdomains/i.test(hsts);
    add(
      finding(maxAge >= hstsGood && subdomains ? "pass" : "warn", "webmail.hsts", {
        header: hsts,
        subdomains,
      }),
    );
  }
  for (const [clear, hops] of [
    [false, fetch.fromHttps.hops],
    [true, fetch.fromHttp.hops],
  ] as const) {
    for (const cookie of hops.flatMap((h) => h.cookies)) {
      const a = cookie.attributes;
      const session = sessionName.test(cookie.name);
      const missing = [
        ...(a.secure ? [] : ["Secure"]),
        ...(a.httponly || !session ? [] : ["HttpOnly"]),
        ...(typeof a.samesite === "string" && /^(strict|lax)$/i.test(a.samesite)
          ? []
          : session
            ? ["SameSite=Lax|Strict"]
            : []),
      ];
      if (missing.length > 0)
        add(finding("fail", "webmail.cookie-lacks", { name: cookie.name, flags: missing }));
      else add(finding("pass", "webmail.cookie-ok", { name: cookie.name }));
      // A webmail in plain HTTP only: its session cookie travels in clear, whatever its flags. (A
      // Secure cookie on an http:// redirect to HTTPS is dropped by browsers, RFC 6265bis §5.7.)
      if (clear && inClear && session) add(finding("fail", "webmail.cookie-in-clear", { name: cookie.name }));
    }
  }
  const leaking = [...fetch.fromHttps.hops, ...fetch.fromHttp.hops]
    .map((h) => h.url)
    .filter((u) => sessionInUrl.test(u));
  if (leaking[0]) add(finding("fail", "webmail.session-in-url", { url: leaking[0] }));
  const csp = header(last, "content-security-policy") ?? "";
  const xfo = header(last, "x-frame-options");
  if (/frame-ancestors/i.test(csp))
    add(finding("pass", "webmail.framing-refused", { by: "CSP frame-ancestors" }));
  else if (xfo && /^(deny|sameorigin)$/i.test(xfo))
    add(finding("pass", "webmail.framing-refused", { by: `X-Frame-Options ${xfo}` }));
  else add(finding("fail", "webmail.framing-allowed"));
  return out;
}

export const webmailSession: Measure = {
  id: "webmail.session",
  ref: "§1.2",
  charter: true,
  title: { fr: "Protection de la session webmail", en: "Webmail session protection" },
  words: webmailWords,
  judge: (facts) => webmailJudgement(facts, facts.webmail.flatMap(judgeFetch)),
};
