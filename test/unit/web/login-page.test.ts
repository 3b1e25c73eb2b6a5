/**
 * The login page reader on real-looking pages (Roundcube, Outlook Web App) and on 1 MiB adversarial
 * bodies. Measured on this machine (2 cores): 512 KB of "<form>" took 17.4 s with the regular
 * expressions it replaces, and takes ~40 ms with the streaming parser; the 1 MiB bodies below ~60 ms.
 * No timing is asserted here: the tests check the answer and that the big inputs finish.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findLoginForm, plainHttpReferences, readLoginPage } from "../../../src/audit/web/login-page.js";

const page = (name: string) => readFileSync(new URL(`../../fixtures/pages/${name}`, import.meta.url), "utf8");
const MiB = 1024 * 1024;
const fill = (unit: string, bytes = MiB) => unit.repeat(Math.ceil(bytes / unit.length));

describe("login page: real pages", () => {
  it("Roundcube: the login form (type=PASSWORD), its relative action, the plain-http footer link", () => {
    const result = readLoginPage(page("roundcube-login.html"), "https://webmail.example.org/");
    expect(result.form).toEqual({ action: "https://webmail.example.org/?_task=login" });
    expect(result.plainHttp).toEqual(["http://roundcube.net/"]);
  });

  it("Outlook Web App: the form, not the copy of a form inside a script string", () => {
    const result = readLoginPage(page("owa-login.html"), "https://mail.example.org/owa/auth/logon.aspx");
    expect(result.form).toEqual({ action: "https://mail.example.org/owa/auth.owa" });
    // The DOCTYPE's URL is not a link, the hidden input's value is not a resource.
    expect(result.plainHttp).toEqual([]);
  });

  it("a search form without a password input is no login form", () => {
    const html =
      '<form id="search"><input name="q"></form><form method=post action="/auth"><input type="password" name="p"></form>';
    expect(findLoginForm(html, "https://webmail.example.org/login?x")).toEqual({
      action: "https://webmail.example.org/auth",
    });
    expect(findLoginForm("<form><input name=q></form>", "https://x/")).toBeNull();
    expect(findLoginForm("<input type=password>", "https://x/")).toBeNull();
  });

  it("a form posting to plain http is reported as such", () => {
    expect(
      findLoginForm(
        '<form action="http://webmail.example.org/auth"><input type=password></form>',
        "https://w/",
      )?.action,
    ).toBe("http://webmail.example.org/auth");
  });

  it("resolves the action against <base href> and ties form= inputs to their form", () => {
    const html =
      '<base href="https://auth.example.org/sso/"><form id="f" action="login"></form><input form="f" type="password">';
    expect(findLoginForm(html, "https://webmail.example.org/")).toEqual({
      action: "https://auth.example.org/sso/login",
    });
  });

  it("an unclosed form extends to the end of the page, as in a browser", () => {
    expect(findLoginForm("<form action=/in><p><input type=password>", "https://w/")).toEqual({
      action: "https://w/in",
    });
  });

  it("lists plain-http src, href, action and formaction, decoded, whatever the quoting", () => {
    expect(
      plainHttpReferences(
        '<script src="http://cdn.example/x.js"></script><a href="https://ok/"><img src=http://img.example/a.png><button formaction=\'HTTP://p.example/\'>',
      ),
    ).toEqual(["http://cdn.example/x.js", "http://img.example/a.png", "HTTP://p.example/"]);
  });
});

describe("login page: 1 MiB adversarial bodies finish and answer", () => {
  it.each([
    ["unclosed <form> tags", fill("<form>"), null],
    ["unclosed <form with attributes", fill('<form action="x" '), null],
    ["an unclosed attribute quote", `<form action="${"x".repeat(MiB)}`, null],
    ["inputs in one open form", `<form action=/a>${fill("<input ")}`, null],
    ["deep nesting", `${fill("<div>")}<form action=/deep><input type=password></form>`, "https://w/deep"],
    ["forms nested in forms", `${fill("<form>")}<input type=password>`, "https://w/"],
    ["comment never closed", `<!--${fill("-")}<form><input type=password></form>`, null],
    [
      "a login form after 1 MiB of text",
      `${fill("lorem ipsum ")}<form action=/late><input type=password></form>`,
      "https://w/late",
    ],
  ])("%s", (_name, html, action) => {
    const form = findLoginForm(html, "https://w/");
    expect(form?.action ?? null).toBe(action);
  });

  it("a page full of plain-http links is read to its end", () => {
    const html = fill('<img src="http://x.example/a.png">');
    expect(plainHttpReferences(html).length).toBe(Math.ceil(MiB / 34));
  });
});
