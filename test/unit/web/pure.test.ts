import { describe, expect, it } from "vitest";
import { parseHostPort } from "../../../src/cli/serve-command.js";
import { redirectLocation } from "../../../src/web/http-redirect.js";
import { negotiateLang } from "../../../src/web/i18n.js";
import { homePage } from "../../../src/web/pages/home.js";
import { escapeHtml, html } from "../../../src/web/pages/html.js";
import type { PageContext } from "../../../src/web/pages/layout.js";
import { loginPage } from "../../../src/web/pages/login.js";
import { certificateNames, fingerprintOf } from "../../../src/web/tls-identity.js";

const ctx = (lang: "fr" | "en", viewer: PageContext["viewer"] = null): PageContext => ({
  lang,
  path: "/?x=1",
  viewer,
  csrfToken: viewer ? "tok" : null,
});

describe("pages", () => {
  it("escape every value", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(html`<p>${"<b>"}${html`<i>ok</i>`}</p>`.value).toBe("<p>&lt;b&gt;<i>ok</i></p>");
    const page = homePage(ctx("en"), {
      reach: null,
      login: { csrfToken: "t" },
      signatories: [
        {
          name: `Evil <script>alert(1)</script>`,
          adhesionDate: "2026-01-01",
          withdrawalEffectiveDate: null,
          domains: [
            { domain: "evil.example", latest: { verdict: "compliant", finishedAt: "2026-11-30T10:00:00Z" } },
          ],
        },
      ],
    });
    expect(page).not.toContain("<script>");
    expect(page).toContain("Evil &lt;script&gt;");
    expect(page).toContain('<span class="badge compliant">compliant</span>');
  });

  it("speak French or English from one catalogue, with a switch link to the other", () => {
    const fr = loginPage(ctx("fr"), { csrfToken: "t", email: "", notice: "idle" });
    const en = loginPage(ctx("en"), { csrfToken: "t", email: "", notice: "idle" });
    expect(fr).toContain('<html lang="fr">');
    expect(fr).toContain("Mot de passe");
    expect(fr).toContain('href="/?x=1&amp;lang=en"');
    expect(en).toContain("Password");
    expect(en).toContain("inactivity");
    expect(en).toContain('href="/?x=1&amp;lang=fr"');
  });

  it("have no inline script or style (the CSP has no 'unsafe-inline') and label every input", () => {
    const page = loginPage(ctx("en"), { csrfToken: "t", email: "a@b", notice: "failed" });
    const home = homePage(ctx("fr", { email: "a@b.example", role: "agency" }), {
      signatories: [],
      reach: { organisation: null, links: [{ href: "/api/v1/accounts", label: "accounts" }] },
      login: null,
    });
    for (const p of [page, home]) {
      expect(p).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
      expect(p).not.toMatch(/http:\/\//);
    }
    for (const id of ["email", "password"]) expect(page).toContain(`<label for="${id}">`);
    expect(home).toContain('action="/logout"');
    expect(home).toContain('name="_csrf" value="tok"');
  });

  it("take the language of Accept-Language by quality, French by default", () => {
    expect(negotiateLang("en-GB,en;q=0.9,fr;q=0.8")).toBe("en");
    expect(negotiateLang("de-DE,fr;q=0.5,en;q=0.4")).toBe("fr");
    expect(negotiateLang("de, en;q=0")).toBe("fr");
    expect(negotiateLang(undefined)).toBe("fr");
  });
});

describe("the plain-HTTP redirect", () => {
  it("keeps host and path, adds the HTTPS port unless 443", () => {
    expect(redirectLocation("mail.example.org", "/login?a=1", 443, "fallback")).toBe(
      "https://mail.example.org/login?a=1",
    );
    expect(redirectLocation("Mail.Example.org:80", "/", 8443, "fallback")).toBe(
      "https://mail.example.org:8443/",
    );
    expect(redirectLocation("[::1]:80", "/x", 8443, "fallback")).toBe("https://[::1]:8443/x");
  });
  it("never redirects to a name taken from a malformed Host or to another site's path", () => {
    expect(redirectLocation("evil.example/x", "/", 443, "svc.example")).toBe("https://svc.example/");
    expect(redirectLocation(undefined, "//evil.example/", 443, "svc.example")).toBe("https://svc.example/");
    expect(redirectLocation("a b", "http://x/", 443, "svc.example")).toBe("https://svc.example/");
  });
});

describe("serve options", () => {
  it("--listen HOST:PORT and [IPv6]:PORT", () => {
    expect(parseHostPort("127.0.0.1:8443", "--listen")).toEqual({ host: "127.0.0.1", port: 8443 });
    expect(parseHostPort("[::1]:8443", "--listen")).toEqual({ host: "::1", port: 8443 });
    expect(parseHostPort("localhost:0", "--listen")).toEqual({ host: "localhost", port: 0 });
    for (const bad of ["8443", "127.0.0.1", "127.0.0.1:99999", "::1:8443", "a b:1"])
      expect(() => parseHostPort(bad, "--listen")).toThrow(/--listen: .* is not HOST:PORT/);
  });
  it("the generated certificate names the listen address, loopback and localhost", () => {
    const names = certificateNames("127.0.10.90");
    expect(names.ips).toEqual(expect.arrayContaining(["127.0.10.90", "127.0.0.1", "::1"]));
    expect(names.dns).toContain("localhost");
    expect(certificateNames("0.0.0.0").ips).not.toContain("0.0.0.0");
    expect(() => fingerprintOf("not a certificate")).toThrow(/not a PEM certificate/);
  });
});
