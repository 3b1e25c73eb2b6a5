/**
 * The lowest layer of the judging code on its failing side: the worst status wins in every pair,
 * an undetermined measure is never a pass, the same evidence is said once and only then, a
 * measure's result takes its judgement's overrides; and the TLS facts the rules read (versions,
 * suites per version, server order, complete only when not quick).
 */
import { describe, expect, it } from "vitest";
import { endpointLabel } from "../../../src/audit/findings/endpoint-label.js";
import { evidence, evidenceText, finding, mergeEvidence } from "../../../src/audit/findings/evidence.js";
import { type MeasureStatus, statusOrder, worst } from "../../../src/audit/findings/status.js";
import { type Measure, resultOf, statusWords, verdictOf } from "../../../src/audit/measures/measure.js";
import { preference, tlsFacts } from "../../../src/audit/profiles/tls-facts.js";
import { type CipherSuite, suiteByName } from "../../../src/audit/tls/cipher-suites.js";
import { endpointOf, tlsOf } from "../../support/reports.js";

describe("statuses", () => {
  it("worst: fail > error > warn > pass > not_applicable, in either order", () => {
    const order: MeasureStatus[] = ["fail", "error", "warn", "pass", "not_applicable"];
    expect(statusOrder).toEqual(order);
    for (let i = 0; i < order.length; i++)
      for (let j = 0; j < order.length; j++) {
        const a = order[i] as MeasureStatus;
        const b = order[j] as MeasureStatus;
        const expected = order[Math.min(i, j)];
        expect(worst([a, b]), `${a} ${b}`).toBe(expected);
      }
    expect(worst([])).toBe("not_applicable");
    expect(worst(["pass"])).toBe("pass");
    expect(worst(["pass", "pass", "warn", "pass"])).toBe("warn");
  });

  it("the verdict: a failing charter measure is non compliant, an undetermined one inconclusive", () => {
    const m = (charter: boolean, status: MeasureStatus) => ({ charter, status });
    expect(verdictOf([m(true, "pass"), m(true, "warn"), m(true, "not_applicable")])).toBe("compliant");
    expect(verdictOf([m(true, "pass"), m(false, "fail"), m(false, "error")])).toBe("compliant");
    expect(verdictOf([m(true, "error"), m(true, "pass")])).toBe("inconclusive");
    expect(verdictOf([m(true, "error"), m(true, "fail")])).toBe("non_compliant");
    expect(verdictOf([])).toBe("compliant");
  });
});

describe("evidence", () => {
  it("placed on an endpoint or domain-wide, with its English sentence", () => {
    const f = finding("fail", "spf.none");
    expect(f).toEqual({ status: "fail", code: "spf.none", values: {} });
    const at = evidence("example.org", f);
    expect(at).toEqual({
      endpoint: "example.org",
      status: "fail",
      code: "spf.none",
      values: {},
      observed: evidenceText(f, "en"),
    });
    expect(at.observed.length).toBeGreaterThan(0);
    expect(evidence(undefined, f)).not.toHaveProperty("endpoint");
    expect(evidenceText(f, "fr")).not.toBe(evidenceText(f, "en"));
  });

  it("the same observation twice is said once; any difference keeps both", () => {
    const a = evidence(
      "h [1]:25",
      finding("fail", "webmail.cookie-lacks", { name: "sid", flags: ["Secure"] }),
    );
    const same = evidence(
      "h [1]:25",
      finding("fail", "webmail.cookie-lacks", { name: "sid", flags: ["Secure"] }),
    );
    const otherValue = evidence(
      "h [1]:25",
      finding("fail", "webmail.cookie-lacks", { name: "sid", flags: ["HttpOnly"] }),
    );
    const otherEndpoint = evidence(
      "h [2]:25",
      finding("fail", "webmail.cookie-lacks", { name: "sid", flags: ["Secure"] }),
    );
    const otherStatus = evidence(
      "h [1]:25",
      finding("warn", "webmail.cookie-lacks", { name: "sid", flags: ["Secure"] }),
    );
    const domainWide = evidence(
      undefined,
      finding("fail", "webmail.cookie-lacks", { name: "sid", flags: ["Secure"] }),
    );
    expect(
      mergeEvidence([a, same, otherValue, same, otherEndpoint, otherStatus, domainWide, domainWide]),
    ).toEqual([a, otherValue, otherEndpoint, otherStatus, domainWide]);
    expect(mergeEvidence([])).toEqual([]);
  });

  it("endpoints are named host [address]:port, '?' without an address", () => {
    expect(endpointLabel({ host: "mx.example.org", address: "2001:db8::1", port: 25 })).toBe(
      "mx.example.org [2001:db8::1]:25",
    );
    expect(endpointLabel({ host: "mx.example.org", address: null, port: 465 })).toBe(
      "mx.example.org [?]:465",
    );
  });
});

describe("a measure's result", () => {
  const measure: Measure = {
    id: "mail.spf",
    ref: "R44",
    charter: false,
    title: { fr: "Titre", en: "Title" },
    words: { warn: { fr: "à revoir", en: "to review" } },
    judge: () => ({ evidence: [] }),
  };
  const e = (status: MeasureStatus, name = "x") =>
    evidence("d", finding(status, "webmail.cookie-ok", { name }));
  it("the worst evidence decides; the summary says title and word, the measure's own words first", () => {
    const r = resultOf(measure, { evidence: [e("pass", "a"), e("warn", "b")] });
    expect(r).toEqual({
      id: "mail.spf",
      ref: "R44",
      charter: false,
      status: "warn",
      summary: { fr: "Titre : à revoir", en: "Title: to review" },
      evidence: [e("pass", "a"), e("warn", "b")],
    });
    expect(resultOf(measure, { evidence: [e("fail")] }).summary).toEqual({
      fr: `Titre : ${statusWords.fail.fr}`,
      en: `Title: ${statusWords.fail.en}`,
    });
  });
  it("no evidence: not_applicable unless the judgement says otherwise; overrides win", () => {
    expect(resultOf(measure, { evidence: [] }).status).toBe("not_applicable");
    expect(resultOf(measure, { evidence: [], empty: "error" }).status).toBe("error");
    expect(resultOf(measure, { evidence: [e("pass")], empty: "error" }).status).toBe("pass");
    expect(resultOf(measure, { evidence: [e("pass")], status: "fail" }).status).toBe("fail");
    const summary = { fr: "SPF : rien", en: "SPF: nothing" };
    expect(resultOf(measure, { evidence: [e("pass")], summary }).summary).toEqual(summary);
  });
  it("repeated evidence is merged in the result", () => {
    expect(resultOf(measure, { evidence: [e("pass"), e("pass")] }).evidence).toHaveLength(1);
  });
  it("every status has its words in both languages", () => {
    for (const s of statusOrder) {
      expect(statusWords[s].fr.length, s).toBeGreaterThan(0);
      expect(statusWords[s].en.length, s).toBeGreaterThan(0);
    }
    expect(statusWords.pass).toEqual({ fr: "conforme", en: "compliant" });
    expect(statusWords.error).toEqual({ fr: "indéterminé", en: "could not be determined" });
  });
});

const s = (name: string) => suiteByName(name) as CipherSuite;
const GCM = s("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
const DES3 = s("TLS_RSA_WITH_3DES_EDE_CBC_SHA");
const CBC = s("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");

describe("TLS facts", () => {
  it("from the enumeration: versions, suites per version in order, SSLv2 without suites, suites once in all", () => {
    const tls = tlsOf({
      versions: ["SSLv2", "TLSv1", "TLSv1.2"],
      suites: { TLSv1: [CBC.name, DES3.name], "TLSv1.2": [GCM.name, CBC.name, "NOT_A_SUITE"] },
      serverOrder: false,
    });
    const facts = tlsFacts(endpointOf({ tls }));
    expect(facts?.versions).toEqual(["SSLv2", "TLSv1", "TLSv1.2"]);
    expect(
      facts?.suitesByVersion.map((v) => [v.version, v.suites.map((x) => x.name), v.serverOrder]),
    ).toEqual([
      ["SSLv2", [], null],
      ["TLSv1", [CBC.name, DES3.name], false],
      ["TLSv1.2", [GCM.name, CBC.name], false],
    ]);
    expect(facts?.all.map((x) => x.name)).toEqual([CBC.name, DES3.name, GCM.name]);
    expect(facts?.complete).toBe(true);
  });
  it("a version without a suite list or order: none, null", () => {
    const tls = tlsOf({ versions: ["TLSv1.2", "TLSv1.3"], suites: { "TLSv1.2": [GCM.name] } });
    const facts = tlsFacts(endpointOf({ tls }));
    expect(facts?.suitesByVersion[1]).toEqual({ version: "TLSv1.3", suites: [], serverOrder: null });
  });
  it("complete only when the enumeration ran to its end and was not --quick", () => {
    const base = tlsOf({ versions: ["TLSv1.2"], suites: { "TLSv1.2": [GCM.name] } });
    const withEnum = (complete: boolean, quick: boolean) =>
      tlsFacts(
        endpointOf({
          tls: {
            ...base,
            enumeration: { ...(base.enumeration as NonNullable<typeof base.enumeration>), complete, quick },
          },
        }),
      )?.complete;
    expect(withEnum(true, false)).toBe(true);
    expect(withEnum(true, true)).toBe(false);
    expect(withEnum(false, false)).toBe(false);
  });
  it("without an enumeration: the negotiated version and suite only, never complete; nothing without TLS", () => {
    const base = tlsOf({ versions: ["TLSv1.3"], suites: { "TLSv1.3": ["TLS_AES_128_GCM_SHA256"] } });
    const { enumeration: _e, ...rest } = base;
    const facts = tlsFacts(endpointOf({ tls: rest }));
    expect(facts).toEqual({
      versions: ["TLSv1.3"],
      suitesByVersion: [
        { version: "TLSv1.3", suites: [suiteByName("TLS_AES_128_GCM_SHA256")], serverOrder: null },
      ],
      all: [suiteByName("TLS_AES_128_GCM_SHA256")],
      complete: false,
    });
    const unknownSuite = tlsFacts(
      endpointOf({
        tls: {
          ...rest,
          negotiated: { ...(rest.negotiated as NonNullable<typeof rest.negotiated>), cipherSuite: "WHAT" },
        },
      }),
    );
    expect(unknownSuite).toEqual({ versions: ["TLSv1.3"], suitesByVersion: [], all: [], complete: false });
    expect(tlsFacts(endpointOf({ tls: { ...rest, negotiated: null } }))).toEqual({
      versions: [],
      suitesByVersion: [],
      all: [],
      complete: false,
    });
    expect(tlsFacts(endpointOf({ tls: null }))).toBeNull();
    const noSuites = { ...base, cipherSuites: undefined } as unknown as typeof base;
    expect(tlsFacts(endpointOf({ tls: noSuites }))?.complete).toBe(false);
  });
});

describe("preference", () => {
  const good = (x: CipherSuite) => x.cipher === "AESGCM";
  const bad = (x: CipherSuite) => x.cipher === "3DES";
  const facts = (...versions: [CipherSuite[], boolean | null][]) => ({
    versions: [],
    all: [],
    complete: true,
    suitesByVersion: versions.map(([suites, serverOrder], i) => ({
      version: (["TLSv1", "TLSv1.1", "TLSv1.2"] as const)[i] ?? "TLSv1.2",
      suites,
      serverOrder,
    })),
  });
  it("no bad suite anywhere: no-bad", () => {
    expect(preference(facts([[GCM], true], [[CBC], false]), good, bad)).toBe("no-bad");
  });
  it("a bad suite where no good one is, or ranked first by the server: bad-first", () => {
    expect(preference(facts([[DES3], false]), good, bad)).toBe("bad-first");
    expect(preference(facts([[DES3, GCM], true]), good, bad)).toBe("bad-first");
    expect(preference(facts([[GCM, DES3], true], [[DES3], true]), good, bad)).toBe("bad-first");
  });
  it("the server ranks good first: chosen; the client's order decides: client, and client sticks", () => {
    expect(preference(facts([[GCM, DES3], true]), good, bad)).toBe("chosen");
    expect(preference(facts([[DES3, GCM], false]), good, bad)).toBe("client");
    expect(preference(facts([[DES3, GCM], null]), good, bad)).toBe("client");
    expect(preference(facts([[GCM, DES3], false], [[GCM, DES3], true]), good, bad)).toBe("client");
    expect(preference(facts([[GCM, DES3], true], [[GCM, DES3], false]), good, bad)).toBe("client");
    expect(preference(facts([[GCM, DES3], true], [[GCM], true]), good, bad)).toBe("chosen");
  });
  it("only the versions asked for are judged", () => {
    const f = facts([[DES3], false], [[GCM], true]);
    expect(preference(f, good, bad, ["TLSv1.1"])).toBe("no-bad");
    expect(preference(f, good, bad, ["TLSv1", "TLSv1.1"])).toBe("bad-first");
    expect(preference(f, good, bad)).toBe("bad-first");
  });
});
