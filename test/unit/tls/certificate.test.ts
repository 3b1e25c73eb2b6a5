import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeChain } from "../../../src/audit/tls/certificate.js";
import { type TrustStore, trustStoreOf } from "../../../src/audit/tls/trust-store.js";
import { daysFromNow, type Issued, issue, rootCa, selfSigned } from "../../support/pki.js";

let root: Issued;
let intermediate: Issued;
let store: TrustStore;
const now = new Date();

beforeAll(async () => {
  root = await rootCa("Test Root");
  intermediate = await issue(root, "Test Intermediate", { ca: true });
  store = trustStoreOf([new X509Certificate(root.pem)], "test root");
});

const analyze = (chain: readonly Issued[], host: string | null, trust: TrustStore = store) =>
  analyzeChain(
    chain.map((c) => c.der),
    { host, store: trust, now, ocspStapled: false },
  );

describe("certificate analysis", () => {
  it("valid: leaf + intermediate served, root in the store", async () => {
    const leaf = await issue(intermediate, "mx.example.test");
    const result = analyze([leaf, intermediate], "mx.example.test");
    expect(result?.status).toBe("valid");
    expect(result?.problems).toEqual([]);
    expect(result?.path).toHaveLength(3);
    expect(result?.trustAnchor).toContain("Test Root");
    expect(result?.keyType).toBe("RSA");
    expect(result?.keyBits).toBe(2048);
    expect(result?.signatureHash).toBe("SHA-256");
    expect(result?.extendedKeyUsage).toEqual(["serverAuth"]);
    expect(result?.subjectAltNames).toEqual(["DNS:mx.example.test"]);
  });

  it("incomplete_chain: the intermediate is not served", async () => {
    const leaf = await issue(intermediate, "mx.example.test");
    expect(analyze([leaf], "mx.example.test")?.status).toBe("incomplete_chain");
  });

  it("valid when the store holds the intermediate itself", async () => {
    const leaf = await issue(intermediate, "mx.example.test");
    const trust = trustStoreOf([new X509Certificate(intermediate.pem)], "intermediate");
    expect(analyze([leaf], "mx.example.test", trust)?.status).toBe("valid");
  });

  it("untrusted: the chain ends at a root that is not in the store", async () => {
    const otherRoot = await rootCa("Other Root");
    const otherIntermediate = await issue(otherRoot, "Other Intermediate", { ca: true });
    const leaf = await issue(otherIntermediate, "mx.example.test");
    expect(analyze([leaf, otherIntermediate, otherRoot], "mx.example.test")?.status).toBe("untrusted");
  });

  it("a forged intermediate with the right name but another key does not chain", async () => {
    const leaf = await issue(intermediate, "mx.example.test");
    const impostorRoot = await rootCa("Test Root");
    const impostor = await issue(impostorRoot, "Test Intermediate", { ca: true });
    expect(analyze([leaf, impostor], "mx.example.test")?.status).toBe("incomplete_chain");
  });

  it("self_signed", async () => {
    const leaf = await selfSigned("mx.example.test");
    expect(analyze([leaf], "mx.example.test")?.status).toBe("self_signed");
  });

  it("expired leaf, expired intermediate, not yet valid", async () => {
    const expired = await issue(intermediate, "mx.example.test", {
      notBefore: daysFromNow(-30),
      notAfter: daysFromNow(-1),
    });
    expect(analyze([expired, intermediate], "mx.example.test")?.status).toBe("expired");
    const oldIntermediate = await issue(root, "Old Intermediate", {
      ca: true,
      notBefore: daysFromNow(-30),
      notAfter: daysFromNow(-2),
    });
    const leaf = await issue(oldIntermediate, "mx.example.test");
    expect(analyze([leaf, oldIntermediate], "mx.example.test")?.status).toBe("expired");
    const future = await issue(intermediate, "mx.example.test", {
      notBefore: daysFromNow(2),
      notAfter: daysFromNow(30),
    });
    expect(analyze([future, intermediate], "mx.example.test")?.status).toBe("not_yet_valid");
  });

  it("wrong_host, and every problem listed", async () => {
    const leaf = await issue(intermediate, "other.example.test", {
      notBefore: daysFromNow(-30),
      notAfter: daysFromNow(-1),
    });
    const result = analyze([leaf, intermediate], "mx.example.test");
    expect(result?.status).toBe("expired");
    expect(result?.problems).toEqual(["expired", "wrong_host"]);
    expect(result?.hostMatches).toBe(false);
  });

  it("wildcards match exactly one left-most label (RFC 6125 §6.4.3)", async () => {
    const leaf = await issue(intermediate, "wild", { dnsNames: ["*.example.test"] });
    expect(analyze([leaf, intermediate], "mx.example.test")?.status).toBe("valid");
    expect(analyze([leaf, intermediate], "a.mx.example.test")?.status).toBe("wrong_host");
    expect(analyze([leaf, intermediate], "example.test")?.status).toBe("wrong_host");
  });

  it("reports a SHA-1 signature", async () => {
    const leaf = await issue(intermediate, "mx.example.test", { hash: "SHA-1" });
    expect(analyze([leaf, intermediate], "mx.example.test")?.signatureHash).toBe("SHA-1");
  });

  it("no host check for an IP literal target", async () => {
    const leaf = await issue(intermediate, "mx.example.test");
    const result = analyze([leaf, intermediate], null);
    expect(result?.hostMatches).toBeNull();
    expect(result?.status).toBe("valid");
  });

  it("no certificate, no analysis", () => {
    expect(analyzeChain([], { host: "x", store, now, ocspStapled: false })).toBeNull();
  });
});
