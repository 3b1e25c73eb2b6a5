/**
 * DKIM verification of report mails (src/indicators/tlsrpt/dkim-verify.ts) with keys made here and a
 * resolver that is plain data: mails signed by nodemailer's signer (rsa, relaxed) and by the test
 * signer (ed25519, simple, l=, x=, chosen h=) pass; each kind of change makes them fail with its
 * reason; what RFC 8301 refuses is refused; hostile sizes are bounded.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dkimLimits } from "../../../src/core/limits.js";
import {
  type DkimVerification,
  overallResult,
  verifyDkim,
} from "../../../src/indicators/tlsrpt/dkim-verify.js";
import { type FakeZone, fakeResolver, type Resolver } from "../../../src/net/resolver.js";
import { ed25519Key, nodemailerSign, rsaKey, type TestKey, testSign } from "../../support/dkim-sign.js";

const report = readFileSync(new URL("../../fixtures/tlsrpt/google.eml", import.meta.url));
const now = Date.parse("2026-12-02T10:00:00Z");
const clock = { now: () => now };
const rsa = rsaKey();
const ed = ed25519Key();
const zoneFor = (records: Record<string, string[]>, extra: Partial<FakeZone> = {}): Resolver =>
  fakeResolver({ TXT: records, ...extra });
const published = zoneFor({
  "mc1._domainkey.google.com": [rsa.record],
  "ed._domainkey.google.com": [ed.record],
});
const verify = (mail: Buffer, resolver: Resolver = published) => verifyDkim(mail, { resolver, clock });
const only = (v: DkimVerification) => {
  expect(v.signatures).toHaveLength(1);
  return v.signatures[0];
};
/** Replaces the first occurrence of `from` (latin1), failing the test if it is not there. */
const edit = (mail: Buffer, from: string, to: string) => {
  const text = mail.toString("latin1");
  expect(text).toContain(from);
  return Buffer.from(text.replace(from, to), "latin1");
};
const sign = (
  key: TestKey,
  selector: string,
  o: Partial<Parameters<typeof testSign>[1]> = {},
  mail: Buffer = report,
) => testSign(mail, { domain: "google.com", selector, key, ...o });

describe("signatures that verify", () => {
  it("nodemailer's rsa-sha256 relaxed/relaxed signature of a real report mail passes", async () => {
    const signed = await nodemailerSign(report, { domain: "google.com", selector: "mc1", key: rsa });
    expect(signed.toString("latin1")).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed/);
    const v = only(await verify(signed));
    expect(v).toMatchObject({
      result: "pass",
      reason: null,
      domain: "google.com",
      selector: "mc1",
      weaknesses: [],
    });
    expect(v?.detail).toContain("2048-bit RSA");
  });

  it("ed25519-sha256 (RFC 8463) passes, in each of the four canonicalizations", async () => {
    for (const canon of ["relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed"] as const) {
      const v = only(await verify(sign(ed, "ed", { canon })));
      expect(v, canon).toMatchObject({ result: "pass", algorithm: "ed25519-sha256" });
    }
  });

  it("a mail kept with bare LF line ends (an .eml on disk) verifies as the CRLF mail it was", async () => {
    const signed = await nodemailerSign(report, { domain: "google.com", selector: "mc1", key: rsa });
    const unix = Buffer.from(signed.toString("latin1").replace(/\r\n/g, "\n"), "latin1");
    expect(unix.includes("\r")).toBe(false);
    expect(only(await verify(unix))?.result).toBe("pass");
  });

  it("an unsigned mail has no verdicts: none", async () => {
    const v = await verify(report);
    expect(v.signatures).toEqual([]);
    expect(overallResult(v)).toBe("none");
  });
});

describe("changes after signing are caught", () => {
  it("a changed body fails on bh= (body-hash-mismatch); a changed signed field fails on b=", async () => {
    const signed = await nodemailerSign(report, { domain: "google.com", selector: "mc1", key: rsa });
    const body = only(await verify(edit(signed, "H4sIAAAAAAACA3WRwWrDMAyG", "H4sIAAAAAAACA3WRwWrDMAyF")));
    expect(body).toMatchObject({ result: "fail", reason: "body-hash-mismatch" });
    const header = only(
      await verify(edit(signed, "Submitter: google.com Report-ID", "Submitter: gooogle.com Report-ID")),
    );
    expect(header).toMatchObject({ result: "fail", reason: "signature-mismatch" });
    // A field the signature does not list may change (TLS-Report-Domain is not in nodemailer's list).
    expect(
      only(
        await verify(edit(signed, "TLS-Report-Domain: signataire-a.example", "TLS-Report-Domain: x.example")),
      )?.result,
    ).toBe("pass");
  });

  it("relaxed forgives re-folding and spacing; simple does not", async () => {
    const refold = (m: Buffer) =>
      edit(
        edit(m, "From: noreply", "From:   noreply"),
        "Subject: Report Domain:",
        "Subject: Report\r\n\tDomain:",
      );
    const relaxed = sign(ed, "ed", { canon: "relaxed/relaxed" });
    const simple = sign(ed, "ed", { canon: "simple/simple" });
    expect(only(await verify(refold(relaxed)))?.result).toBe("pass");
    expect(only(await verify(refold(simple)))).toMatchObject({
      result: "fail",
      reason: "signature-mismatch",
    });
    // Trailing white space on a body line: relaxed/relaxed passes, simple body fails.
    const spaced = (m: Buffer) =>
      edit(m, "aggregate TLS report from google.com", "aggregate TLS report from google.com  \t");
    expect(only(await verify(spaced(relaxed)))?.result).toBe("pass");
    expect(only(await verify(spaced(simple)))).toMatchObject({
      result: "fail",
      reason: "body-hash-mismatch",
    });
    // Empty lines added at the end: both canonicalizations ignore them (§3.4.3, §3.4.4).
    const padded = (m: Buffer) => Buffer.concat([m, Buffer.from("\r\n\r\n\r\n")]);
    expect(only(await verify(padded(simple)))?.result).toBe("pass");
    expect(only(await verify(padded(relaxed)))?.result).toBe("pass");
  });

  it("repeated fields: h= takes them from the bottom up (§5.4.2); over-signing forbids adding one", async () => {
    const twice = edit(report, "Subject: Report", "Subject: first\r\nSubject: Report");
    // h= names subject once: the bottom Subject is signed, the top one is not.
    const signed = sign(ed, "ed", { headers: ["from", "subject"] }, twice);
    expect(only(await verify(edit(signed, "Subject: first", "Subject: changed")))?.result).toBe("pass");
    expect(only(await verify(edit(signed, "Subject: Report Domain", "Subject: Forged Domain")))?.reason).toBe(
      "signature-mismatch",
    );
    // h=from:from — the second, absent instance signs "nothing": a From added on top breaks it.
    const over = sign(ed, "ed", { headers: ["from", "from", "subject"] });
    expect(only(await verify(over))?.result).toBe("pass");
    const added = edit(over, "From: noreply", "From: ceo@signataire-d.example\r\nFrom: noreply");
    expect(only(await verify(added))).toMatchObject({ result: "fail", reason: "signature-mismatch" });
  });
});

describe("time, keys and algorithms", () => {
  const seconds = now / 1000;
  it("x= in the past is signature-expired; in the future, or past by less than the skew, passes", async () => {
    expect(
      only(await verify(sign(ed, "ed", { timestamp: seconds - 86400 * 3, expiration: seconds - 86400 }))),
    ).toMatchObject({
      result: "fail",
      reason: "signature-expired",
    });
    expect(
      only(await verify(sign(ed, "ed", { timestamp: seconds - 100, expiration: seconds + 86400 })))?.result,
    ).toBe("pass");
    expect(
      only(await verify(sign(ed, "ed", { timestamp: seconds - 1000, expiration: seconds - 60 })))?.result,
    ).toBe("pass");
  });

  it("a revoked key (empty p=), no key, DNS that does not answer: permerror, permerror, temperror", async () => {
    const signed = sign(rsa, "mc1");
    const revoked = zoneFor({ "mc1._domainkey.google.com": ["v=DKIM1; k=rsa; p="] });
    expect(only(await verify(signed, revoked))).toMatchObject({ result: "permerror", reason: "key-revoked" });
    expect(
      only(await verify(signed, zoneFor({ "other._domainkey.google.com": [rsa.record] }))),
    ).toMatchObject({
      result: "permerror",
      reason: "no-key",
    });
    const silent = zoneFor({}, { fail: { "mc1._domainkey.google.com": "timeout" } });
    const v = await verify(signed, silent);
    expect(only(v)).toMatchObject({ result: "temperror", reason: "dns-error" });
    expect(overallResult(v)).toBe("temperror");
  });

  it("another key at the selector: signature-mismatch; a key of the other type: key-unsuitable", async () => {
    const other = rsaKey(1024);
    expect(
      only(await verify(sign(rsa, "mc1"), zoneFor({ "mc1._domainkey.google.com": [other.record] })))?.reason,
    ).toBe("signature-mismatch");
    expect(
      only(await verify(sign(ed, "ed"), zoneFor({ "ed._domainkey.google.com": [rsa.record] }))),
    ).toMatchObject({
      result: "permerror",
      reason: "key-unsuitable",
    });
    // t=s: i= must be d= exactly.
    const strict = zoneFor({ "ed._domainkey.google.com": [`${ed.record}; t=s`] });
    expect(only(await verify(sign(ed, "ed", { identity: "@reports.google.com" }), strict))?.reason).toBe(
      "key-unsuitable",
    );
    expect(only(await verify(sign(ed, "ed", { identity: "@google.com" }), strict))?.result).toBe("pass");
  });

  it("rsa-sha1 and RSA keys under 1024 bits are refused (policy, RFC 8301)", async () => {
    const sha1 = await nodemailerSign(report, {
      domain: "google.com",
      selector: "mc1",
      key: rsa,
      hashAlgo: "sha1",
    });
    expect(sha1.toString("latin1")).toContain("a=rsa-sha1");
    expect(only(await verify(sha1))).toMatchObject({ result: "policy", reason: "weak-algorithm" });
    const small = rsaKey(768);
    const v = only(
      await verify(sign(small, "mc1"), zoneFor({ "mc1._domainkey.google.com": [small.record] })),
    );
    expect(v).toMatchObject({ result: "policy", reason: "key-too-short" });
  });

  it("two key records at one name are refused (ambiguous-key), not one picked", async () => {
    const two = zoneFor({ "ed._domainkey.google.com": [ed.record, ed25519Key().record] });
    expect(only(await verify(sign(ed, "ed"), two))?.reason).toBe("ambiguous-key");
    // A TXT record that is no key beside the key does not matter.
    const stray = zoneFor({ "ed._domainkey.google.com": ["google-site-verification=abc", ed.record] });
    expect(only(await verify(sign(ed, "ed"), stray))?.result).toBe("pass");
  });
});

describe("l=, malformed fields and caps", () => {
  it("l= covering the body is a weakness; bytes added after it pass but are flagged unsigned-body", async () => {
    const limited = sign(ed, "ed", { bodyLength: "whole" });
    expect(only(await verify(limited))).toMatchObject({ result: "pass", weaknesses: ["body-length-limit"] });
    const appended = Buffer.concat([
      limited,
      Buffer.from("--0000000000007877ce062148fba9\r\nContent-Type: application/tlsrpt+json\r\n\r\n{}\r\n"),
    ]);
    expect(only(await verify(appended))).toMatchObject({
      result: "pass",
      weaknesses: ["body-length-limit", "unsigned-body"],
    });
    // l= beyond the body (the body was cut): refused.
    const cut = edit(limited, "--0000000000007877ce062148fba9--", "");
    expect(only(await verify(cut))).toMatchObject({ result: "permerror", reason: "body-length-beyond-body" });
  });

  it("a duplicated tag, a missing tag, h= without From, i= outside d=: bad-signature, with the reason", async () => {
    const signed = sign(ed, "ed");
    const cases: [string, string, RegExp][] = [
      ["v=1;", "v=1; d=evil.example;", /given twice/],
      ["v=1;", "v=2;", /version 1/],
      ["; a=ed25519-sha256", "; a=ed448-sha256", /a=ed448-sha256/],
    ];
    for (const [from, to, detail] of cases) {
      const v = only(await verify(edit(signed, from, to)));
      expect(v, to).toMatchObject({ result: "permerror", reason: "bad-signature" });
      expect(v?.detail).toMatch(detail);
    }
    expect(only(await verify(sign(ed, "ed", { headers: ["subject", "date"] })))?.detail).toMatch(/From/);
    expect(only(await verify(sign(ed, "ed", { identity: "@evil.example" })))?.detail).toMatch(
      /not within d=google.com/,
    );
    const noBh = edit(signed, "; bh=", "; xh=");
    expect(only(await verify(noBh))?.detail).toMatch(/bh= is absent/);
  });

  it("at most maxSignatures are verified, the rest counted; an oversized header is not verified at all", async () => {
    let mail: Buffer = report;
    for (let i = 0; i < dkimLimits.maxSignatures + 2; i++) mail = sign(ed, "ed", {}, mail);
    const asked: number[] = [];
    const counting: Resolver = {
      ...published,
      txt: async (name, timeoutMs) => (asked.push(timeoutMs), published.txt(name, timeoutMs)),
    };
    const v = await verify(mail, counting);
    expect(v.signatures).toHaveLength(dkimLimits.maxSignatures);
    expect(v.notVerified).toBe(2);
    // One lookup for one name (cached within the mail), with the per-step timeout.
    expect(asked).toEqual([dkimLimits.dnsStepTimeoutMs]);
    // Every signature but the top one was made before a DKIM-Signature field was added above it, and
    // none of them signed DKIM-Signature: all still pass.
    expect(v.signatures.every((s) => s.result === "pass")).toBe(true);

    const huge = Buffer.concat([
      Buffer.from(`X-Pad: ${"a".repeat(dkimLimits.maxHeaderBytes)}\r\n`),
      sign(ed, "ed"),
    ]);
    expect(only(await verify(huge))).toMatchObject({ result: "permerror", reason: "header-too-large" });
    const field = edit(sign(ed, "ed"), "; h=", `; z=${"a".repeat(dkimLimits.maxSignatureFieldBytes)}; h=`);
    expect(only(await verify(field))?.reason).toBe("field-too-large");
  });

  it("every lookup of a mail shares one deadline: a late lookup gets what is left, none once it has passed", async () => {
    // The clock reads `now` when the mail's deadline is set, then `later` for every step after.
    const clockAt = (later: number) => {
      let first = true;
      return {
        now: () => {
          if (first) {
            first = false;
            return now;
          }
          return now + later;
        },
      };
    };
    const asked: number[] = [];
    const counting: Resolver = {
      ...published,
      txt: async (name, ms) => (asked.push(ms), published.txt(name, ms)),
    };
    const signed = sign(ed, "ed");
    const near = await verifyDkim(signed, {
      resolver: counting,
      clock: clockAt(dkimLimits.mailDeadlineMs - 1200),
    });
    expect(asked).toEqual([1200]);
    expect(only(near)?.result).toBe("pass");
    asked.length = 0;
    const past = await verifyDkim(signed, { resolver: counting, clock: clockAt(dkimLimits.mailDeadlineMs) });
    expect(asked).toEqual([]);
    expect(only(past)).toMatchObject({ result: "temperror", reason: "dns-error" });
    expect(only(past)?.detail).toMatch(/deadline had passed/);
  });
});
