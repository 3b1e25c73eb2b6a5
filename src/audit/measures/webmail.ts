/**
 * Charter annex §1.2: the webmail. From `http://` and `https://` of each webmail host, the redirect
 * chains are followed (httpFetch, guarded) and the login page is read: HTTPS for the form, its action
 * and its resources; HSTS; cookie flags; no session id in URLs; framing refused (docs/standards.md §3: OWASP
 * session management and HTTP headers cheat sheets, ANSSI PA-009 R2/R17/R18/R26–R33).
 */
import type { HttpFetchResult, HttpHop } from "../probe/http-fetch.js";
import { findLoginForm, plainHttpReferences } from "../web/login-page.js";
import { charterMeasure, type Evidence, type MeasureResult, type MeasureStatus } from "./measure.js";

export interface WebmailFetch {
  readonly host: string;
  readonly fromHttp: HttpFetchResult;
  readonly fromHttps: HttpFetchResult;
}

/** ANSSI PA-009 R2: one year; below six months Mozilla Observatory already penalises. */
const hstsGood = 31_536_000;
const hstsMinimum = 15_768_000;

const sessionName = /sess|sid|token|auth|jsession|phpsessid|roundcube|sogo|zimbra/i;
const sessionInUrl = /[?&;](jsessionid|phpsessid|sid|session|sessionid|_session)=/i;

export { findLoginForm, plainHttpReferences };

const header = (hop: HttpHop | undefined, name: string) => hop?.headers.find((h) => h.name === name)?.value;

function https(fetch: WebmailFetch): Evidence[] {
  const out: Evidence[] = [];
  const at = (status: MeasureStatus, observed: string): Evidence => ({
    endpoint: fetch.host,
    status,
    observed,
  });
  const httpChain = fetch.fromHttp.hops;
  if (httpChain.length > 0 && httpChain[0]?.status !== null) {
    const final = fetch.fromHttp.finalUrl;
    if (!final.startsWith("https://"))
      out.push(at("fail", `http://${fetch.host}/ does not redirect to HTTPS (ends at ${final})`));
    else out.push(at("pass", `http:// redirects to ${final}`));
  }
  const page = fetch.fromHttps;
  const last = page.hops.at(-1);
  if (!last || last.error || last.status === null) {
    out.push(at("error", `https://${fetch.host}/: ${last?.error?.message ?? "no answer"}`));
    return out;
  }
  if (!page.finalUrl.startsWith("https://"))
    out.push(at("fail", `the HTTPS page redirects to ${page.finalUrl}`));
  const form = page.body ? findLoginForm(page.body, page.finalUrl) : null;
  if (!form) out.push(at("warn", `no login form found at ${page.finalUrl}`));
  else if (!form.action.startsWith("https://"))
    out.push(at("fail", `the login form posts to ${form.action}`));
  else out.push(at("pass", `login form at ${page.finalUrl} posts to ${form.action}`));
  const plain = page.body ? plainHttpReferences(page.body) : [];
  if (plain.length > 0)
    out.push(at("fail", `plain-http links or resources: ${plain.slice(0, 3).join(", ")}`));
  return out;
}

function session(fetch: WebmailFetch): Evidence[] {
  const out: Evidence[] = [];
  const at = (status: MeasureStatus, observed: string): Evidence => ({
    endpoint: fetch.host,
    status,
    observed,
  });
  const hops = fetch.fromHttps.hops.filter((h) => h.status !== null);
  const last = hops.at(-1);
  if (!last) return [at("error", "no HTTPS response")];
  const hsts = header(last, "strict-transport-security");
  const maxAge = Number(/max-age\s*=\s*"?(\d+)/i.exec(hsts ?? "")?.[1] ?? Number.NaN);
  if (!hsts || Number.isNaN(maxAge)) out.push(at("fail", "no Strict-Transport-Security header"));
  else if (maxAge < hstsMinimum) out.push(at("fail", `HSTS max-age ${maxAge} s is below six months`));
  else {
    // ANSSI PA-009 R2: max-age of a year and includeSubDomains.
    const whole = /includesubdomains/i.test(hsts);
    out.push(
      at(
        maxAge >= hstsGood && whole ? "pass" : "warn",
        `HSTS: ${hsts}${whole ? "" : " (without includeSubDomains)"}`,
      ),
    );
  }
  const cookies = [...fetch.fromHttps.hops, ...fetch.fromHttp.hops].flatMap((h) => h.cookies);
  for (const cookie of cookies) {
    const a = cookie.attributes;
    const missing = [
      ...(a.secure ? [] : ["Secure"]),
      ...(a.httponly || !sessionName.test(cookie.name) ? [] : ["HttpOnly"]),
      ...(typeof a.samesite === "string" && /^(strict|lax)$/i.test(a.samesite)
        ? []
        : sessionName.test(cookie.name)
          ? ["SameSite=Lax|Strict"]
          : []),
    ];
    out.push(
      at(
        missing.length ? "fail" : "pass",
        `cookie ${cookie.name}${missing.length ? ` lacks ${missing.join(", ")}` : ": flags set"}`,
      ),
    );
  }
  const urls = [...fetch.fromHttps.hops, ...fetch.fromHttp.hops].map((h) => h.url);
  const leaking = urls.filter((u) => sessionInUrl.test(u));
  if (leaking.length > 0) out.push(at("fail", `session id in a URL: ${leaking[0]}`));
  const csp = header(last, "content-security-policy") ?? "";
  const xfo = header(last, "x-frame-options");
  if (/frame-ancestors/i.test(csp) || (xfo && /^(deny|sameorigin)$/i.test(xfo))) {
    out.push(
      at(
        "pass",
        `framing refused (${/frame-ancestors/i.test(csp) ? "CSP frame-ancestors" : `X-Frame-Options ${xfo}`})`,
      ),
    );
  } else {
    out.push(at("fail", "framing allowed: no CSP frame-ancestors nor X-Frame-Options"));
  }
  return out;
}

const webmailWords = {
  warn: { fr: "à vérifier", en: "to check" },
  not_applicable: { fr: "aucun webmail trouvé", en: "no webmail found" },
};

export function webmailMeasures(fetches: readonly WebmailFetch[]): MeasureResult[] {
  return [
    charterMeasure(
      "webmail.https",
      "§1.2",
      { fr: "Webmail en HTTPS", en: "Webmail over HTTPS" },
      fetches.flatMap(https),
      {
        words: webmailWords,
      },
    ),
    charterMeasure(
      "webmail.session",
      "§1.2",
      { fr: "Protection de la session webmail", en: "Webmail session protection" },
      fetches.flatMap(session),
      { words: webmailWords },
    ),
  ];
}
