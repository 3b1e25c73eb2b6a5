/**
 * mx.outbound-tls judged from outbound tests (the conclusions of src/outbound, turned into the audit's
 * facts): pass for a verifying sender on good parameters, warn for an opportunistic one, fail for mail
 * in clear while STARTTLS was offered, error without a test or while nothing could be observed; weak
 * sessions judged by the charter-2015 rules the MX measures use.
 */
import { describe, expect, it } from "vitest";
import { outboundFacts } from "../../../src/outbound/audit-lookup.js";
import type { OutboundTest, ReceivedMessage } from "../../../src/outbound/model.js";
import { outboundTestDocument } from "../../../src/outbound/result-document.js";
import { type VariantKind, variantKinds } from "../../../src/outbound/variant.js";
import { judged } from "./facts.js";

const test: OutboundTest = {
  id: 3,
  domain: "example.org",
  organisation: null,
  localPart: "mc-aaaaaaaaaaaaaaaaaaaaaaaaaa",
  addresses: variantKinds.map((kind) => ({
    kind,
    address: `mc-aaaaaaaaaaaaaaaaaaaaaaaaaa@${kind}.t.example`,
  })),
  requestedBy: "cli",
  createdAt: "2026-12-01T10:00:00.000Z",
  expiresAt: "2026-12-01T10:30:00.000Z",
};
const after = new Date("2026-12-01T11:00:00.000Z");

const msg = (
  variant: VariantKind,
  tls: { version: string; suite: string; group?: string } | null = {
    version: "TLSv1.3",
    suite: "TLS_AES_256_GCM_SHA384",
    group: "x25519",
  },
): ReceivedMessage => ({
  testId: 3,
  variant,
  receivedAt: "2026-12-01T10:01:00.000Z",
  remoteAddress: "192.0.2.25",
  reverseName: null,
  reverseLookup: "none",
  ehlo: "mx.example.org",
  mailFrom: "postmaster@example.org",
  starttls: tls !== null,
  tlsVersion: tls?.version ?? null,
  cipherSuite: tls?.suite ?? null,
  group: tls?.group ?? null,
  clientCertificate: null,
  sizeBytes: 200,
});

const outboundOf = (messages: ReceivedMessage[], now = after) =>
  judged("mx.outbound-tls", { outbound: outboundFacts(outboundTestDocument(test, messages, now)) });
const codes = (m: ReturnType<typeof outboundOf>) => m.evidence.map((e) => `${e.status} ${e.code}`);

describe("mx.outbound-tls", () => {
  it("pass: verifying sender (secure policy) — STARTTLS on TLS 1.3, invalid certificates and clear text refused", () => {
    const m = outboundOf([msg("valid")]);
    expect(m.status).toBe("pass");
    expect(m.ref).toBe("§2.2");
    expect(codes(m)).toEqual([
      "pass outbound.session",
      "pass outbound.verifies",
      "pass outbound.refuses-clear",
    ]);
    expect(m.evidence[0]).toMatchObject({
      endpoint: "outbound test 3 valid from 192.0.2.25",
      values: { version: "TLSv1.3", suite: "TLS_AES_256_GCM_SHA384", group: "x25519" },
    });
    expect(m.evidence[1]?.values).toEqual({ variants: ["wrong-name", "self-signed", "expired"] });
  });

  it("warn: opportunistic sender (may) — delivers to invalid certificates and in clear without STARTTLS", () => {
    const m = outboundOf([
      msg("valid"),
      msg("wrong-name"),
      msg("self-signed"),
      msg("expired"),
      msg("no-starttls", null),
    ]);
    expect(m.status).toBe("warn");
    expect(codes(m)).toContain("warn outbound.opportunistic");
    expect(codes(m)).toContain("warn outbound.clear-fallback");
    expect(codes(m)).not.toContain("fail outbound.clear-while-offered");
  });

  it("fail: clear text although STARTTLS was offered (smtp_tls_security_level = none)", () => {
    const m = outboundOf(variantKinds.map((k) => msg(k, null)));
    expect(m.status).toBe("fail");
    expect(m.evidence.find((e) => e.code === "outbound.clear-while-offered")?.values).toEqual({
      variants: ["valid", "wrong-name", "self-signed", "expired"],
    });
  });

  it("fail: STARTTLS used only sometimes", () => {
    const m = outboundOf([msg("valid"), msg("valid", null)]);
    expect(m.status).toBe("fail");
  });

  it("the session is judged by the charter rules the MX measures use: TLS 1.0 with 3DES and static RSA", () => {
    const m = outboundOf([msg("valid", { version: "TLSv1", suite: "TLS_RSA_WITH_3DES_EDE_CBC_SHA" })]);
    expect(m.status).toBe("fail");
    const found = m.evidence.map((e) => e.code);
    expect(found).toContain("rule.versions-absent"); // tls12: neither TLS 1.2 nor 1.3
    expect(m.evidence.every((e) => e.endpoint?.startsWith("outbound test 3"))).toBe(true);
  });

  it("a TLS 1.2 ECDHE AES-GCM session passes the same rules", () => {
    const m = outboundOf([
      msg("valid", {
        version: "TLSv1.2",
        suite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        group: "secp256r1",
      }),
    ]);
    expect(m.status).toBe("pass");
  });

  it("error while the test runs, and when nothing arrived: what could not be observed is named", () => {
    const running = outboundOf([msg("valid")], new Date("2026-12-01T10:05:00.000Z"));
    expect(running.status).toBe("error");
    expect(running.evidence.find((e) => e.code === "outbound.not-observed")?.values).toMatchObject({
      what: "certificate-verification",
      reason: "waiting",
    });
    const nothing = outboundOf([]);
    expect(nothing.status).toBe("error");
    expect(nothing.evidence.map((e) => e.values.reason)).toEqual([
      "nothing-arrived",
      "nothing-arrived",
      "nothing-arrived",
    ]);
  });

  it("error with its reason: no store given, no test yet, store unreadable", () => {
    expect(judged("mx.outbound-tls").evidence[0]?.code).toBe("outbound.no-store");
    const none = judged("mx.outbound-tls", { outbound: null });
    expect(none).toMatchObject({ status: "error", summary: { en: "Outbound TLS: no outbound test yet" } });
    expect(none.evidence[0]?.code).toBe("outbound.no-test");
    const broken = judged("mx.outbound-tls", { outbound: { error: "database is locked" } });
    expect(broken.evidence[0]).toMatchObject({
      code: "outbound.read-failed",
      values: { message: "database is locked" },
    });
  });
});
