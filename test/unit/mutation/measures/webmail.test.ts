/**
 * webmail.https and webmail.session (charter annex §1.2) on their failing side: no redirect to
 * HTTPS, a login form posting in clear, mixed content, leaving HTTPS, HSTS missing, short or without
 * subdomains, cookies without their flags, a session id in a URL, framing allowed — and what passes.
 */
import { describe, expect, it } from "vitest";
import type { WebmailFetch } from "../../../../src/audit/measures/audit-facts.js";
import type { HttpFetchResult, HttpHop } from "../../../../src/audit/probe/http-fetch.js";
import { judged } from "../../measures/facts.js";

const hop = (url: string, partial: Partial<HttpHop> = {}): HttpHop => ({
  url,
  address: "192.0.2.80",
  status: 200,
  headers: [],
  cookies: [],
  location: null,
  tls: null,
  certificate: null,
  error: null,
  ...partial,
});
const chain = (hops: HttpHop[], body: string | null = null): HttpFetchResult => ({
  hops,
  body,
  finalUrl: hops.at(-1)?.url ?? "",
  stopped: null,
  truncated: false,
});

const form = '<form method="post" action="/login"><input name="u"><input type="password" name="p"></form>';
const hsts = { name: "strict-transport-security", value: "max-age=31536000; includeSubDomains" };
const framing = { name: "content-security-policy", value: "default-src 'self'; frame-ancestors 'none'" };
const goodCookie = {
  name: "roundcube_sessid",
  value: "x",
  attributes: { secure: true, httponly: true, samesite: "Lax" } as Record<string, string | true>,
};

/** A well-configured webmail; each test breaks one thing. */
function webmail(
  change: {
    http?: HttpFetchResult;
    https?: HttpFetchResult;
    headers?: HttpHop["headers"];
    cookies?: HttpHop["cookies"];
    body?: string | null;
    url?: string;
  } = {},
): WebmailFetch {
  const url = change.url ?? "https://webmail.example.org/";
  return {
    host: "webmail.example.org",
    fromHttp:
      change.http ??
      chain([
        hop("http://webmail.example.org/", { status: 301, location: "https://webmail.example.org/" }),
        hop("https://webmail.example.org/", { headers: [hsts, framing] }),
      ]),
    fromHttps:
      change.https ??
      chain(
        [hop(url, { headers: change.headers ?? [hsts, framing], cookies: change.cookies ?? [goodCookie] })],
        change.body === undefined ? form : change.body,
      ),
  };
}

const https = (w: WebmailFetch) => judged("webmail.https", { webmail: [w] });
const session = (w: WebmailFetch) => judged("webmail.session", { webmail: [w] });
const codes = (m: ReturnType<typeof judged>) => m.evidence.map((e) => `${e.status} ${e.code}`);

describe("webmail.https", () => {
  it("a well-configured webmail passes: redirect to HTTPS, form posting to HTTPS", () => {
    const m = https(webmail());
    expect(m.status).toBe("pass");
    expect(codes(m)).toEqual(["pass webmail.redirects", "pass webmail.form-https"]);
    expect(m.evidence[1]?.values).toEqual({
      url: "https://webmail.example.org/",
      action: "https://webmail.example.org/login",
    });
  });
  it("plain HTTP that does not redirect to HTTPS fails", () => {
    const m = https(webmail({ http: chain([hop("http://webmail.example.org/")], form) }));
    expect(m.status).toBe("fail");
    expect(m.evidence[0]).toMatchObject({
      endpoint: "webmail.example.org",
      code: "webmail.no-redirect",
      values: { host: "webmail.example.org", url: "http://webmail.example.org/" },
    });
  });
  it("nothing on port 80 is no finding", () => {
    const m = https(webmail({ http: chain([]) }));
    expect(codes(m)).toEqual(["pass webmail.form-https"]);
    const refused = https(
      webmail({
        http: chain([
          hop("http://webmail.example.org/", {
            status: null,
            error: { step: "connect", reason: "refused", message: "refused" },
          }),
        ]),
      }),
    );
    expect(codes(refused)).toEqual(["pass webmail.form-https"]);
  });
  it("a form posting to http:// fails; a page without a form is to check", () => {
    const plainForm = https(
      webmail({ body: '<form action="http://webmail.example.org/login"><input type=password></form>' }),
    );
    expect(plainForm.status).toBe("fail");
    expect(plainForm.evidence.find((e) => e.code === "webmail.form-plain")).toMatchObject({
      code: "webmail.form-plain",
      values: { action: "http://webmail.example.org/login" },
    });
    const noForm = https(webmail({ body: "<p>hello</p>" }));
    expect(noForm.status).toBe("warn");
    expect(noForm.summary.en).toBe("Webmail over HTTPS: to check");
    expect(codes(https(webmail({ body: null })))).toContain("warn webmail.no-form");
  });
  it("the HTTPS chain ending on http:// fails", () => {
    const m = https(webmail({ url: "http://webmail.example.org/login" }));
    expect(m.status).toBe("fail");
    expect(codes(m)).toContain("fail webmail.leaves-https");
  });
  it("plain-http resources on the login page fail (at most three listed)", () => {
    const body = `${form}${[1, 2, 3, 4].map((i) => `<script src="http://cdn.example/${i}.js"></script>`).join("")}`;
    const m = https(webmail({ body }));
    expect(m.status).toBe("fail");
    expect(m.evidence.at(-1)).toMatchObject({
      code: "webmail.mixed-content",
      values: { urls: ["http://cdn.example/1.js", "http://cdn.example/2.js", "http://cdn.example/3.js"] },
    });
  });
  it("no HTTPS answer: error, or fail when the webmail answers in clear", () => {
    const down = chain([
      hop("https://webmail.example.org/", {
        status: null,
        error: { step: "connect", reason: "refused", message: "refused" },
      }),
    ]);
    const unknown = https(webmail({ http: chain([]), https: down }));
    expect(unknown.status).toBe("error");
    expect(unknown.evidence[0]).toMatchObject({
      code: "webmail.https-failed",
      values: { message: "refused" },
    });
    const clear = https(webmail({ http: chain([hop("http://webmail.example.org/")], form), https: down }));
    expect(clear.status).toBe("fail");
    expect(codes(clear)).toEqual(["fail webmail.no-redirect", "fail webmail.https-only-plain"]);
    expect(https(webmail({ https: chain([]) })).evidence.at(-1)).toMatchObject({
      code: "webmail.https-failed",
      values: { message: "no answer" },
    });
  });
  it("no webmail: not applicable, said so; a failed webmail. lookup: error", () => {
    const none = judged("webmail.https", { webmail: [] });
    expect(none.status).toBe("not_applicable");
    expect(none.summary.en).toBe("Webmail over HTTPS: no webmail found");
    const failed = judged("webmail.https", {
      lookupFailures: [{ name: "webmail.example.org", reason: "timeout", message: "timed out" }],
    });
    expect(failed.status).toBe("error");
    expect(
      judged("webmail.session", {
        lookupFailures: [{ name: "imap.example.org", reason: "timeout", message: "t" }],
      }).status,
    ).toBe("not_applicable");
  });
});

describe("webmail.session", () => {
  it("HSTS of a year with subdomains, flagged cookies, framing refused: pass", () => {
    const m = session(webmail());
    expect(m.status).toBe("pass");
    expect(codes(m)).toEqual(["pass webmail.hsts", "pass webmail.cookie-ok", "pass webmail.framing-refused"]);
    expect(m.evidence[0]?.values).toEqual({ header: hsts.value, subdomains: true });
    expect(m.evidence[2]?.values).toEqual({ by: "CSP frame-ancestors" });
  });
  it("HSTS missing, unreadable, shorter than six months: fail; under a year or without subdomains: warn", () => {
    const h = (value: string | null) =>
      session(
        webmail({
          headers: value === null ? [framing] : [{ name: "strict-transport-security", value }, framing],
        }),
      );
    expect(codes(h(null))[0]).toBe("fail webmail.hsts-missing");
    expect(codes(h("includeSubDomains"))[0]).toBe("fail webmail.hsts-missing");
    expect(h("max-age=15767999").evidence[0]).toMatchObject({
      status: "fail",
      code: "webmail.hsts-short",
      values: { maxAge: 15767999 },
    });
    expect(h("max-age=15768000; includeSubDomains").evidence[0]?.status).toBe("warn");
    expect(h("max-age=31535999; includeSubDomains").evidence[0]?.status).toBe("warn");
    expect(h("max-age=31536000").evidence[0]).toMatchObject({
      status: "warn",
      values: { subdomains: false },
    });
    expect(h('MAX-AGE = "63072000"; INCLUDESUBDOMAINS').evidence[0]?.status).toBe("pass");
  });
  it("each missing cookie flag is named; a non-session cookie needs only Secure", () => {
    const cookie = (name: string, attributes: Record<string, string | true>) => ({
      name,
      value: "v",
      attributes,
    });
    const m = session(
      webmail({
        cookies: [
          cookie("PHPSESSID", {}),
          cookie("sid", { secure: true, httponly: true, samesite: "None" }),
          cookie("lang", {}),
          cookie("theme", { secure: true }),
          cookie("SOGo", { secure: true, httponly: true, samesite: "strict" }),
        ],
      }),
    );
    expect(m.status).toBe("fail");
    expect(
      m.evidence.filter((e) => e.code.startsWith("webmail.cookie")).map((e) => [e.code, e.values]),
    ).toEqual([
      ["webmail.cookie-lacks", { name: "PHPSESSID", flags: ["Secure", "HttpOnly", "SameSite=Lax|Strict"] }],
      ["webmail.cookie-lacks", { name: "sid", flags: ["SameSite=Lax|Strict"] }],
      ["webmail.cookie-lacks", { name: "lang", flags: ["Secure"] }],
      ["webmail.cookie-ok", { name: "theme" }],
      ["webmail.cookie-ok", { name: "SOGo" }],
    ]);
  });
  it("a cookie set on the plain-HTTP redirect is judged too, but is not 'in clear' when HTTPS answers", () => {
    const w = webmail({
      http: chain([
        hop("http://webmail.example.org/", {
          status: 302,
          location: "https://webmail.example.org/",
          cookies: [
            {
              name: "roundcube_sessid",
              value: "x",
              attributes: { secure: true, httponly: true, samesite: "Lax" },
            },
          ],
        }),
        hop("https://webmail.example.org/"),
      ]),
    });
    const m = session(w);
    expect(codes(m)).not.toContain("fail webmail.cookie-in-clear");
    expect(codes(m).filter((c) => c === "pass webmail.cookie-ok")).toHaveLength(1);
  });
  it("a webmail in plain HTTP only fails: no HSTS can apply, its session cookie travels in clear", () => {
    const down = chain([
      hop("https://webmail.example.org/", {
        status: null,
        error: { step: "connect", reason: "refused", message: "refused" },
      }),
    ]);
    const plain = chain(
      [
        hop("http://webmail.example.org/", {
          headers: [hsts, framing],
          cookies: [
            { name: "roundcube_sessid", value: "x", attributes: { httponly: true, samesite: "Lax" } },
            { name: "lang", value: "fr", attributes: {} },
          ],
        }),
      ],
      form,
    );
    const m = session(webmail({ http: plain, https: down }));
    expect(m.status).toBe("fail");
    expect(codes(m)).toEqual([
      "fail webmail.https-only-plain",
      "fail webmail.hsts-missing",
      "fail webmail.cookie-lacks",
      "fail webmail.cookie-in-clear",
      "fail webmail.cookie-lacks",
      "pass webmail.framing-refused",
    ]);
    expect(m.evidence[0]?.values).toEqual({ host: "webmail.example.org", message: "no HTTPS response" });
  });
  it("no response at all is undetermined", () => {
    const down = chain([
      hop("https://webmail.example.org/", {
        status: null,
        error: { step: "connect", reason: "refused", message: "refused" },
      }),
    ]);
    const m = session(webmail({ http: chain([]), https: down }));
    expect(m.status).toBe("error");
    expect(codes(m)).toEqual(["error webmail.no-https-response"]);
  });
  it("a session id in a URL of either chain fails, naming the first", () => {
    const m = session(
      webmail({
        http: chain([
          hop("http://webmail.example.org/?x=1&PHPSESSID=abc", {
            status: 301,
            location: "https://webmail.example.org/",
          }),
          hop("https://webmail.example.org/"),
        ]),
        url: "https://webmail.example.org/;jsessionid=42",
      }),
    );
    expect(m.evidence.find((e) => e.code === "webmail.session-in-url")?.values).toEqual({
      url: "https://webmail.example.org/;jsessionid=42",
    });
    expect(codes(session(webmail({ url: "https://webmail.example.org/?sessionid=1" })))).toContain(
      "fail webmail.session-in-url",
    );
    expect(codes(session(webmail({ url: "https://webmail.example.org/?mysid=1" })))).not.toContain(
      "fail webmail.session-in-url",
    );
  });
  it("framing: X-Frame-Options DENY or SAMEORIGIN refuses it, ALLOW-FROM and nothing allow it", () => {
    const x = (value: string | null) =>
      session(
        webmail({ headers: value === null ? [hsts] : [hsts, { name: "x-frame-options", value }] }),
      ).evidence.at(-1);
    expect(x("DENY")).toMatchObject({ status: "pass", values: { by: "X-Frame-Options DENY" } });
    expect(x("sameorigin")).toMatchObject({ status: "pass", values: { by: "X-Frame-Options sameorigin" } });
    expect(x("ALLOW-FROM https://x/")).toMatchObject({ status: "fail", code: "webmail.framing-allowed" });
    expect(x(null)).toMatchObject({ status: "fail", code: "webmail.framing-allowed" });
    const cspWithout = session(
      webmail({ headers: [hsts, { name: "content-security-policy", value: "default-src 'self'" }] }),
    );
    expect(cspWithout.evidence.at(-1)?.code).toBe("webmail.framing-allowed");
  });
  it("headers are read from the last HTTPS response", () => {
    const w = webmail({
      https: chain([
        hop("https://webmail.example.org/", { status: 302, location: "/login", headers: [] }),
        hop("https://webmail.example.org/login", { headers: [hsts, framing], cookies: [goodCookie] }),
      ]),
    });
    expect(session(w).status).toBe("pass");
  });
});
