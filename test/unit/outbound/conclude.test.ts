import { describe, expect, it } from "vitest";
import { conclude } from "../../../src/outbound/conclude.js";
import type { OutboundTest, ReceivedMessage } from "../../../src/outbound/model.js";
import { type VariantKind, variantKinds } from "../../../src/outbound/variant.js";

const test: OutboundTest = {
  id: 7,
  domain: "sender.example",
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
const before = new Date("2026-12-01T10:10:00.000Z");
const after = new Date("2026-12-01T10:30:00.000Z");

const msg = (variant: VariantKind, tls: boolean, testId = 7): ReceivedMessage => ({
  testId,
  variant,
  receivedAt: "2026-12-01T10:01:00.000Z",
  remoteAddress: "192.0.2.25",
  reverseName: "mx.sender.example",
  reverseLookup: "found",
  ehlo: "mx.sender.example",
  mailFrom: "postmaster@sender.example",
  starttls: tls,
  tlsVersion: tls ? "TLSv1.3" : null,
  cipherSuite: tls ? "TLS_AES_256_GCM_SHA384" : null,
  group: tls ? "x25519" : null,
  clientCertificate: null,
  sizeBytes: 300,
});

const opportunistic = [
  msg("valid", true),
  msg("wrong-name", true),
  msg("self-signed", true),
  msg("expired", true),
  msg("no-starttls", false),
];

describe("conclude", () => {
  it("opportunistic sender (Postfix may): STARTTLS always, delivers on invalid certificates, falls back to clear", () => {
    const r = conclude(test, opportunistic, before);
    expect(r.state).toBe("complete");
    expect(r.starttlsWhenOffered).toEqual({
      status: "observed",
      value: "always",
      basis: ["valid", "wrong-name", "self-signed", "expired"],
    });
    expect(r.certificateVerification).toEqual({
      status: "observed",
      value: "opportunistic",
      basis: ["wrong-name", "self-signed", "expired"],
    });
    expect(r.withoutStarttls).toMatchObject({ status: "observed", value: "falls-back-to-clear" });
  });

  it("verifying sender (Postfix secure): only the valid variant arrives; final only at the deadline", () => {
    const waiting = conclude(test, [msg("valid", true)], before);
    expect(waiting.state).toBe("waiting");
    expect(waiting.certificateVerification).toEqual({ status: "not-observed", reason: "waiting" });
    expect(waiting.withoutStarttls).toEqual({ status: "not-observed", reason: "waiting" });
    expect(waiting.variants.find((v) => v.kind === "expired")?.state).toBe("waiting");
    const done = conclude(test, [msg("valid", true)], after);
    expect(done.state).toBe("complete");
    expect(done.certificateVerification).toEqual({
      status: "observed",
      value: "verifies",
      basis: ["valid", "wrong-name", "self-signed", "expired"],
    });
    expect(done.withoutStarttls).toEqual({
      status: "observed",
      value: "refuses-clear",
      basis: ["no-starttls", "valid"],
    });
    expect(done.variants.find((v) => v.kind === "expired")?.state).toBe("not-arrived");
  });

  it("clear-text sender (Postfix none): STARTTLS never used although offered", () => {
    const r = conclude(
      test,
      variantKinds.map((k) => msg(k, false)),
      before,
    );
    expect(r.starttlsWhenOffered).toMatchObject({ status: "observed", value: "never" });
    expect(r.certificateVerification).toMatchObject({ status: "observed", value: "opportunistic" });
  });

  it("mixed sessions are 'sometimes', not 'always'", () => {
    const r = conclude(test, [msg("valid", true), msg("valid", false)], before);
    expect(r.starttlsWhenOffered).toMatchObject({ status: "observed", value: "sometimes" });
  });

  it("nothing arrived by the deadline: every conclusion is not observed, none guessed", () => {
    const r = conclude(test, [], after);
    expect(r.starttlsWhenOffered).toEqual({ status: "not-observed", reason: "nothing-arrived" });
    expect(r.certificateVerification).toEqual({ status: "not-observed", reason: "nothing-arrived" });
    expect(r.withoutStarttls).toEqual({ status: "not-observed", reason: "nothing-arrived" });
  });

  it("without the valid variant, staying away from invalid certificates proves nothing", () => {
    const r = conclude(test, [msg("no-starttls", false)], after);
    expect(r.certificateVerification).toEqual({ status: "not-observed", reason: "valid-not-arrived" });
    expect(r.withoutStarttls).toMatchObject({ status: "observed", value: "falls-back-to-clear" });
    expect(r.starttlsWhenOffered).toEqual({ status: "not-observed", reason: "nothing-arrived" });
  });

  it("ignores messages of another test", () => {
    const r = conclude(test, [msg("wrong-name", true, 8)], after);
    expect(r.certificateVerification).toEqual({ status: "not-observed", reason: "nothing-arrived" });
  });
});

describe("conclude with fewer variants", () => {
  it("says what the configuration cannot show instead of concluding", () => {
    const only = { ...test, addresses: test.addresses.filter((a) => a.kind === "valid") };
    const r = conclude(only, [msg("valid", true)], before);
    expect(r.state).toBe("complete");
    expect(r.certificateVerification).toEqual({ status: "not-observed", reason: "not-configured" });
    expect(r.withoutStarttls).toEqual({ status: "not-observed", reason: "not-configured" });
    expect(r.starttlsWhenOffered).toMatchObject({ status: "observed", value: "always" });
  });
});
